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

/** When the leg started, as well as this event tells: a DESTROY carries its duration. */
export function createdAtFrom(event: LegEvent, at: number): number {
  const dur = event.name === 'CHANNEL_DESTROY' ? num(event.durationSec) : undefined;
  return dur !== undefined ? at - dur * 1000 : at;
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
  leg.callerIdName ??= str(event.callerIdName);
  leg.calleeIdNumber ??= str(event.calleeIdNumber);
  leg.calleeIdName ??= str(event.calleeIdName);
  leg.from ??= str(event.from);
  leg.to ??= str(event.to);
  leg.request ??= str(event.request);
  leg.ownerId ??= str(event.ownerId);
  leg.queueId ??= str(event.queueId);
}

export function legEndOf(event: LegEvent, at: number): LegEnd {
  const end: LegEnd = { at };
  const cause = str(event.hangupCause);
  if (cause !== undefined) end.cause = cause;
  const d = num(event.durationSec);
  if (d !== undefined) end.durationSec = d;
  const b = num(event.billingSec);
  if (b !== undefined) end.billingSec = b;
  return end;
}

/** Billing seconds > 0 on a DESTROY: the leg was answered even if its ANSWER was not seen. */
export function impliedAnswerAt(event: LegEvent, at: number): number | undefined {
  const b = num(event.billingSec);
  return b !== undefined && b > 0 ? at - b * 1000 : undefined;
}
