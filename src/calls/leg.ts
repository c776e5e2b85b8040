// One Kazoo channel (leg) as the engine remembers it.
import type { AgentRef } from '../contract.js';
import type { LegEvent } from '../signals/types.js';

export interface LegEnd {
  at: number;
  cause?: string;
  durationSec?: number;
  billingSec?: number;
}

export interface Leg {
  readonly id: string;
  /** false for a leg only known because another leg's CREATE pointed at it (its own events not seen yet). */
  seen: boolean;
  createdAt: number;
  direction?: 'inbound' | 'outbound';
  callerIdNumber?: string;
  callerIdName?: string;
  calleeIdNumber?: string;
  calleeIdName?: string;
  from?: string;
  to?: string;
  request?: string;
  ownerId?: string;
  queueId?: string;
  authorizingType?: string;
  /** CCV `Username` (the SIP user): a caller name equal to it says nothing. */
  username?: string;
  otherLegCallerIdNumber?: string;
  otherLegDestinationNumber?: string;
  /** The leg its first event pointed at (Other-Leg-Call-ID of its CREATE). */
  parentId?: string;
  /** Click-to-call (Kazoo `Authorizing-Type: clicktocall`, a `c2c-` Call-ID, or placed by the bridge); decided once. */
  clickToCall?: boolean;
  /** Joined a customer's call at CREATE without a link (same caller number); a later explicit link settles it. */
  provisional?: boolean;
  /** Set once the Owner-ID maps to an agent of the directory. */
  agent?: AgentRef;
  answeredAt?: number;
  end?: LegEnd;
}

export function placeholderLeg(id: string, at: number): Leg {
  return { id, seen: false, createdAt: at };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** When the leg started, as well as this event tells: `Channel-Created-Time`, else a DESTROY's duration. */
export function createdAtFrom(event: LegEvent, at: number): number {
  const created = num(event.createdAt);
  if (created !== undefined && created <= at) return created;
  const dur = event.name === 'CHANNEL_DESTROY' ? num(event.durationSec) : undefined;
  return dur !== undefined ? at - dur * 1000 : at;
}

const SIP_USER_NAME = /^user_[a-z0-9]+$/i;
const NO_NAME = /^(anonymous|unknown|unavailable|restricted)$/i;

/** A caller name that tells nothing a number does not: absent, the number itself, a SIP user name. */
export function poorName(name: string | undefined, leg: Leg): boolean {
  if (name === undefined || name.trim() === '') return true;
  const n = name.trim();
  return n === leg.callerIdNumber || n === leg.from || n === leg.username || SIP_USER_NAME.test(n) || NO_NAME.test(n);
}

/**
 * Fills the leg's identity fields that are still unknown. Fields already known are kept: Kazoo rewrites
 * caller/callee ids on BRIDGE, and the view must not change because of it.
 */
export function fillLeg(leg: Leg, event: LegEvent): void {
  if (leg.direction === undefined && (event.direction === 'inbound' || event.direction === 'outbound')) {
    leg.direction = event.direction;
  }
  leg.callerIdNumber ??= str(event.callerIdNumber);
  leg.username ??= str(event.username);
  leg.from ??= str(event.from);
  // Numbers once known stay; a name that says nothing gives way to a real caller-ID name seen later.
  const name = str(event.callerIdName);
  if (name !== undefined && poorName(leg.callerIdName, leg) && !poorName(name, leg)) leg.callerIdName = name;
  else leg.callerIdName ??= name;
  leg.calleeIdNumber ??= str(event.calleeIdNumber);
  leg.calleeIdName ??= str(event.calleeIdName);
  leg.to ??= str(event.to);
  leg.request ??= str(event.request);
  leg.ownerId ??= str(event.ownerId);
  leg.queueId ??= str(event.queueId);
  leg.authorizingType ??= str(event.authorizingType);
  leg.otherLegCallerIdNumber ??= str(event.otherLegCallerIdNumber);
  leg.otherLegDestinationNumber ??= str(event.otherLegDestinationNumber);
}

/** SIP codes behind a missing Hangup-Cause (`Hangup-Code: sip:486`). */
const SIP_CAUSES: Record<string, string> = {
  '486': 'USER_BUSY',
  '600': 'USER_BUSY',
  '603': 'CALL_REJECTED',
  '480': 'NO_ANSWER',
  '408': 'NO_ANSWER',
  '404': 'UNALLOCATED_NUMBER',
  '487': 'ORIGINATOR_CANCEL',
};

function causeOf(event: LegEvent): string | undefined {
  const cause = str(event.hangupCause);
  if (cause !== undefined) return cause;
  const m = /^(?:sip:)?(\d{3})$/i.exec(str(event.hangupCode) ?? '');
  return m ? SIP_CAUSES[m[1]] : undefined;
}

/** Billed seconds: `Billing-Seconds`, else `Billing-Milli-Seconds` rounded up. */
function billedSec(event: LegEvent): number | undefined {
  const b = num(event.billingSec);
  if (b !== undefined) return b;
  const ms = num(event.billingMs);
  return ms !== undefined ? Math.ceil(ms / 1000) : undefined;
}

export function legEndOf(event: LegEvent, at: number): LegEnd {
  const end: LegEnd = { at };
  const cause = causeOf(event);
  if (cause !== undefined) end.cause = cause;
  const d = num(event.durationSec);
  if (d !== undefined) end.durationSec = d;
  const b = billedSec(event);
  if (b !== undefined) end.billingSec = b;
  return end;
}

/** Billing seconds > 0 on a DESTROY: the leg was answered even if its ANSWER was not seen. */
export function impliedAnswerAt(event: LegEvent, at: number): number | undefined {
  const b = billedSec(event);
  return b !== undefined && b > 0 ? at - b * 1000 : undefined;
}
