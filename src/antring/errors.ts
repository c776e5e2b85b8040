// Typed errors of the AntRing open-API client: the AntRing branch of the upstream error family (upstream/errors.ts:
// service 'antring', `operation` = the op, `kind`, `retryable`). Messages name the operation and the status, never a
// secret (app secret, hash, token, SIP password) nor a URL (signed URLs carry the hash).
import { UpstreamError, type UpstreamKind } from '../upstream/errors.js';

/** The client's operations, used in messages, logs and metrics. */
export type AntRingOp =
  | 'auth_token'
  | 'agents'
  | 'queues'
  | 'dashboard'
  | 'histories'
  | 'play_recording'
  | 'click_to_call';

export class AntRingError extends UpstreamError {
  override readonly name: string = 'AntRingError';
  constructor(
    message: string,
    readonly op?: AntRingOp,
    kind: UpstreamKind = 'response',
    status?: number,
  ) {
    super(message, { service: 'antring', operation: op ?? 'unknown', kind, status });
  }
}

/** Missing configuration for a call (domain/email for agents, queues, dashboard). */
export class AntRingConfigError extends AntRingError {
  override readonly name = 'AntRingConfigError';
  constructor(message: string, op?: AntRingOp) {
    super(message, op, 'config');
  }
}

/** A caller passed an unusable argument (empty number, bad history window, ...). */
export class AntRingArgumentError extends AntRingError {
  override readonly name = 'AntRingArgumentError';
  constructor(message: string, op?: AntRingOp) {
    super(message, op, 'argument');
  }
}

/** 401 or 403: bad appId/secret (hash) or a refused token. Not worth a fast retry. */
export class AntRingAuthError extends AntRingError {
  override readonly name: string = 'AntRingAuthError';
  constructor(
    op: AntRingOp,
    readonly status: number,
  ) {
    super(`AntRing ${op}: refused (HTTP ${status})`, op, 'http', status);
  }
}

/** Any other non-2xx answer. */
export class AntRingHttpError extends AntRingError {
  override readonly name: string = 'AntRingHttpError';
  constructor(
    op: AntRingOp,
    readonly status: number,
    message = `AntRing ${op}: HTTP ${status}`,
  ) {
    super(message, op, 'http', status);
  }
}

/** Click-to-call answered 400: the agent's SIP device is not registered. */
export class DeviceOfflineError extends AntRingHttpError {
  override readonly name = 'DeviceOfflineError';
  constructor(op: AntRingOp = 'click_to_call') {
    super(op, 400, `AntRing ${op}: device offline (HTTP 400)`);
  }
}

/** No complete answer within the client's timeoutMs. */
export class AntRingTimeoutError extends AntRingError {
  override readonly name = 'AntRingTimeoutError';
  constructor(
    op: AntRingOp,
    readonly timeoutMs: number,
  ) {
    super(`AntRing ${op}: no answer within ${timeoutMs} ms`, op, 'timeout');
  }
}

/** The request could not be sent or its answer not read (connection refused/reset, DNS, aborted). */
export class AntRingNetworkError extends AntRingError {
  override readonly name = 'AntRingNetworkError';
  constructor(
    op: AntRingOp,
    readonly code: string,
  ) {
    super(`AntRing ${op}: network error (${code})`, op, 'network');
  }
}

/** A 2xx answer whose body is not what the operation returns (not JSON, wrong shape). */
export class AntRingResponseError extends AntRingError {
  override readonly name = 'AntRingResponseError';
  constructor(
    op: AntRingOp,
    readonly reason: string,
  ) {
    super(`AntRing ${op}: unusable response (${reason})`, op, 'response');
  }
}
