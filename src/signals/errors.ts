// Named errors of the signal subscriber, with their catalogue codes (shared/error-catalogue.ts). Messages never carry
// a token.
import { coded } from '../shared/error-catalogue.js';

export class SignalConfigError extends coded('SIGNAL_CONFIG_INVALID') {
  override readonly name = 'SignalConfigError';
}

export class SignalConnectError extends coded('SIGNAL_CONNECT_FAILED') {
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

export class SignalTokenError extends coded('SIGNAL_TOKEN_UNAVAILABLE') {
  override readonly name = 'SignalTokenError';
}
