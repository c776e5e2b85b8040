// The recovery of a missed customer (contract §9.2), as pure transitions: each takes a recovery (or none) and a
// fact, and returns the next recovery, or says why nothing changes. No I/O: the caller persists the result (the
// durable outbox) before it acts on it (creates the AntBot event and alarm, reads the report).
//
//   missed call ──▶ open ──(due, inside hours)──▶ scheduled ──(report: not answered/busy/failed)──▶ scheduled (dueAt)
//                    │                               │  ╰─(maxAttempts reached)──▶ unreached
//                    ╰─(person answers)──▶ recovered ◀╯ (person answers; the callback answered by an agent)
import { type CallbacksOn, type CallbacksSettings, transferNumberFor } from './config.js';
import { nextOpening, withinHours } from './hours.js';
import { dialledInVietnam, recoveryNumber, sameTarget } from './numbers.js';
import type { AttemptResult, MissedCall, RecoveredBy, Recovery } from './types.js';

/** An inbound call to the transfer number within this long of the alarm is AntBot's callback (§9.2). */
export const CALLBACK_WINDOW_MS = 15 * 60_000;
/** Call times come in whole seconds (Kazoo) and from other clocks than the bridge's: the window opens this early. */
export const CALLBACK_SLACK_MS = 2_000;

export function isActive(r: Recovery | undefined): r is Recovery & { status: 'open' | 'scheduled' } {
  return r !== undefined && (r.status === 'open' || r.status === 'scheduled');
}

export interface MissedCallInput extends MissedCall {
  tenant: string;
  /** The caller's number as the call carries it. */
  from: string;
  /** The number is on the tenant's AntBot do-not-call list. */
  onDnc: boolean;
}

export type MissedResult =
  | { kind: 'opened' | 'joined'; recovery: Recovery }
  | { kind: 'ignored'; reason: 'not_customer' | 'dnc' | 'duplicate' };

/**
 * A call that ended missed or abandoned, inbound (the caller checks direction and outcome). `current`: the tenant's
 * recovery for this number, if any. One active recovery per tenant and number: a second missed call joins it (its
 * due time stays: the first miss started the clock); after recovered or unreached a new one opens.
 */
export function missedCall(current: Recovery | undefined, call: MissedCallInput, cfg: CallbacksSettings): MissedResult {
  const number = recoveryNumber(call.from);
  if (number === null) return { kind: 'ignored', reason: 'not_customer' };
  if (call.onDnc) return { kind: 'ignored', reason: 'dnc' };
  const missed: MissedCall = { callId: call.callId, startedAt: call.startedAt, endedAt: call.endedAt };
  if (call.queueId !== undefined) missed.queueId = call.queueId;
  if (isActive(current) && current.tenant === call.tenant && current.number === number) {
    if (current.missed.some((m) => m.callId === call.callId)) return { kind: 'ignored', reason: 'duplicate' };
    const all = [...current.missed, missed].sort((a, b) => a.startedAt - b.startedAt);
    return { kind: 'joined', recovery: { ...current, missed: all } };
  }
  return {
    kind: 'opened',
    recovery: {
      id: call.callId,
      tenant: call.tenant,
      number,
      dial: dialledInVietnam(number),
      status: 'open',
      missed: [missed],
      openedAt: call.endedAt,
      dueAt: nextOpening(call.endedAt + cfg.delaySec * 1000, cfg.hours, cfg.timeZone),
      attempts: 0,
    },
  };
}

/** A call answered by a person (an agent on an inbound call, the customer on an outbound one). */
export interface ReachedInput {
  callId: string;
  direction: 'inbound' | 'outbound';
  /** The customer's number: the caller of an inbound call, the callee of an outbound one. */
  number: string;
  /** Inbound: the numbers it was made to (`to`, the DID), to recognise AntBot's callback. */
  dialled?: string[];
  /** When it started ringing (unix ms). */
  startedAt: number;
  answeredAt: number;
}

/** True when this call to the number is AntBot's callback: inbound, to the transfer number, within the window. */
export function isCallbackCall(
  r: Recovery,
  call: Pick<ReachedInput, 'direction' | 'number' | 'dialled' | 'startedAt'>,
): boolean {
  const a = r.attempt;
  if (!a || call.direction !== 'inbound' || recoveryNumber(call.number) !== r.number) return false;
  if (call.startedAt < a.at - CALLBACK_SLACK_MS || call.startedAt > a.at + CALLBACK_WINDOW_MS) return false;
  return (call.dialled ?? []).some((d) => sameTarget(d, a.transferTo));
}

/** The number was reached by a person before AntBot recovered it, or by AntBot's callback: → recovered. */
export function personReached(r: Recovery, call: ReachedInput): Recovery | undefined {
  if (!isActive(r) || recoveryNumber(call.number) !== r.number) return undefined;
  if (r.missed.some((m) => m.callId === call.callId)) return undefined;
  const by: RecoveredBy = isCallbackCall(r, call) ? 'callback' : call.direction;
  const next: Recovery = {
    ...r,
    status: 'recovered',
    by,
    recoveredAt: call.answeredAt,
    recoveredCallId: call.callId,
    closedAt: call.answeredAt,
  };
  delete next.dueAt;
  if (next.attempt) {
    next.attempt = { ...next.attempt };
    delete next.attempt.reportAt;
  }
  return next;
}

export type DueResult =
  | { kind: 'call'; recovery: Recovery }
  | { kind: 'wait'; recovery: Recovery }
  | { kind: 'not_due'; at?: number };

/**
 * Time passes: an open recovery (or a scheduled one between attempts) whose due time has come. Inside the calling
 * hours → the next attempt (`scheduled`, attempts + 1, its time = now): the caller creates the event and the alarm
 * (callbackRequests) and reads the report from `attempt.reportAt`. Outside them → due at the next opening.
 */
export function due(r: Recovery, now: number, cfg: CallbacksOn): DueResult {
  const waiting = r.status === 'open' || (r.status === 'scheduled' && r.attempt?.result !== undefined);
  if (!waiting || r.dueAt === undefined) return { kind: 'not_due' };
  if (now < r.dueAt) return { kind: 'not_due', at: r.dueAt };
  if (!withinHours(now, cfg.hours, cfg.timeZone))
    return { kind: 'wait', recovery: { ...r, dueAt: nextOpening(now, cfg.hours, cfg.timeZone) } };
  const n = r.attempts + 1;
  const next: Recovery = {
    ...r,
    status: 'scheduled',
    attempts: n,
    attempt: {
      n,
      at: now,
      transferTo: transferNumberFor(cfg.transferTo, r.missed[0]?.queueId),
      reportAt: now + cfg.delaySec * 1000,
    },
  };
  delete next.dueAt;
  return { kind: 'call', recovery: next };
}

/** AntBot answered the event and alarm creation of the current attempt. */
export function attemptCreated(r: Recovery, ids: { eventId?: number | string; alarmId?: number | string }): Recovery {
  if (!r.attempt) return r;
  const attempt = { ...r.attempt };
  if (ids.eventId !== undefined) attempt.eventId = ids.eventId;
  if (ids.alarmId !== undefined) attempt.alarmId = ids.alarmId;
  return { ...r, attempt };
}

/** The current attempt did not reach the customer: another after delaySec (inside hours), or `unreached`. */
export function attemptFailed(r: Recovery, result: AttemptResult, now: number, cfg: CallbacksSettings): Recovery {
  const attempt = { ...r.attempt!, result };
  delete attempt.reportAt;
  delete attempt.reportAnswered;
  if (r.attempts >= cfg.maxAttempts) {
    const next: Recovery = { ...r, attempt, status: 'unreached', closedAt: now };
    delete next.dueAt;
    return next;
  }
  return { ...r, attempt, dueAt: nextOpening(now + cfg.delaySec * 1000, cfg.hours, cfg.timeZone) };
}

/** When something next happens to this recovery by itself (due, a report to read), or undefined. */
export function nextWakeAt(r: Recovery): number | undefined {
  if (!isActive(r)) return undefined;
  const at = [r.dueAt, r.attempt?.reportAt].filter((v): v is number => v !== undefined);
  return at.length ? Math.min(...at) : undefined;
}
