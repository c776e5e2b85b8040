// What clients see of recoveries (§9.3): the `recovery` field of a missed call's later views, the `recovers` /
// `callback` fields of a call from or to a recovering number, and the dashboard's recovery figures.
import { isActive, isCallbackCall, type ReachedInput } from './model.js';
import { recoveryNumber } from './numbers.js';
import type { RecoversFields, Recovery, RecoveryFigures, RecoveryView } from './types.js';
import { localDay } from './zoned.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** `recovery` on the views of each of the recovery's missed calls. */
export function recoveryView(r: Recovery): RecoveryView {
  const v: RecoveryView = { status: r.status, attempts: r.attempts };
  if (r.by !== undefined) v.by = r.by;
  if (r.recoveredAt !== undefined) v.recoveredAt = iso(r.recoveredAt);
  if (r.recoveredCallId !== undefined) v.recoveredCallId = r.recoveredCallId;
  if (isActive(r) && r.dueAt !== undefined) v.dueAt = iso(r.dueAt);
  return v;
}

/**
 * `recovers` / `callback` for a call (from its first view): the missed calls of the number's active recovery, or,
 * once this call recovered them, of the recovery it closed (its later views keep them). Empty for the missed calls
 * themselves and for calls with no recovering number.
 */
export function recoversFields(
  recoveries: Iterable<Recovery>,
  call: Pick<ReachedInput, 'callId' | 'direction' | 'number' | 'dialled' | 'startedAt'>,
): RecoversFields {
  const number = recoveryNumber(call.number);
  if (number === null) return {};
  for (const r of recoveries) {
    if (r.number !== number || r.missed.some((m) => m.callId === call.callId)) continue;
    if (!isActive(r) && r.recoveredCallId !== call.callId) continue;
    const f: RecoversFields = { recovers: r.missed.map((m) => m.callId) };
    if (r.recoveredCallId === call.callId ? r.by === 'callback' : isCallbackCall(r, call)) f.callback = true;
    return f;
  }
  return {};
}

/** Median of (recovered − opened) in minutes, one decimal; null for none. */
function medianMinutes(ms: number[]): number | null {
  if (ms.length === 0) return null;
  const s = [...ms].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const m = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return Math.round(m / 6000) / 10;
}

/**
 * The dashboard's `recovery` (today = the tenant's calendar day of `now`): missed calls that ended today, the
 * recoveries recovered and unreached today, open and scheduled now, the median time to recover of today's recovered.
 * The caller passes the recoveries in the reader's scope (the tenant's, or the queues of a supervisor).
 */
export function recoveryFigures(recoveries: Iterable<Recovery>, now: number, timeZone: string): RecoveryFigures {
  const today = localDay(now, timeZone);
  const isToday = (t: number | undefined) => t !== undefined && localDay(t, timeZone) === today;
  const f: RecoveryFigures = {
    missedToday: 0,
    recovered: 0,
    open: 0,
    scheduled: 0,
    unreached: 0,
    medianMinutesToRecover: null,
  };
  const toRecover: number[] = [];
  for (const r of recoveries) {
    f.missedToday += r.missed.filter((m) => isToday(m.endedAt)).length;
    if (r.status === 'open') f.open++;
    else if (r.status === 'scheduled') f.scheduled++;
    else if (r.status === 'unreached' && isToday(r.closedAt)) f.unreached++;
    else if (r.status === 'recovered' && isToday(r.recoveredAt)) {
      f.recovered++;
      toRecover.push(r.recoveredAt! - r.openedAt);
    }
  }
  f.medianMinutesToRecover = medianMinutes(toRecover);
  return f;
}
