// Typed errors of the AntCRM client: the AntCRM branch of the upstream error family (upstream/errors.ts: service
// 'antcrm', `operation`, `kind`, `retryable`). Messages carry the status or a reason, never the api key nor a URL.
import { UpstreamError, type UpstreamKind } from '../upstream/errors.js';

/** The contact read (`GET /contacts?phone=`); the writes name theirs (antcrm/writer.ts). */
export const CONTACTS_OP = 'findByPhone';

export class AntCrmError extends UpstreamError {
  override readonly name: string = 'AntCrmError';
  constructor(
    message: string,
    operation: string = CONTACTS_OP,
    kind: UpstreamKind = 'response',
    o: { status?: number; retryable?: boolean } = {},
  ) {
    super(message, { service: 'antcrm', operation, kind, ...o });
  }
}

/** Any non-2xx answer (401/403 are AntCrmAuthError, a subclass). */
export class AntCrmHttpError extends AntCrmError {
  override readonly name: string = 'AntCrmHttpError';
  constructor(
    readonly status: number,
    message = `AntCRM contacts: HTTP ${status}`,
  ) {
    super(message, CONTACTS_OP, 'http', { status });
  }
}

/** 401 or 403: the api key was refused. */
export class AntCrmAuthError extends AntCrmHttpError {
  override readonly name = 'AntCrmAuthError';
  constructor(status: number) {
    super(status, `AntCRM contacts: api key refused (HTTP ${status})`);
  }
}

/** No complete answer within the client's timeoutMs. */
export class AntCrmTimeoutError extends AntCrmError {
  override readonly name = 'AntCrmTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`AntCRM contacts: no answer within ${timeoutMs} ms`, CONTACTS_OP, 'timeout');
  }
}

/** The request could not be sent or its answer not read (connection refused/reset, DNS). */
export class AntCrmNetworkError extends AntCrmError {
  override readonly name = 'AntCrmNetworkError';
  constructor(readonly code: string) {
    super(`AntCRM contacts: network error (${code})`, CONTACTS_OP, 'network');
  }
}

/** A 2xx answer that is not JSON or not a list of contacts. */
export class AntCrmResponseError extends AntCrmError {
  override readonly name = 'AntCrmResponseError';
  constructor(readonly reason: string) {
    super(`AntCRM contacts: unusable response (${reason})`, CONTACTS_OP, 'response');
  }
}
