// The daily window in which AntBot may call (§9.1 `hours`): `HH:MM-HH:MM` in the tenant's time zone, `00:00-24:00`
// = always; a window whose end is before its start runs over midnight (`20:00-08:00`). A callback due outside the
// window waits for its next opening.
import { coded } from '../shared/error-catalogue.js';
import { localTime, zonedInstant } from './zoned.js';

export interface CallingHours {
  /** As configured, e.g. `08:00-20:00`. */
  text: string;
  /** Minutes after local midnight: start inclusive, end exclusive (end 1440 = midnight). */
  startMin: number;
  endMin: number;
}

export const ALWAYS: CallingHours = { text: '00:00-24:00', startMin: 0, endMin: 1440 };
const DAY_MS = 86_400_000;

export class CallingHoursError extends coded('CALLING_HOURS_INVALID') {
  override readonly name = 'CallingHoursError';
}

/** `HH:MM-HH:MM` → the window; throws CallingHoursError saying what is expected. */
export function parseHours(raw: string): CallingHours {
  const expected = 'expected HH:MM-HH:MM (e.g. 08:00-20:00; 00:00-24:00 = always)';
  const m = typeof raw === 'string' ? /^\s*(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$/.exec(raw) : null;
  if (!m) throw new CallingHoursError(`${JSON.stringify(String(raw).slice(0, 20))}: ${expected}`);
  const [h1, m1, h2, m2] = m.slice(1).map(Number);
  const start = h1 * 60 + m1;
  const end = h2 * 60 + m2;
  const ok = (h: number, mm: number, isEnd: boolean) => mm < 60 && (h < 24 || (isEnd && h === 24 && mm === 0));
  if (!ok(h1, m1, false) || !ok(h2, m2, true))
    throw new CallingHoursError(`${m[0].trim()}: not a time of day; ${expected}`);
  if (start === end || (start === 0 && end === 0))
    throw new CallingHoursError(`${m[0].trim()}: an empty window; ${expected}`);
  const text = `${m[1]}:${m[2]}-${m[3]}:${m[4]}`;
  if (start === 0 && end === 1440) return ALWAYS;
  return { text, startMin: start, endMin: end };
}

export function isAlways(h: CallingHours): boolean {
  return h.startMin === 0 && h.endMin === 1440;
}

function inside(msOfDay: number, h: CallingHours): boolean {
  const s = h.startMin * 60_000;
  const e = h.endMin * 60_000;
  return s < e ? msOfDay >= s && msOfDay < e : msOfDay >= s || msOfDay < e;
}

/** True when `t` is inside the window (local time of `timeZone`). */
export function withinHours(t: number, h: CallingHours, timeZone: string): boolean {
  return isAlways(h) || inside(localTime(t, timeZone).msOfDay, h);
}

/** `t` when inside the window, else the window's next opening (local start time, today or tomorrow). */
export function nextOpening(t: number, h: CallingHours, timeZone: string): number {
  if (isAlways(h)) return t;
  const l = localTime(t, timeZone);
  if (inside(l.msOfDay, h)) return t;
  const startMs = h.startMin * 60_000;
  // Before today's start (either kind of window): today; after the end of a same-day window: tomorrow.
  const dayOffset = l.msOfDay < startMs ? 0 : 1;
  let at = zonedInstant(l.year, l.month, l.day + dayOffset, startMs, timeZone);
  // A DST change can land the computed start at or before t: take the next day's.
  if (at <= t) at = zonedInstant(l.year, l.month, l.day + dayOffset + 1, startMs, timeZone);
  return at <= t ? t + DAY_MS : at;
}
