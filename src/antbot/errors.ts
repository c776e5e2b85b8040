// Typed errors of the AntBot (Alice) REST client: the AntBot branch of the upstream error family (upstream/errors.ts:
// service 'antbot', `operation` = the op, `kind`, `retryable`). Messages name the operation and the status, never a
// secret (password, token) nor a URL with a query.
import { AntRingAuthError } from '../antring/errors.js';
import { UpstreamError, type UpstreamKind, type UpstreamService } from '../upstream/errors.js';

export type AntBotOp = 'get_token' | 'dnc_contact' | 'dnc_list';

export class AntBotError extends UpstreamError {
  override readonly name: string = 'AntBotError';
  constructor(
    message: string,
    readonly op?: AntBotOp,
    kind: UpstreamKind = 'response',
    status?: number,
  ) {
    super(message, { service: 'antbot', operation: op ?? 'unknown', kind, status });
  }
}

/**
 * get-token refused the credentials (400/401/403). It extends AntRingAuthError so the shared TokenKeeper
 * fails fast (rejects waiting callers) instead of queueing them behind its retry backoff.
 */
export class AntBotAuthError extends AntRingAuthError {
  override readonly name: string = 'AntBotAuthError';
  override readonly service: UpstreamService = 'antbot';
  override readonly operation: string = 'get_token';
  constructor(status: number) {
    super('auth_token', status);
    this.message = `AntBot get-token: credentials refused (HTTP ${status})`;
  }
}

/** Any other non-2xx answer (a 401 on a data call after one fresh token included). */
export class AntBotHttpError extends AntBotError {
  override readonly name = 'AntBotHttpError';
  constructor(
    op: AntBotOp,
    readonly status: number,
  ) {
    super(`AntBot ${op}: HTTP ${status}`, op, 'http', status);
  }
}

/** No complete answer within the client's timeout (a token wait included). */
export class AntBotTimeoutError extends AntBotError {
  override readonly name = 'AntBotTimeoutError';
  constructor(
    op: AntBotOp,
    readonly timeoutMs: number,
  ) {
    super(`AntBot ${op}: no answer within ${timeoutMs} ms`, op, 'timeout');
  }
}

/** The request could not be sent or its answer not read. */
export class AntBotNetworkError extends AntBotError {
  override readonly name = 'AntBotNetworkError';
  constructor(
    op: AntBotOp,
    readonly code: string,
  ) {
    super(`AntBot ${op}: network error (${code})`, op, 'network');
  }
}

/** A 2xx answer that is not what the operation returns (not JSON, wrong shape, a foreign `next` link, too many pages). */
export class AntBotResponseError extends AntBotError {
  override readonly name = 'AntBotResponseError';
  constructor(
    op: AntBotOp,
    readonly reason: string,
  ) {
    super(`AntBot ${op}: unusable response (${reason})`, op, 'response');
  }
}
