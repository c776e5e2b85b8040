// Wall-clock time in an IANA time zone through Intl (no dependency): the local date and time of an instant, the
// instant of a local date and time, the local calendar day. Formatters are cached per zone.

export interface LocalTime {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Milliseconds since local midnight. */
  msOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size > 64) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for a time zone Intl knows (`Asia/Ho_Chi_Minh`, `UTC`, …). */
export function isTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone === '' || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local date and time of `ms` in `timeZone` (which must be valid: see isTimeZone). */
export function localTime(ms: number, timeZone: string): LocalTime {
  const v: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms)))
    if (p.type !== 'literal') v[p.type] = Number(p.value);
  const hour = v.hour === 24 ? 0 : v.hour;
  const millis = ((ms % 1000) + 1000) % 1000;
  return {
    year: v.year,
    month: v.month,
    day: v.day,
    hour,
    minute: v.minute,
    second: v.second,
    msOfDay: ((hour * 60 + v.minute) * 60 + v.second) * 1000 + millis,
  };
}

/** Local minus UTC at `ms`, in ms (Asia/Ho_Chi_Minh: +7 h). */
function offsetAt(ms: number, timeZone: string): number {
  const l = localTime(ms, timeZone);
  return Date.UTC(l.year, l.month - 1, l.day) + l.msOfDay - ms;
}

/**
 * The instant at which the local clock of `timeZone` shows `msOfDay` on the given day (month 1–12; day may overflow
 * into the next month). A local time skipped by a DST change moves on by the gap (02:30 → 03:30, as Temporal's
 * "compatible"); a repeated one is its earlier instant.
 */
export function zonedInstant(year: number, month: number, day: number, msOfDay: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day) + msOfDay;
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return Math.max(first, second);
}

/** `YYYY-MM-DD`: the local calendar day of `ms`. */
export function localDay(ms: number, timeZone: string): string {
  const l = localTime(ms, timeZone);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}

/** `HH:mm` local. */
export function localHHmm(ms: number, timeZone: string): string {
  const l = localTime(ms, timeZone);
  return `${String(l.hour).padStart(2, '0')}:${String(l.minute).padStart(2, '0')}`;
}
