// Builders of Kazoo channel-event payloads, in the shapes Kazoo itself sends (docs/call-model.md section 1):
// Title-Case keys (ecallmgr's AMQP form), snake_case (blackhole's kz_json:normalize_jobj output, bh_events.erl) or
// the webhooks app's channel payload (webhooks_channel_util.erl: snake_case, top-level owner_id, hook_event).
// Per mod_kazoo's definitions (applications/ecallmgr/priv/mod_kazoo/definitions/*.xml): Msg-ID is the event's
// Event-Date-Timestamp (a microsecond string, msg-id.xml, so two events can share one), Channel-Created-Time is a
// microsecond string (call_event_headers.xml), durations are numbers (call-duration.xml; older ecallmgr: digit
// strings), Hangup-Code `sip:<code>` (hangup-code.xml), Other-Leg-* (other-leg.xml). Gregorian `Timestamp`,
// SIP URIs `number@realm`. Plus `X-Sim-Sent-At` (unix ms when built), a non-Kazoo field the benchmark reads.
import { randomBytes } from 'node:crypto';
import type { ChannelEventName } from '../shared/channel-events.js';

export type { ChannelEventName };
export const KEY_STYLES = ['title', 'snake', 'webhooks'] as const;
export type KeyStyle = (typeof KEY_STYLES)[number];

/** Seconds between 0000-01-01 (Kazoo's Gregorian epoch) and 1970-01-01. */
export const GREGORIAN_OFFSET_S = 62167219200;

export const toGregorian = (unixMs: number): number => Math.floor(unixMs / 1000) + GREGORIAN_OFFSET_S;
export const fromGregorian = (greg: number): number => (greg - GREGORIAN_OFFSET_S) * 1000;

/** A Kazoo-looking leg id: 20 lowercase letters and digits, e.g. `at6dmu4ffk97vnlp6qfq`. */
export function newLegId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(20);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

let lastMicros = 0;
/**
 * Kazoo's Msg-ID: the event's microsecond timestamp (`Event-Date-Timestamp`) as a digit string. Rising within this
 * process, so two events share one only when a caller passes the same id on purpose (as the switch sometimes does).
 */
export function microsMsgId(unixMs: number): string {
  lastMicros = Math.max(lastMicros + 1, Math.floor(unixMs) * 1000);
  return String(lastMicros);
}

/** What stays the same across a leg's events. */
export interface LegSpec {
  callId: string;
  direction: 'inbound' | 'outbound';
  callerIdNumber: string;
  callerIdName?: string;
  /** Caller-ID-Name on CHANNEL_CREATE only (a SIP user name, or ''); later events carry callerIdName. */
  createCallerIdName?: string;
  calleeIdNumber: string;
  calleeIdName?: string;
  /** User parts of the SIP URIs (`@realm` is appended). */
  from: string;
  to: string;
  request: string;
  accountId: string;
  realm: string;
  /** Agent legs only: the device's owner (agents API `anttel.userId`). */
  ownerId?: string;
  /** Device legs: the Kazoo device id and SIP username. */
  authorizingId?: string;
  /** Default `device` when authorizingId is set (click-to-call: `clicktocall`). */
  authorizingType?: string;
  username?: string;
  /** Agent legs rung by a queue. */
  queueId?: string;
  /** More Custom-Channel-Vars (click-to-call's Loopback-Request-URI, Retain-CID…). */
  ccv?: Record<string, string | boolean>;
}

/** The leg at the other end, as Kazoo copies it onto an event (other-leg.xml). */
export interface OtherLegInfo {
  direction: string;
  callerIdName: string;
  callerIdNumber: string;
  destinationNumber: string;
}

/** What changes per event. */
export interface EventFields {
  otherLegCallId?: string;
  bridgeId?: string;
  /** Bridge-ID inside Custom-Channel-Vars (where Kazoo keeps it) instead of at the top level. */
  bridgeIdInCcv?: boolean;
  /** FreeSWITCH's Bridge-B-Unique-ID on a BRIDGE: the other leg's id. */
  bridgeBUniqueId?: string;
  otherLeg?: OtherLegInfo;
  /** Unix ms of the event (→ Gregorian `Timestamp`, and Msg-ID unless given). */
  at: number;
  /** Unix ms the leg was created (→ `Channel-Created-Time`, microseconds). */
  createdAt?: number;
  disposition?: string;
  hangupCause?: string;
  durationSec?: number;
  billingSec?: number;
  /** Billed ms (→ `Billing-Milli-Seconds`); default billingSec × 1000. */
  billingMs?: number;
  ringingSec?: number;
  msgId?: string;
}

/** How numbers are written: mod_kazoo serializes durations as numbers, older ecallmgr as digit strings. */
export interface PayloadOptions {
  numbers?: 'string' | 'number';
}

const sip = (user: string, realm: string): string => `${user}@${realm}`;

/** proto_specific_hangup_cause as FreeSWITCH reports it for the causes the scenarios use. */
export function hangupCodeOf(cause: string, answered: boolean): string | undefined {
  const codes: Record<string, string> = {
    NORMAL_CLEARING: answered ? 'sip:200' : 'sip:487',
    USER_BUSY: 'sip:486',
    NO_ANSWER: 'sip:480',
    ORIGINATOR_CANCEL: 'sip:487',
    LOSE_RACE: 'sip:487',
    UNALLOCATED_NUMBER: 'sip:404',
    CALL_REJECTED: 'sip:603',
    NO_USER_RESPONSE: 'sip:408',
  };
  return codes[cause];
}

/** One channel event with Title-Case keys (Kazoo's AMQP form). Absent optional fields are left out. */
export function kazooEvent(
  name: ChannelEventName,
  leg: LegSpec,
  f: EventFields,
  o: PayloadOptions = {},
): Record<string, unknown> {
  const num = (n: number | undefined): number | string => {
    const v = Math.max(0, Math.round(n ?? 0));
    return o.numbers === 'number' ? v : String(v);
  };
  const ccv: Record<string, unknown> = { 'Account-ID': leg.accountId };
  if (leg.ownerId) ccv['Owner-ID'] = leg.ownerId;
  if (leg.authorizingId) {
    ccv['Authorizing-ID'] = leg.authorizingId;
    ccv['Authorizing-Type'] = leg.authorizingType ?? 'device';
  }
  if (leg.username) ccv.Username = leg.username;
  ccv.Realm = leg.realm;
  if (leg.queueId) ccv['Queue-ID'] = leg.queueId;
  if (leg.ccv) Object.assign(ccv, leg.ccv);
  if (f.bridgeId && f.bridgeIdInCcv) ccv['Bridge-ID'] = f.bridgeId;

  const p: Record<string, unknown> = {
    'Event-Category': 'call_event',
    'Event-Name': name,
    'Msg-ID': f.msgId ?? microsMsgId(f.at),
    'Call-ID': leg.callId,
  };
  if (f.otherLegCallId) p['Other-Leg-Call-ID'] = f.otherLegCallId;
  if (f.otherLeg) {
    p['Other-Leg-Direction'] = f.otherLeg.direction;
    p['Other-Leg-Caller-ID-Name'] = f.otherLeg.callerIdName;
    p['Other-Leg-Caller-ID-Number'] = f.otherLeg.callerIdNumber;
    p['Other-Leg-Destination-Number'] = f.otherLeg.destinationNumber;
  }
  if (f.bridgeId && !f.bridgeIdInCcv) p['Bridge-ID'] = f.bridgeId;
  if (f.bridgeBUniqueId) p['Bridge-B-Unique-ID'] = f.bridgeBUniqueId;
  const callerName =
    name === 'CHANNEL_CREATE' && leg.createCallerIdName !== undefined
      ? leg.createCallerIdName
      : (leg.callerIdName ?? leg.callerIdNumber);
  Object.assign(p, {
    'Call-Direction': leg.direction,
    'Caller-ID-Name': callerName,
    'Caller-ID-Number': leg.callerIdNumber,
    'Callee-ID-Name': leg.calleeIdName ?? '',
    'Callee-ID-Number': leg.calleeIdNumber,
    From: sip(leg.from, leg.realm),
    To: sip(leg.to, leg.realm),
    Request: sip(leg.request, leg.realm),
    'Custom-Channel-Vars': ccv,
    Timestamp: toGregorian(f.at),
  });
  if (f.createdAt !== undefined) p['Channel-Created-Time'] = String(Math.floor(f.createdAt) * 1000);
  if (f.disposition) p.Disposition = f.disposition;
  if (name === 'CHANNEL_DESTROY') {
    const cause = f.hangupCause ?? 'NORMAL_CLEARING';
    p['Hangup-Cause'] = cause;
    const code = hangupCodeOf(cause, (f.billingSec ?? 0) > 0 || f.disposition === 'ANSWER');
    if (code) p['Hangup-Code'] = code;
    p['Duration-Seconds'] = num(f.durationSec);
    p['Billing-Seconds'] = num(f.billingSec);
    p['Billing-Milli-Seconds'] = num(f.billingMs ?? (f.billingSec ?? 0) * 1000);
    p['Ringing-Seconds'] = num(f.ringingSec);
  }
  p['X-Sim-Sent-At'] = Date.now();
  return p;
}

/** `Other-Leg-Call-ID` → `other_leg_call_id`, `Custom-Channel-Vars.Owner-ID` → `custom_channel_vars.owner_id`. */
export function snakeKey(key: string): string {
  return key.replace(/-/g, '_').toLowerCase();
}

/** The same payload with snake_case keys, nested objects included (kz_json:normalize_jobj). `X-Sim-Sent-At` is kept. */
export function toSnakeCase(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    const key = k === 'X-Sim-Sent-At' ? k : snakeKey(k);
    out[key] = v && typeof v === 'object' && !Array.isArray(v) ? toSnakeCase(v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * The webhooks app's channel payload (webhooks_channel_util.erl base_hook_event): snake_case, `hook_event`
 * (`channel_create`…), account_id, owner_id, authorizing_* and timestamp at the top level, no event_name / msg_id;
 * custom_channel_vars keeps the other vars (Queue-ID, Bridge-ID…).
 */
export function toWebhooks(payload: Record<string, unknown>): Record<string, unknown> {
  const s = toSnakeCase(payload);
  const ccv = { ...((s.custom_channel_vars as Record<string, unknown> | undefined) ?? {}) };
  const top: Record<string, unknown> = {
    hook_event: String(s.event_name)
      .replace(/^CHANNEL_/, 'channel_')
      .toLowerCase(),
    account_id: ccv.account_id,
  };
  for (const k of ['owner_id', 'authorizing_id', 'authorizing_type'] as const) {
    if (ccv[k] !== undefined) top[k] = ccv[k];
    delete ccv[k];
  }
  delete ccv.account_id;
  delete s.event_category;
  delete s.event_name;
  delete s.msg_id;
  delete s.custom_channel_vars;
  return { ...top, ...s, is_internal_leg: false, custom_channel_vars: ccv };
}

export function buildEvent(
  name: ChannelEventName,
  leg: LegSpec,
  f: EventFields,
  style: KeyStyle = 'title',
  o: PayloadOptions = {},
): Record<string, unknown> {
  const p = kazooEvent(name, leg, f, o);
  return style === 'snake' ? toSnakeCase(p) : style === 'webhooks' ? toWebhooks(p) : p;
}
