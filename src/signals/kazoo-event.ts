// Parses one Kazoo channel event body (Title-Case or snake_case keys, any mix of case) into a LegEvent.
// Pure, defensive: unknown input gives a rejection with a reason, never a throw.

import { CHANNEL_EVENT_NAMES, isChannelEventName } from '../shared/channel-events.js';
import { gregorianToUnixMs } from '../shared/gregorian.js';
import type { LegEvent } from './types.js';

export type ParseResult = { ok: true; event: LegEvent } | { ok: false; reason: string };

export { CHANNEL_EVENT_NAMES };

/** Longest string field kept (longer values are cut). */
export const MAX_FIELD_CHARS = 256;
/** Plausible event times: 2000-01-01 .. 2100-01-01 (unix ms). Anything else → time of receipt. */
const MIN_PLAUSIBLE_MS = 946_684_800_000;
const MAX_PLAUSIBLE_MS = 4_102_444_800_000;
/** A JSON string body longer than this is not parsed. */
const MAX_STRING_BODY = 262_144;

type Fields = Map<string, unknown>;

/** `Call-ID`, `call_id`, `CALL-id` → `call_id`. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/-/g, '_');
}

/** Kazoo sends the same ~100 keys in every event: their normal forms are remembered (bounded; cleared when full). */
const KEY_CACHE_MAX = 4096;
const keyCache = new Map<string, string>();

function normalisedKey(key: string): string {
  let k = keyCache.get(key);
  if (k === undefined) {
    k = normaliseKey(key);
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    if (key.length <= MAX_FIELD_CHARS) keyCache.set(key, k);
  }
  return k;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldsOf(obj: Record<string, unknown>): Fields {
  const out: Fields = new Map();
  for (const key of Object.keys(obj)) {
    const k = normalisedKey(key);
    const prev = out.get(k);
    if (prev !== undefined && prev !== null) continue; // first usable value wins
    out.set(k, obj[key]);
  }
  return out;
}

/** Trimmed, capped string; numbers become their decimal text; anything else (or empty) → undefined. */
function str(v: unknown): string | undefined {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
  else return undefined;
  s = s.trim();
  if (!s) return undefined;
  return s.length > MAX_FIELD_CHARS ? s.slice(0, MAX_FIELD_CHARS) : s;
}

/** Non-negative number from a number or a digit string (`"31"`); anything else → undefined. */
function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (!/^\d{1,15}(\.\d{1,9})?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** User part of a SIP URI: `"Bob" <sip:0934890883@realm;transport=udp>` → `0934890883`. */
export function sipUser(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  let u = s;
  const lt = u.indexOf('<');
  if (lt >= 0) {
    const gt = u.indexOf('>', lt + 1);
    u = u.slice(lt + 1, gt >= 0 ? gt : undefined);
  }
  u = u.replace(/^(sips?|tel):/i, '');
  const at = u.indexOf('@');
  if (at >= 0) u = u.slice(0, at);
  const semi = u.indexOf(';');
  if (semi >= 0) u = u.slice(0, semi);
  u = u.trim();
  return u || undefined;
}

function eventTime(v: unknown, nowMs: number): number {
  const sec = num(v);
  if (sec === undefined) return nowMs;
  const ms = gregorianToUnixMs(sec);
  return ms >= MIN_PLAUSIBLE_MS && ms <= MAX_PLAUSIBLE_MS ? ms : nowMs;
}

function notSelf(id: string | undefined, legId: string): string | undefined {
  return id !== undefined && id !== legId ? id : undefined;
}

/** FreeSWITCH microsecond timestamps (`Channel-Created-Time`) → unix ms; implausible → undefined. */
function microsToMs(v: unknown): number | undefined {
  const us = typeof v === 'string' && /^\d{1,17}$/.test(v.trim()) ? Number(v.trim()) : num(v);
  if (us === undefined) return undefined;
  const ms = Math.floor(us / 1000);
  return ms >= MIN_PLAUSIBLE_MS && ms <= MAX_PLAUSIBLE_MS ? ms : undefined;
}

function parseUnsafe(raw: unknown, receivedAt: number, nowMs: number, frameName: string | undefined): ParseResult {
  let body = raw;
  if (typeof body === 'string') {
    if (body.length > MAX_STRING_BODY) return { ok: false, reason: 'oversized' };
    try {
      body = JSON.parse(body);
    } catch {
      return { ok: false, reason: 'bad_json' };
    }
  }
  if (!isPlainObject(body)) return { ok: false, reason: 'not_object' };
  const f = fieldsOf(body);

  // The event name: `Event-Name`, else the frame's name (socket.io event / blackhole `name`), else the
  // webhooks app's `hook_event` (`channel_create`).
  const nameRaw = f.get('event_name') ?? frameName ?? f.get('hook_event');
  if (nameRaw === undefined || nameRaw === null) return { ok: false, reason: 'missing_event_name' };
  const name = typeof nameRaw === 'string' ? nameRaw.trim().toUpperCase() : '';
  if (!isChannelEventName(name)) return { ok: false, reason: 'unknown_event' };

  const callIdRaw = f.get('call_id');
  if (callIdRaw === undefined || callIdRaw === null) return { ok: false, reason: 'missing_call_id' };
  if (typeof callIdRaw !== 'string') return { ok: false, reason: 'bad_call_id' };
  const legId = callIdRaw.trim();
  if (!legId || legId.length > MAX_FIELD_CHARS) return { ok: false, reason: 'bad_call_id' };

  const dirRaw = f.get('call_direction');
  if (dirRaw === undefined || dirRaw === null) return { ok: false, reason: 'missing_direction' };
  const direction = typeof dirRaw === 'string' ? dirRaw.trim().toLowerCase() : '';
  if (direction !== 'inbound' && direction !== 'outbound') return { ok: false, reason: 'bad_direction' };

  const ccvRaw = f.get('custom_channel_vars');
  const ccv: Fields = isPlainObject(ccvRaw) ? fieldsOf(ccvRaw) : new Map();

  const event: LegEvent = {
    name,
    legId,
    direction,
    at: eventTime(f.get('timestamp'), nowMs),
    receivedAt,
  };
  const set = <K extends keyof LegEvent>(key: K, value: LegEvent[K] | undefined): void => {
    if (value !== undefined) event[key] = value;
  };
  set('msgId', str(f.get('msg_id')));
  // mod_kazoo's origination-uuid fallback can put the leg's own Call-ID here: that links nothing.
  set('otherLegId', notSelf(str(f.get('other_leg_call_id')), legId));
  set('bridgeId', notSelf(str(ccv.get('bridge_id')) ?? str(f.get('bridge_id')), legId));
  set('bridgeBLegId', notSelf(str(f.get('bridge_b_unique_id')), legId));
  set('otherLegCallerIdNumber', str(f.get('other_leg_caller_id_number')));
  set('otherLegDestinationNumber', str(f.get('other_leg_destination_number')));
  set('createdAt', microsToMs(f.get('channel_created_time')));
  set('callerIdNumber', str(f.get('caller_id_number')));
  set('callerIdName', str(f.get('caller_id_name')));
  set('calleeIdNumber', str(f.get('callee_id_number')));
  set('calleeIdName', str(f.get('callee_id_name')));
  set('from', sipUser(f.get('from')));
  set('to', sipUser(f.get('to')));
  set('request', sipUser(f.get('request')));
  set('accountId', str(ccv.get('account_id')) ?? str(f.get('account_id')));
  // Webhooks payloads carry owner_id / authorizing_* at the top level.
  set('ownerId', (str(ccv.get('owner_id')) ?? str(f.get('owner_id')))?.toLowerCase());
  set('authorizingId', str(ccv.get('authorizing_id')) ?? str(f.get('authorizing_id')));
  set('authorizingType', str(ccv.get('authorizing_type')) ?? str(f.get('authorizing_type')));
  set('username', str(ccv.get('username')));
  set('queueId', str(ccv.get('queue_id')));
  set('disposition', str(f.get('disposition')));
  set('hangupCause', str(f.get('hangup_cause')));
  set('durationSec', num(f.get('duration_seconds')));
  set('billingSec', num(f.get('billing_seconds')));
  set('billingMs', num(f.get('billing_milli_seconds')));
  set('ringingSec', num(f.get('ringing_seconds')));
  set('hangupCode', str(f.get('hangup_code')));
  return { ok: true, event };
}

/**
 * One Kazoo channel event → LegEvent. `receivedAt` is performance.now() at read time; `nowMs` (wall clock)
 * stands in for a missing or implausible `Timestamp`; `frameName` (the socket.io event / blackhole frame name)
 * is the event name when the body has no `Event-Name`. Never throws.
 */
export function parseKazooEvent(raw: unknown, receivedAt: number, nowMs: number, frameName?: string): ParseResult {
  try {
    return parseUnsafe(
      raw,
      receivedAt,
      nowMs,
      typeof frameName === 'string' && frameName.trim() !== '' ? frameName : undefined,
    );
  } catch {
    // Only hostile objects (throwing getters, proxies) get here; JSON input cannot.
    return { ok: false, reason: 'unreadable' };
  }
}
