// §9.1: the callback settings, from a tenant's `"callbacks": { … }` (callbacksSchema, for the tenants file) or from
// the environment for the single account (callbacksFromEnv). Off by default (on in demo mode); enabled needs a
// calendar, a creator and a transfer number (and AntBot credentials: the caller checks, see needsAntBot).
// Messages name the field and what is expected; none of these values is a secret.
import { z } from 'zod';
import { coded } from '../shared/error-catalogue.js';
import { normalizeDialable } from '../shared/phone.js';
import { type CallingHours, CallingHoursError, parseHours } from './hours.js';
import { isTimeZone } from './zoned.js';

/** `phonenumber_transfer`: one number, or per queue with `*` for every other queue. */
export interface TransferTo {
  default: string;
  byQueue: Readonly<Record<string, string>>;
}

export interface CallbacksSettings {
  delaySec: number;
  hours: CallingHours;
  timeZone: string;
  maxAttempts: number;
}
export interface CallbacksOff extends CallbacksSettings {
  enabled: false;
}
export interface CallbacksOn extends CallbacksSettings {
  enabled: true;
  calendar: number | string;
  creator: number | string;
  transferTo: TransferTo;
}
export type CallbacksConfig = CallbacksOff | CallbacksOn;

export const CALLBACK_DEFAULTS = {
  delaySec: 300,
  hours: '08:00-20:00',
  timeZone: 'Asia/Ho_Chi_Minh',
  maxAttempts: 2,
} as const;
const MAX_DELAY_S = 7 * 86_400;
const MAX_ATTEMPTS = 10;

const whole = (min: number, max: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^[+-]?\d+$/, 'expected a whole number'),
    ])
    .transform(Number)
    .pipe(
      z
        .number()
        .int(`expected a whole number from ${min} to ${max}`)
        .min(min, `expected a whole number from ${min} to ${max}`)
        .max(max, `expected a whole number from ${min} to ${max}`),
    );

const hours = z.string().transform((v, ctx): CallingHours => {
  try {
    return parseHours(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof CallingHoursError ? err.message : 'invalid' });
    return z.NEVER;
  }
});

const timeZone = z
  .string()
  .trim()
  .refine(isTimeZone, { message: 'expected an IANA time zone (e.g. Asia/Ho_Chi_Minh)' });

/** An AntBot id: a whole number (JSON number or digits) or a short id string. */
const antbotId = z
  .union([
    z.number().int().positive(),
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/),
  ])
  .transform((v) => (typeof v === 'string' && /^[0-9]{1,15}$/.test(v) ? Number(v) : v))
  .refine((v) => v !== 0, { message: 'expected an AntBot id (a positive whole number)' });

/** A queue's DID or an extension, in the form AntBot dials (Vietnamese numbers: national form); null if neither. */
const dialable = (v: unknown): string | null => (typeof v === 'string' ? normalizeDialable(v.trim()) : null);
const NOT_A_NUMBER = 'expected a phone number or an extension (2–6 digits)';

/** One number, or `{ "<queueId>": "…", "*": "…" }`. */
const transferTo = z.unknown().transform((v, ctx): TransferTo => {
  const issue = (message: string, path: string[] = []) => {
    ctx.addIssue({ code: 'custom', message, path });
    return z.NEVER;
  };
  if (typeof v === 'string') {
    const n = dialable(v);
    return n === null ? issue(NOT_A_NUMBER) : { default: n, byQueue: {} };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return issue('expected a number, or { "<queueId>": "…", "*": "…" }');
  const byQueue: Record<string, string> = {};
  let ok = true;
  for (const [queue, raw] of Object.entries(v)) {
    const n = dialable(raw);
    if (queue.trim() === '' || queue.length > 64 || n === null) {
      ok = false;
      issue(queue.trim() === '' || queue.length > 64 ? 'a queue id of 1 to 64 characters' : NOT_A_NUMBER, [queue]);
    } else byQueue[queue.trim()] = n;
  }
  if (!ok) return z.NEVER;
  const { '*': def, ...rest } = byQueue;
  if (def === undefined) return issue('a per-queue map needs a "*" entry (every other queue)');
  return { default: def, byQueue: rest };
});

const fields = {
  delaySec: whole(1, MAX_DELAY_S).default(CALLBACK_DEFAULTS.delaySec),
  hours: hours.prefault(CALLBACK_DEFAULTS.hours),
  timeZone: timeZone.default(CALLBACK_DEFAULTS.timeZone),
  maxAttempts: whole(1, MAX_ATTEMPTS).default(CALLBACK_DEFAULTS.maxAttempts),
  calendar: antbotId.optional(),
  creator: antbotId.optional(),
  transferTo: transferTo.optional(),
};

type Parsed = {
  enabled?: boolean;
  delaySec: number;
  hours: CallingHours;
  timeZone: string;
  maxAttempts: number;
  calendar?: number | string;
  creator?: number | string;
  transferTo?: TransferTo;
};

function finish(v: Parsed, enabledByDefault: boolean, ctx: z.RefinementCtx): CallbacksConfig {
  const settings = { delaySec: v.delaySec, hours: v.hours, timeZone: v.timeZone, maxAttempts: v.maxAttempts };
  if (!(v.enabled ?? enabledByDefault)) return { enabled: false, ...settings };
  const missing = (['calendar', 'creator', 'transferTo'] as const).filter((k) => v[k] === undefined);
  for (const k of missing) ctx.addIssue({ code: 'custom', path: [k], message: 'required when callbacks are enabled' });
  if (missing.length) return z.NEVER;
  return { enabled: true, ...settings, calendar: v.calendar!, creator: v.creator!, transferTo: v.transferTo! };
}

/** A tenant's `"callbacks": { … }` (unknown keys refused: a typo must not silently disable a setting). */
export const callbacksSchema = (o: { enabledByDefault?: boolean } = {}) =>
  z
    .strictObject({ enabled: z.boolean().optional(), ...fields })
    .transform((v, ctx) => finish(v, o.enabledByDefault ?? false, ctx));

/** The tenants file's `callbacks` (off unless `enabled: true`): `callbacks: tenantCallbacksSchema.optional()`. */
export const tenantCallbacksSchema = callbacksSchema();

const ENV_KEYS = {
  enabled: 'CALLBACKS',
  delaySec: 'CALLBACK_DELAY_S',
  hours: 'CALLBACK_HOURS',
  timeZone: 'CALLBACK_TZ',
  calendar: 'ANTBOT_CALLBACK_CALENDAR',
  creator: 'ANTBOT_CALLBACK_CREATOR',
  transferTo: 'CALLBACK_TRANSFER_TO',
  maxAttempts: 'CALLBACK_MAX_ATTEMPTS',
} as const;
type EnvField = keyof typeof ENV_KEYS;
/** §9.1's environment variables (a tenants file carries callbacks per tenant instead: tenants/env-rules.ts). */
export const CALLBACK_VARIABLES: readonly string[] = Object.values(ENV_KEYS);

const onOff = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['on', 'off', 'true', 'false', '1', '0'], { error: () => 'expected on or off' }))
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const envSchema = (enabledByDefault: boolean) =>
  z
    .object({
      enabled: onOff.optional(),
      ...fields,
      // `{ "<queueId>": "…", "*": "…" }` as JSON, or one number.
      transferTo: z
        .string()
        .transform((v, ctx) => {
          const t = v.trim();
          if (!t.startsWith('{')) return t;
          try {
            return JSON.parse(t) as unknown;
          } catch {
            ctx.addIssue({ code: 'custom', message: 'starts with { but is not JSON' });
            return z.NEVER;
          }
        })
        .pipe(transferTo)
        .optional(),
    })
    .transform((v, ctx) => finish(v, enabledByDefault, ctx));

export class CallbacksConfigError extends coded('CALLBACKS_CONFIG_INVALID') {
  override readonly name = 'CallbacksConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/**
 * The environment form (§9.1); unset or blank variables take the defaults. `demo`: on by default, and `defaults`
 * (the simulator's calendar, creator, transfer number, a short delay) fill what the environment leaves unset.
 * Throws CallbacksConfigError naming each variable with a problem.
 */
export function callbacksFromEnv(
  env: NodeJS.ProcessEnv,
  o: { demo?: boolean; defaults?: Partial<Record<EnvField, string>> } = {},
): CallbacksConfig {
  const raw: Partial<Record<EnvField, string>> = {};
  for (const [field, name] of Object.entries(ENV_KEYS) as [EnvField, string][]) {
    const v = env[name];
    const given = typeof v === 'string' && v.trim() !== '' ? v : o.defaults?.[field];
    if (given !== undefined) raw[field] = given;
  }
  const r = envSchema(o.demo ?? false).safeParse(raw);
  if (r.success) return r.data;
  throw new CallbacksConfigError(
    r.error.issues.map((i) => {
      const field = i.path[0] as EnvField | undefined;
      return `${field ? ENV_KEYS[field] : 'callbacks'}: ${i.message}`;
    }),
  );
}

/** Enabled callbacks need the tenant's AntBot credentials (§1 ANTBOT_USERNAME / ANTBOT_PASSWORD). */
export function needsAntBot(c: CallbacksConfig): boolean {
  return c.enabled;
}

/** The transfer number for a missed call of this queue (the queue's own, else `*`). */
export function transferNumberFor(t: TransferTo, queueId: string | undefined): string {
  return (queueId !== undefined ? t.byQueue[queueId] : undefined) ?? t.default;
}
