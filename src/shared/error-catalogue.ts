// The bridge's coded errors, declared once (as fastify's lib/errors.js declares each `FST_ERR_…` with createError):
// a stable code, its message (a template: `{field}` is filled from the error's fields) and, where a client sees it,
// the contract's wire code (src/contract.ts ERROR_STATUS gives the HTTP status). Logs, the HTTP error body and the
// process's exit paths read `err.code`; nothing matches an error by its class name.
//
// Upstream codes are `<SERVICE>_<WHAT>` (upstream/errors.ts builds them from the service and the kind); the contract's
// own answers are `HTTP_<WIRE CODE>` (http/errors.ts HttpError). Messages never carry a secret, a token or a URL.
import { ERROR_STATUS, type ErrorCode as WireCode } from '../contract.js';

export interface CatalogueEntry {
  /** The message (a template of `{field}`s) when the thrower gives none. */
  readonly message: string;
  /** The contract's code a client gets for it (its HTTP status: ERROR_STATUS). */
  readonly wire?: WireCode;
  /** How the process ends when it escapes the start: `config` prints `config error: <message>`, exit 1. */
  readonly exit?: 'config';
}

const UPSTREAM_HTTP = '{service} {operation}: HTTP {status}';
const UPSTREAM_AUTH = '{service} {operation}: refused (HTTP {status})';
const UPSTREAM_TIMEOUT = '{service} {operation}: no answer within {timeoutMs} ms';
const UPSTREAM_NETWORK = '{service} {operation}: network error ({sysCode})';
const UPSTREAM_RESPONSE = '{service} {operation}: unusable response ({reason})';

export const ERROR_CATALOGUE = {
  // Configuration: the process does not start (`config error: …`, exit 1).
  CONFIG_INVALID: { message: 'invalid configuration', exit: 'config' },
  JWT_KEY_INVALID: { message: 'the JWT verification key is unusable', exit: 'config' },
  DEVICES_FILE_INVALID: { message: 'DEVICES_FILE is unusable', exit: 'config' },
  WEBHOOK_CONFIG_INVALID: { message: 'the webhook configuration is unusable', exit: 'config' },
  SIGNAL_CONFIG_INVALID: { message: 'the signal subscription is misconfigured', exit: 'config' },
  CALLBACKS_CONFIG_INVALID: { message: 'the missed-call recovery settings are unusable', exit: 'config' },
  CALLING_HOURS_INVALID: { message: 'calling hours are HH:MM-HH:MM' },
  TENANTS_INVALID: { message: 'the tenants file is unusable', exit: 'config' },

  // Lifecycle.
  BRIDGE_STOPPED: { message: 'the bridge was stopped while starting' },
  TENANT_STOPPED: { message: 'the tenant was stopped while starting' },
  TOKEN_KEEPER_STOPPED: { message: 'the token keeper is stopped' },
  DEMO_PAGES_MISSING: { message: 'the client-demo pages are missing' },

  // AntRing open API (antring/client.ts).
  ANTRING_HTTP: { message: UPSTREAM_HTTP },
  ANTRING_AUTH_FAILED: { message: UPSTREAM_AUTH },
  ANTRING_DEVICE_OFFLINE: { message: '{service} {operation}: device offline (HTTP 400)', wire: 'device_offline' },
  ANTRING_TIMEOUT: { message: UPSTREAM_TIMEOUT },
  ANTRING_NETWORK: { message: UPSTREAM_NETWORK },
  ANTRING_RESPONSE: { message: UPSTREAM_RESPONSE },
  ANTRING_CONFIG_MISSING: { message: '{service} {operation}: ANTRING_DOMAIN and ANTRING_EMAIL are required' },
  ANTRING_ARGUMENT_INVALID: { message: '{service} {operation}: unusable argument' },
  ANTRING_EXPIRE_INVALID: { message: 'AntRing token expiry is unreadable' },
  ANTRING_DIRECTORY_UNAVAILABLE: { message: 'the AntRing agent directory could not be loaded' },

  // AntCRM reads (contacts) and writes (tickets, leads, wrap-ups).
  ANTCRM_HTTP: { message: UPSTREAM_HTTP },
  ANTCRM_AUTH_FAILED: { message: UPSTREAM_AUTH },
  ANTCRM_TIMEOUT: { message: UPSTREAM_TIMEOUT },
  ANTCRM_NETWORK: { message: UPSTREAM_NETWORK },
  ANTCRM_RESPONSE: { message: UPSTREAM_RESPONSE },

  // AntBot (DNC list, missed-call recovery).
  ANTBOT_HTTP: { message: UPSTREAM_HTTP },
  ANTBOT_AUTH_FAILED: { message: UPSTREAM_AUTH },
  ANTBOT_TIMEOUT: { message: UPSTREAM_TIMEOUT },
  ANTBOT_NETWORK: { message: UPSTREAM_NETWORK },
  ANTBOT_RESPONSE: { message: UPSTREAM_RESPONSE },
  DNC_UNAVAILABLE: { message: 'the DNC list is unavailable', wire: 'upstream_unavailable' },
  RECOVERY_NO_ATTEMPT: { message: 'the recovery has no AntBot attempt' },
  RECOVERY_CONFLICT: { message: 'the recovery kept changing under this write' },

  // Outgoing webhooks.
  WEBHOOK_HTTP: { message: UPSTREAM_HTTP },
  WEBHOOK_TIMEOUT: { message: UPSTREAM_TIMEOUT },
  WEBHOOK_NETWORK: { message: UPSTREAM_NETWORK },
  WEBHOOK_RESPONSE: { message: UPSTREAM_RESPONSE },

  /** A request's deadline or its caller's signal fired (upstream/deadline.ts; mapped to a timeout or network error). */
  UPSTREAM_ABORTED: { message: 'aborted' },

  // The upstream signal socket.
  SIGNAL_CONNECT_FAILED: { message: 'the signal socket could not connect ({reason})' },
  SIGNAL_TOKEN_UNAVAILABLE: { message: 'no AntRing token for the signal socket' },

  // Inside the bridge.
  ENRICH_LIMITER_FULL: { message: 'too many contact lookups waiting' },
  DASHBOARD_MAPPING_INVALID: { message: 'the AntRing dashboard could not be mapped' },
  OUTBOX_STATE_INVALID: { message: 'the outbox cannot do this in its state' },
  OUTBOX_STORE_UNAVAILABLE: { message: 'the outbox store is unavailable' },
  OUTBOX_DATA_DIR_LOCKED: { message: 'DATA_DIR is in use by another running bridge' },
} as const satisfies Record<string, CatalogueEntry>;

/** A code declared in the catalogue above. */
export type CatalogueCode = keyof typeof ERROR_CATALOGUE;
/** The contract's own answers (http/errors.ts): `HTTP_INVALID_BODY`, `HTTP_NOT_FOUND`, … one per wire code. */
export type HttpAnswerCode = `HTTP_${Uppercase<WireCode>}`;
export type ErrorCodeName = CatalogueCode | HttpAnswerCode;

/** The code of the contract's answer with this wire code. */
export const httpAnswerCode = (wire: WireCode): HttpAnswerCode => `HTTP_${wire.toUpperCase()}` as HttpAnswerCode;

function entry(code: ErrorCodeName): CatalogueEntry | undefined {
  return (ERROR_CATALOGUE as Record<string, CatalogueEntry>)[code];
}

/** Whether a string is a code of this catalogue (an upstream code built from a service and a kind, say). */
export function isCatalogued(code: string): code is ErrorCodeName {
  if (entry(code as ErrorCodeName)) return true;
  return code.startsWith('HTTP_') && code.slice(5).toLowerCase() in ERROR_STATUS;
}

/** The catalogue's message of a code, its `{field}`s filled (a missing field stays `{field}`). */
export function catalogueMessage(code: ErrorCodeName, fields: Readonly<Record<string, unknown>> = {}): string {
  const template = entry(code)?.message ?? code;
  return template.replace(/\{(\w+)\}/g, (all, k: string) => (fields[k] === undefined ? all : String(fields[k])));
}

/** The wire code a client gets for an error of this code, if any. */
export function wireCodeOf(code: ErrorCodeName): WireCode | undefined {
  const e = entry(code);
  if (e) return e.wire;
  const wire = code.slice(5).toLowerCase();
  return code.startsWith('HTTP_') && wire in ERROR_STATUS ? (wire as WireCode) : undefined;
}

/** Every error of the bridge: a catalogue code, and the HTTP status of its wire code (if it has one). */
export class CodedError extends Error {
  readonly code: ErrorCodeName;
  constructor(code: ErrorCodeName, message?: string, options?: ErrorOptions) {
    super(message ?? catalogueMessage(code), options);
    this.code = code;
  }
  /** The contract's code for a client (undefined: not a client's answer; an HTTP route answers 500). */
  get wire(): WireCode | undefined {
    return wireCodeOf(this.code);
  }
  get statusCode(): number | undefined {
    const w = this.wire;
    return w === undefined ? undefined : ERROR_STATUS[w];
  }
}

/** The base class of one code, as @fastify/error's createError: `class XError extends coded('X_CODE') {}`.
 *  The message defaults to the catalogue's. */
export function coded<C extends CatalogueCode>(code: C) {
  return class extends CodedError {
    declare readonly code: C;
    constructor(message?: string, options?: ErrorOptions) {
      super(code, message, options);
    }
  };
}

/** Whether `err` carries one of these codes. */
export function hasCode<C extends ErrorCodeName>(err: unknown, ...codes: C[]): err is CodedError & { code: C } {
  return err instanceof CodedError && (codes as ErrorCodeName[]).includes(err.code);
}

/** How the process ends when this error escapes its start: `config` (print its message, exit 1) or undefined. */
export function exitOf(err: unknown): 'config' | undefined {
  return err instanceof CodedError ? entry(err.code)?.exit : undefined;
}
