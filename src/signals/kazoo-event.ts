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

/** `Call-ID`, `call_id`, `CALL-id` → `call_id`. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/-/g, '_');
}

/**
 * The keys the bridge reads (top level and Custom-Channel-Vars), by their normal form: each one has a slot in the
 * array fieldsOf() fills. Every other key of a body is passed over unread.
 */
const READ = {
  eventName: 'event_name',
  hookEvent: 'hook_event',
  callId: 'call_id',
  callDirection: 'call_direction',
  ccv: 'custom_channel_vars',
  timestamp: 'timestamp',
  msgId: 'msg_id',
  otherLegCallId: 'other_leg_call_id',
  bridgeId: 'bridge_id',
  bridgeBUniqueId: 'bridge_b_unique_id',
  otherLegCallerIdNumber: 'other_leg_caller_id_number',
  otherLegDestinationNumber: 'other_leg_destination_number',
  channelCreatedTime: 'channel_created_time',
  callerIdNumber: 'caller_id_number',
  callerIdName: 'caller_id_name',
  calleeIdNumber: 'callee_id_number',
  calleeIdName: 'callee_id_name',
  from: 'from',
  to: 'to',
  request: 'request',
  accountId: 'account_id',
  ownerId: 'owner_id',
  authorizingId: 'authorizing_id',
  authorizingType: 'authorizing_type',
  username: 'username',
  queueId: 'queue_id',
  disposition: 'disposition',
  hangupCause: 'hangup_cause',
  durationSeconds: 'duration_seconds',
  billingSeconds: 'billing_seconds',
  billingMilliSeconds: 'billing_milli_seconds',
  ringingSeconds: 'ringing_seconds',
  hangupCode: 'hangup_code',
} as const;
const READ_COUNT = Object.keys(READ).length;
/** Slot of each read key, by our name (`K.callId`) and by its normal form (`call_id`). */
const K = Object.fromEntries(Object.keys(READ).map((k, i) => [k, i])) as Record<keyof typeof READ, number>;
const SLOT = new Map<string, number>(Object.values(READ).map((k, i) => [k, i]));
const NOT_READ = -1;

/** The values of one body (or its Custom-Channel-Vars) by slot. */
type Fields = unknown[];
const NO_FIELDS: Fields = Object.freeze(new Array<unknown>(READ_COUNT).fill(undefined)) as Fields;

/**
 * Kazoo sends the same ~100 key spellings in every event: each spelling's slot (NOT_READ for the keys the bridge
 * does not read) is remembered, so a key is normalised once, not per frame (bounded; cleared when full).
 */
const KEY_CACHE_MAX = 4096;
const slotCache = new Map<string, number>();

function slotOf(key: string): number {
  let s = slotCache.get(key);
  if (s === undefined) {
    s = SLOT.get(normaliseKey(key)) ?? NOT_READ;
    if (slotCache.size >= KEY_CACHE_MAX) slotCache.clear();
    if (key.length <= MAX_FIELD_CHARS) slotCache.set(key, s);
  }
  return s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The read keys' values, in any spelling; the first usable (not null / undefined) value of a key wins. */
function fieldsOf(obj: Record<string, unknown>): Fields {
  const out: Fields = new Array<unknown>(READ_COUNT).fill(undefined);
  for (const key of Object.keys(obj)) {
    const s = slotOf(key);
    if (s === NOT_READ) continue;
    const prev = out[s];
    if (prev !== undefined && prev !== null) continue;
    out[s] = obj[key];
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

const SIP_SCHEME = /^(sips?|tel):/i;

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
  // Only a value starting with s/S/t/T can carry a scheme: the regex runs for those alone.
  const c0 = u.charCodeAt(0) | 0x20;
  if (c0 === 0x73 || c0 === 0x74) u = u.replace(SIP_SCHEME, '');
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
  const nameRaw = f[K.eventName] ?? frameName ?? f[K.hookEvent];
  if (nameRaw === undefined || nameRaw === null) return { ok: false, reason: 'missing_event_name' };
  const name = typeof nameRaw === 'string' ? nameRaw.trim().toUpperCase() : '';
  if (!isChannelEventName(name)) return { ok: false, reason: 'unknown_event' };

  const callIdRaw = f[K.callId];
  if (callIdRaw === undefined || callIdRaw === null) return { ok: false, reason: 'missing_call_id' };
  if (typeof callIdRaw !== 'string') return { ok: false, reason: 'bad_call_id' };
  const legId = callIdRaw.trim();
  if (!legId || legId.length > MAX_FIELD_CHARS) return { ok: false, reason: 'bad_call_id' };

  const dirRaw = f[K.callDirection];
  if (dirRaw === undefined || dirRaw === null) return { ok: false, reason: 'missing_direction' };
  const direction = typeof dirRaw === 'string' ? dirRaw.trim().toLowerCase() : '';
  if (direction !== 'inbound' && direction !== 'outbound') return { ok: false, reason: 'bad_direction' };

  const ccvRaw = f[K.ccv];
  const ccv: Fields = isPlainObject(ccvRaw) ? fieldsOf(ccvRaw) : NO_FIELDS;

  const event: LegEvent = {
    name,
    legId,
    direction,
    at: eventTime(f[K.timestamp], nowMs),
    receivedAt,
  };
  // Only defined values become keys, in this order (no closure per frame: plain assignments).
  let v: string | number | undefined = str(f[K.msgId]);
  if (v !== undefined) event.msgId = v;
  // mod_kazoo's origination-uuid fallback can put the leg's own Call-ID here: that links nothing.
  v = notSelf(str(f[K.otherLegCallId]), legId);
  if (v !== undefined) event.otherLegId = v;
  v = notSelf(str(ccv[K.bridgeId]) ?? str(f[K.bridgeId]), legId);
  if (v !== undefined) event.bridgeId = v;
  v = notSelf(str(f[K.bridgeBUniqueId]), legId);
  if (v !== undefined) event.bridgeBLegId = v;
  v = str(f[K.otherLegCallerIdNumber]);
  if (v !== undefined) event.otherLegCallerIdNumber = v;
  v = str(f[K.otherLegDestinationNumber]);
  if (v !== undefined) event.otherLegDestinationNumber = v;
  v = microsToMs(f[K.channelCreatedTime]);
  if (v !== undefined) event.createdAt = v;
  v = str(f[K.callerIdNumber]);
  if (v !== undefined) event.callerIdNumber = v;
  v = str(f[K.callerIdName]);
  if (v !== undefined) event.callerIdName = v;
  v = str(f[K.calleeIdNumber]);
  if (v !== undefined) event.calleeIdNumber = v;
  v = str(f[K.calleeIdName]);
  if (v !== undefined) event.calleeIdName = v;
  v = sipUser(f[K.from]);
  if (v !== undefined) event.from = v;
  v = sipUser(f[K.to]);
  if (v !== undefined) event.to = v;
  v = sipUser(f[K.request]);
  if (v !== undefined) event.request = v;
  v = str(ccv[K.accountId]) ?? str(f[K.accountId]);
  if (v !== undefined) event.accountId = v;
  // Webhooks payloads carry owner_id / authorizing_* at the top level.
  v = str(ccv[K.ownerId]) ?? str(f[K.ownerId]);
  if (v !== undefined) event.ownerId = v.toLowerCase();
  v = str(ccv[K.authorizingId]) ?? str(f[K.authorizingId]);
  if (v !== undefined) event.authorizingId = v;
  v = str(ccv[K.authorizingType]) ?? str(f[K.authorizingType]);
  if (v !== undefined) event.authorizingType = v;
  v = str(ccv[K.username]);
  if (v !== undefined) event.username = v;
  v = str(ccv[K.queueId]);
  if (v !== undefined) event.queueId = v;
  v = str(f[K.disposition]);
  if (v !== undefined) event.disposition = v;
  v = str(f[K.hangupCause]);
  if (v !== undefined) event.hangupCause = v;
  v = num(f[K.durationSeconds]);
  if (v !== undefined) event.durationSec = v;
  v = num(f[K.billingSeconds]);
  if (v !== undefined) event.billingSec = v;
  v = num(f[K.billingMilliSeconds]);
  if (v !== undefined) event.billingMs = v;
  v = num(f[K.ringingSeconds]);
  if (v !== undefined) event.ringingSec = v;
  v = str(f[K.hangupCode]);
  if (v !== undefined) event.hangupCode = v;
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
