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

/** Loggable summary of an unknown error (name and message only; no stack, no attached fields). */
export function errSummary(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message.slice(0, 300) };
  return { name: typeof err, message: String(err).slice(0, 300) };
}
