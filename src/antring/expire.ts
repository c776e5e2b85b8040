// The `expire` of POST /oapi/v1/voice/auth_token comes in an undocumented form: turn any plausible one into
// absolute unix milliseconds.
import { coded } from '../shared/error-catalogue.js';

export class ExpireParseError extends coded('ANTRING_EXPIRE_INVALID') {
  override readonly name = 'ExpireParseError';
}

/** Below this, a number is a time-to-live in seconds (1e9 s ≈ 31.7 years; unix time 1e9 = 2001-09-09). */
export const TTL_MAX_SECONDS = 1e9;
/** From TTL_MAX_SECONDS up to here, unix seconds (up to year 5138); from here, unix milliseconds (1e11 ms = 1973). */
export const UNIX_SECONDS_MAX = 1e11;
/** At or above this, refused (microseconds, nanoseconds or garbage): unix ms 1e14 = year 5138. */
export const UNIX_MS_MAX = 1e14;
/** An absolute expiry further in the past than this is refused (a bad clock or a misread form, not a token). */
export const MAX_PAST_MS = 24 * 60 * 60 * 1000;

const DIGITS = /^\d+(\.\d+)?$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * `expire` → absolute expiry, unix milliseconds. Accepted, as a number or a string of digits:
 * - `n < 1e9`: seconds to live (e.g. 3600) → `nowMs + n*1000`;
 * - `1e9 ≤ n < 1e11`: unix seconds (e.g. 1769587733);
 * - `1e11 ≤ n < 1e14`: unix milliseconds (e.g. 1769587733000);
 * and an ISO-8601 string (`2026-01-28T08:08:53Z`, `2026-01-28T15:08:53+07:00`; without a zone it is local time).
 * Fractions are allowed for numbers and digit strings.
 *
 * Throws ExpireParseError for anything else: other strings, NaN/Infinity, zero or negative numbers, numbers ≥ 1e14,
 * and an absolute time more than a day (MAX_PAST_MS) before `nowMs`. An absolute time in the past by less
 * than a day is returned as is (the caller sees an expired token; clock skew is the caller's call).
 */
export function parseExpire(expire: unknown, nowMs: number): number {
  if (typeof expire === 'number') return fromNumber(expire, nowMs);
  if (typeof expire === 'string') {
    const s = expire.trim();
    if (DIGITS.test(s)) return fromNumber(Number(s), nowMs);
    if (ISO_8601.test(s)) {
      const ms = Date.parse(s.replace(',', '.'));
      if (!Number.isFinite(ms)) throw new ExpireParseError(`expire: invalid ISO-8601 date ${describe(expire)}`);
      return notLongPast(ms, nowMs, expire);
    }
    throw new ExpireParseError(`expire: unrecognised string ${describe(expire)}`);
  }
  throw new ExpireParseError(`expire: expected a number or a string, got ${expire === null ? 'null' : typeof expire}`);
}

function fromNumber(n: number, nowMs: number): number {
  if (!Number.isFinite(n)) throw new ExpireParseError(`expire: not a finite number (${String(n)})`);
  if (n <= 0) throw new ExpireParseError(`expire: must be positive (${n})`);
  if (n < TTL_MAX_SECONDS) return nowMs + Math.round(n * 1000);
  if (n < UNIX_SECONDS_MAX) return notLongPast(Math.round(n * 1000), nowMs, n);
  if (n < UNIX_MS_MAX) return notLongPast(Math.round(n), nowMs, n);
  throw new ExpireParseError(`expire: number too large for unix milliseconds (${n})`);
}

function notLongPast(ms: number, nowMs: number, original: unknown): number {
  if (ms < nowMs - MAX_PAST_MS) {
    throw new ExpireParseError(`expire: ${describe(original)} is more than a day in the past`);
  }
  return ms;
}

function describe(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
