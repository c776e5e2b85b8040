// One error tree for every upstream HTTP client (AntRing, AntCRM reads and writes, AntBot, webhooks): an
// UpstreamError carries the service, the operation, what failed (`kind`), whether a retry can help, and its catalogue
// code `<SERVICE>_<WHAT>` (shared/error-catalogue.ts: ANTRING_AUTH_FAILED, ANTCRM_TIMEOUT, …), which also gives its
// message. Messages name the service, the operation and a status or a reason: never a secret, a token or a URL.
//
// The kind classes (UpstreamHttpError, UpstreamAuthError, UpstreamTimeoutError, …) match by kind across services;
// serviceErrors(service) gives one service's classes (AntRingHttpError, …), which match that service's errors of the
// kind. A class extending one of them has ordinary `instanceof`.
import { type CatalogueCode, CodedError, catalogueMessage } from '../shared/error-catalogue.js';

export type UpstreamService = 'antring' | 'antcrm' | 'antbot' | 'webhook';

/** http: a non-2xx answer; timeout: no whole answer in time; network: not sent or not read; response: a 2xx answer
 *  that is unusable; config/argument: refused before any request. */
export type UpstreamKind = 'http' | 'timeout' | 'network' | 'response' | 'config' | 'argument';

/** What an error is about, for its code: the kind, or a refused credential (`auth`, an http answer). */
type Subject = UpstreamKind | 'auth';
const SUBJECT_CODE: Record<Subject, string> = {
  http: 'HTTP',
  auth: 'AUTH_FAILED',
  timeout: 'TIMEOUT',
  network: 'NETWORK',
  response: 'RESPONSE',
  config: 'CONFIG_MISSING',
  argument: 'ARGUMENT_INVALID',
};

/** The catalogue code of a service's error of this subject (`antring` + `auth` → ANTRING_AUTH_FAILED). */
export function upstreamCode(service: UpstreamService, subject: Subject): CatalogueCode {
  return `${service.toUpperCase()}_${SUBJECT_CODE[subject]}` as CatalogueCode;
}

export interface UpstreamErrorInit {
  service: UpstreamService;
  /** The client's operation (auth_token, findByPhone, createTicket, dnc_contact, send, ...). */
  operation: string;
  kind: UpstreamKind;
  /** Default: retryableByDefault(kind, status). */
  retryable?: boolean;
  status?: number;
  /** Default: upstreamCode(service, kind). */
  code?: CatalogueCode;
  /** Default: the catalogue's message of the code. */
  message?: string;
  timeoutMs?: number;
  sysCode?: string;
  reason?: string;
}

/** 5xx, 408 and 429 answers, timeouts and network errors: a later attempt may succeed. */
export function retryableByDefault(kind: UpstreamKind, status?: number): boolean {
  if (kind === 'timeout' || kind === 'network') return true;
  if (kind === 'http' && status !== undefined) return status >= 500 || status === 408 || status === 429;
  return false;
}

const SERVICE_LABEL: Record<UpstreamService, string> = {
  antring: 'AntRing',
  antcrm: 'AntCRM',
  antbot: 'AntBot',
  webhook: 'webhook',
};

/** The start of a service's class names (AntRingHttpError, AntCrmTimeoutError, …). */
const NAME_PREFIX: Record<UpstreamService, string> = {
  antring: 'AntRing',
  antcrm: 'AntCrm',
  antbot: 'AntBot',
  webhook: 'Webhook',
};

export class UpstreamError extends CodedError {
  override readonly name: string = 'UpstreamError';
  override readonly code: CatalogueCode;
  readonly service: UpstreamService;
  readonly operation: string;
  readonly kind: UpstreamKind;
  readonly retryable: boolean;
  /** http: the answer's status. */
  readonly status?: number;
  /** timeout: the deadline. */
  readonly timeoutMs?: number;
  /** network: a system error code (ECONNREFUSED, ...), ABORTED (the caller's signal), or the error's class name. */
  readonly sysCode?: string;
  /** response: what is wrong with the answer. */
  readonly reason?: string;
  constructor(init: UpstreamErrorInit) {
    const code = init.code ?? upstreamCode(init.service, init.kind);
    super(code, init.message ?? catalogueMessage(code, { ...init, service: SERVICE_LABEL[init.service] }));
    this.code = code;
    this.service = init.service;
    this.operation = init.operation;
    this.kind = init.kind;
    this.retryable = init.retryable ?? retryableByDefault(init.kind, init.status);
    if (init.status !== undefined) this.status = init.status;
    if (init.timeoutMs !== undefined) this.timeoutMs = init.timeoutMs;
    if (init.sysCode !== undefined) this.sysCode = init.sysCode;
    if (init.reason !== undefined) this.reason = init.reason;
  }
}

/** Makes `instanceof cls` the test (for cls itself; a class extending cls keeps the ordinary prototype check). */
function matchBy<T extends abstract new (...args: never[]) => UpstreamError>(
  cls: T,
  test: (e: UpstreamError) => boolean,
): T {
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, v: unknown): boolean {
      if (this !== cls) return Function.prototype[Symbol.hasInstance].call(this, v);
      return v instanceof UpstreamError && test(v);
    },
  });
  return cls;
}

/** A non-2xx answer (any service; a refused credential included). */
export class UpstreamHttpError extends UpstreamError {
  override readonly name: string = 'UpstreamHttpError';
  declare readonly status: number;
  constructor(service: UpstreamService, operation: string, status: number, message?: string) {
    super({ service, operation, kind: 'http', status, message });
  }
}
matchBy(UpstreamHttpError, (e) => e.kind === 'http');

/** 401 or 403 (AntBot's get-token: 400 too): the credentials were refused. Not worth a fast retry. */
export class UpstreamAuthError extends UpstreamError {
  override readonly name: string = 'UpstreamAuthError';
  declare readonly status: number;
  constructor(service: UpstreamService, operation: string, status: number, message?: string) {
    super({ service, operation, kind: 'http', status, code: upstreamCode(service, 'auth'), message });
  }
}
matchBy(UpstreamAuthError, (e) => e.code === upstreamCode(e.service, 'auth'));

/** No whole answer within the timeout (any service). */
export class UpstreamTimeoutError extends UpstreamError {
  override readonly name: string = 'UpstreamTimeoutError';
  declare readonly timeoutMs: number;
  constructor(service: UpstreamService, operation: string, timeoutMs: number) {
    super({ service, operation, kind: 'timeout', timeoutMs });
  }
}
matchBy(UpstreamTimeoutError, (e) => e.kind === 'timeout');

/** The request could not be sent or its answer not read (any service). `sysCode`: ECONNREFUSED, ABORTED, ... */
export class UpstreamNetworkError extends UpstreamError {
  override readonly name: string = 'UpstreamNetworkError';
  declare readonly sysCode: string;
  constructor(service: UpstreamService, operation: string, sysCode: string) {
    super({ service, operation, kind: 'network', sysCode });
  }
}
matchBy(UpstreamNetworkError, (e) => e.kind === 'network');

/** A 2xx answer the operation cannot use (not JSON, wrong shape, no id). */
export class UpstreamResponseError extends UpstreamError {
  override readonly name: string = 'UpstreamResponseError';
  declare readonly reason: string;
  constructor(service: UpstreamService, operation: string, reason: string) {
    super({ service, operation, kind: 'response', reason });
  }
}
matchBy(UpstreamResponseError, (e) => e.kind === 'response');

/** One service's classes: each matches that service's errors of its kind (AntRingTimeoutError: AntRing's timeouts). */
export function serviceErrors<Op extends string>(service: UpstreamService) {
  const mine = (e: UpstreamError) => e.service === service;
  const prefix = NAME_PREFIX[service];
  /** Any error of the service. */
  class ServiceError extends UpstreamError {}
  class Http extends UpstreamHttpError {
    override readonly name: string = `${prefix}HttpError`;
    constructor(op: Op, status: number, message?: string) {
      super(service, op, status, message);
    }
  }
  class Auth extends UpstreamAuthError {
    override readonly name: string = `${prefix}AuthError`;
    constructor(op: Op, status: number, message?: string) {
      super(service, op, status, message);
    }
  }
  class Timeout extends UpstreamTimeoutError {
    override readonly name: string = `${prefix}TimeoutError`;
    constructor(op: Op, timeoutMs: number) {
      super(service, op, timeoutMs);
    }
  }
  class Network extends UpstreamNetworkError {
    override readonly name: string = `${prefix}NetworkError`;
    constructor(op: Op, sysCode: string) {
      super(service, op, sysCode);
    }
  }
  class Response extends UpstreamResponseError {
    override readonly name: string = `${prefix}ResponseError`;
    constructor(op: Op, reason: string) {
      super(service, op, reason);
    }
  }
  /** Refused before any request: a setting is missing (config), or the caller's argument is unusable (argument). */
  const refusedBefore = (kind: 'config' | 'argument', what: string) =>
    class extends UpstreamError {
      override readonly name: string = `${prefix}${what}Error`;
      constructor(op: Op, message?: string) {
        super({ service, operation: op, kind, message });
      }
    };
  const Config = refusedBefore('config', 'Config');
  const Argument = refusedBefore('argument', 'Argument');
  matchBy(ServiceError, mine);
  matchBy(Auth, (e) => mine(e) && e.code === upstreamCode(service, 'auth'));
  const byKind: [abstract new (...args: never[]) => UpstreamError, UpstreamKind][] = [
    [Http, 'http'],
    [Timeout, 'timeout'],
    [Network, 'network'],
    [Response, 'response'],
    [Config, 'config'],
    [Argument, 'argument'],
  ];
  for (const [cls, kind] of byKind) matchBy(cls, (e) => mine(e) && e.kind === kind);
  return { ServiceError, Http, Auth, Timeout, Network, Response, Config, Argument };
}

/** A system error code (ECONNREFUSED, ...), a catalogue code, or the error's class name: never its message (it may
 *  hold the URL). */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | null;
  for (const c of [e?.code, e?.cause?.code]) {
    if (typeof c === 'string' && /^[A-Z0-9_]{2,40}$/.test(c)) return c;
  }
  return typeof e?.name === 'string' && /^\w{1,40}$/.test(e.name) ? e.name : 'unknown';
}
