// Builders of Kazoo channel-event payloads, exactly as docs/call-model.md section 1 describes them:
// Title-Case keys (or snake_case, as some deployments normalise), Gregorian Timestamp, digit-string durations,
// SIP URIs `number@realm`. Plus `X-Sim-Sent-At` (unix ms when built), a non-Kazoo field the benchmark reads.
import { randomUUID, randomBytes } from 'node:crypto';

export type ChannelEventName = 'CHANNEL_CREATE' | 'CHANNEL_ANSWER' | 'CHANNEL_BRIDGE' | 'CHANNEL_DESTROY';
export type KeyStyle = 'title' | 'snake';

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

/** What stays the same across a leg's events. */
export interface LegSpec {
  callId: string;
  direction: 'inbound' | 'outbound';
  callerIdNumber: string;
  callerIdName?: string;
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
  username?: string;
  /** Agent legs rung by a queue. */
  queueId?: string;
}

/** What changes per event. */
export interface EventFields {
  otherLegCallId?: string;
  bridgeId?: string;
  /** Unix ms of the event (→ Gregorian `Timestamp`). */
  at: number;
  disposition?: string;
  hangupCause?: string;
  durationSec?: number;
  billingSec?: number;
  ringingSec?: number;
  msgId?: string;
}

const sip = (user: string, realm: string): string => `${user}@${realm}`;

/** One channel event with Title-Case keys (Kazoo's AMQP form). Absent optional fields are left out. */
export function kazooEvent(name: ChannelEventName, leg: LegSpec, f: EventFields): Record<string, unknown> {
  const ccv: Record<string, unknown> = { 'Account-ID': leg.accountId };
  if (leg.ownerId) ccv['Owner-ID'] = leg.ownerId;
  if (leg.authorizingId) {
    ccv['Authorizing-ID'] = leg.authorizingId;
    ccv['Authorizing-Type'] = 'device';
  }
  if (leg.username) ccv['Username'] = leg.username;
  ccv['Realm'] = leg.realm;
  if (leg.queueId) ccv['Queue-ID'] = leg.queueId;

  const p: Record<string, unknown> = {
    'Event-Category': 'call_event',
    'Event-Name': name,
    'Msg-ID': f.msgId ?? randomUUID(),
    'Call-ID': leg.callId,
  };
  if (f.otherLegCallId) p['Other-Leg-Call-ID'] = f.otherLegCallId;
  if (f.bridgeId) p['Bridge-ID'] = f.bridgeId;
  Object.assign(p, {
    'Call-Direction': leg.direction,
    'Caller-ID-Name': leg.callerIdName ?? leg.callerIdNumber,
    'Caller-ID-Number': leg.callerIdNumber,
    'Callee-ID-Name': leg.calleeIdName ?? '',
    'Callee-ID-Number': leg.calleeIdNumber,
    From: sip(leg.from, leg.realm),
    To: sip(leg.to, leg.realm),
    Request: sip(leg.request, leg.realm),
    'Custom-Channel-Vars': ccv,
    Timestamp: toGregorian(f.at),
  });
  if (f.disposition) p['Disposition'] = f.disposition;
  if (name === 'CHANNEL_DESTROY') {
    p['Hangup-Cause'] = f.hangupCause ?? 'NORMAL_CLEARING';
    p['Duration-Seconds'] = String(Math.max(0, Math.round(f.durationSec ?? 0)));
    p['Billing-Seconds'] = String(Math.max(0, Math.round(f.billingSec ?? 0)));
    p['Ringing-Seconds'] = String(Math.max(0, Math.round(f.ringingSec ?? 0)));
  }
  p['X-Sim-Sent-At'] = Date.now();
  return p;
}

/** `Other-Leg-Call-ID` → `other_leg_call_id`, `Custom-Channel-Vars.Owner-ID` → `custom_channel_vars.owner_id`. */
export function snakeKey(key: string): string {
  return key.replace(/-/g, '_').toLowerCase();
}

/** The same payload with snake_case keys, nested objects included. `X-Sim-Sent-At` is kept as is. */
export function toSnakeCase(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    const key = k === 'X-Sim-Sent-At' ? k : snakeKey(k);
    out[key] = v && typeof v === 'object' && !Array.isArray(v) ? toSnakeCase(v as Record<string, unknown>) : v;
  }
  return out;
}

export function buildEvent(
  name: ChannelEventName,
  leg: LegSpec,
  f: EventFields,
  style: KeyStyle = 'title',
): Record<string, unknown> {
  const p = kazooEvent(name, leg, f);
  return style === 'snake' ? toSnakeCase(p) : p;
}
