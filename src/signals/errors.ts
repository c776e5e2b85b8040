// Named errors of the signal subscriber. Messages never carry a token.

export class SignalConfigError extends Error {
  override readonly name = 'SignalConfigError';
}

export class SignalConnectError extends Error {
  override readonly name = 'SignalConnectError';
  constructor(
    message: string,
    /** Short machine reason: handshake_http_status, bad_handshake, no_websocket, … */
    readonly reason: string,
    /** no_websocket: the transports the server offered instead. */
    readonly offered?: readonly string[],
  ) {
    super(message);
  }
}

export class SignalTokenError extends Error {
  override readonly name = 'SignalTokenError';
}
