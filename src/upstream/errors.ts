// One error family for every upstream HTTP client (AntRing, AntCRM reads and writes, AntBot, webhooks). Each carries
// the service, the operation, what failed (`kind`) and whether a retry can help. Messages name the service, the
// operation and a status or a reason: never a secret, a token or a URL (signed URLs carry hashes).
//
// The service families (AntRingError, AntCrmError, AntBotError, ...) extend UpstreamError. The kind classes below
// (UpstreamHttpError, UpstreamTimeoutError, UpstreamNetworkError, UpstreamResponseError) match by `kind`, so
// `err instanceof UpstreamTimeoutError` holds for AntRingTimeoutError as for AntCrmWriteTimeoutError. They are leaves:
// do not subclass them (a subclass would inherit the kind test).

export type UpstreamService = 'antring' | 'antcrm' | 'antbot' | 'webhook';

/** http: a non-2xx answer; timeout: no whole answer in time; network: not sent or not read; response: a 2xx answer
 *  that is unusable; config/argument: refused before any request. */
export type UpstreamKind = 'http' | 'timeout' | 'network' | 'response' | 'config' | 'argument';

export interface UpstreamErrorInit {
  service: UpstreamService;
  /** The client's operation (auth_token, findByPhone, createTicket, dnc_contact, send, ...). */
  operation: string;
  kind: UpstreamKind;
  /** Default: retryableByDefault(kind, status). */
  retryable?: boolean;
  status?: number;
}

/** 5xx, 408 and 429 answers, timeouts and network errors: a later attempt may succeed. */
export function retryableByDefault(kind: UpstreamKind, status?: number): boolean {
  if (kind === 'timeout' || kind === 'network') return true;
  if (kind === 'http' && status !== undefined) return status >= 500 || status === 408 || status === 429;
  return false;
}

export class UpstreamError extends Error {
  override readonly name: string = 'UpstreamError';
  readonly service: UpstreamService;
  readonly operation: string;
  readonly kind: UpstreamKind;
  readonly retryable: boolean;
  constructor(message: string, init: UpstreamErrorInit) {
    super(message);
    this.service = init.service;
    this.operation = init.operation;
    this.kind = init.kind;
    this.retryable = init.retryable ?? retryableByDefault(init.kind, init.status);
  }
}

const SERVICE_LABEL: Record<UpstreamService, string> = {
  antring: 'AntRing',
  antcrm: 'AntCRM',
  antbot: 'AntBot',
  webhook: 'webhook',
};

function isKind(v: unknown, kind: UpstreamKind): boolean {
  return v instanceof UpstreamError && v.kind === kind;
}

/** A non-2xx answer (any service). */
export class UpstreamHttpError extends UpstreamError {
  override readonly name: string = 'UpstreamHttpError';
  constructor(
    service: UpstreamService,
    operation: string,
    readonly status: number,
  ) {
    super(`${SERVICE_LABEL[service]} ${operation}: HTTP ${status}`, { service, operation, kind: 'http', status });
  }
  static override [Symbol.hasInstance](v: unknown): v is UpstreamHttpError {
    return isKind(v, 'http');
  }
}

/** No whole answer within the timeout (any service). */
export class UpstreamTimeoutError extends UpstreamError {
  override readonly name: string = 'UpstreamTimeoutError';
  constructor(
    service: UpstreamService,
    operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${SERVICE_LABEL[service]} ${operation}: no answer within ${timeoutMs} ms`, {
      service,
      operation,
      kind: 'timeout',
    });
  }
  static override [Symbol.hasInstance](v: unknown): v is UpstreamTimeoutError {
    return isKind(v, 'timeout');
  }
}

/** The request could not be sent or its answer not read (any service). `code`: ECONNREFUSED, ABORTED, ... */
export class UpstreamNetworkError extends UpstreamError {
  override readonly name: string = 'UpstreamNetworkError';
  constructor(
    service: UpstreamService,
    operation: string,
    readonly code: string,
  ) {
    super(`${SERVICE_LABEL[service]} ${operation}: network error (${code})`, { service, operation, kind: 'network' });
  }
  static override [Symbol.hasInstance](v: unknown): v is UpstreamNetworkError {
    return isKind(v, 'network');
  }
}

/** A 2xx answer the operation cannot use (not JSON, wrong shape, no id). */
export class UpstreamResponseError extends UpstreamError {
  override readonly name: string = 'UpstreamResponseError';
  constructor(
    service: UpstreamService,
    operation: string,
    readonly reason: string,
  ) {
    super(`${SERVICE_LABEL[service]} ${operation}: unusable response (${reason})`, {
      service,
      operation,
      kind: 'response',
    });
  }
  static override [Symbol.hasInstance](v: unknown): v is UpstreamResponseError {
    return isKind(v, 'response');
  }
}

/** A system error code (ECONNREFUSED, ...) or the error's class name: never its message (it may hold the URL). */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | null;
  for (const c of [e?.code, e?.cause?.code]) {
    if (typeof c === 'string' && /^[A-Z0-9_]{2,40}$/.test(c)) return c;
  }
  return typeof e?.name === 'string' && /^\w{1,40}$/.test(e.name) ? e.name : 'unknown';
}
