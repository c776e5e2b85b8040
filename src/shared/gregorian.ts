// Kazoo timestamps are Gregorian seconds (seconds since 0000-01-01T00:00:00Z, proleptic calendar).

/** Seconds between 0000-01-01 and the Unix epoch (1970-01-01). */
export const GREGORIAN_OFFSET = 62167219200;

/** Gregorian seconds → Unix milliseconds (fractions of a second kept). 63610891956 → 2015-10-01T04:12:36Z. */
export function gregorianToUnixMs(sec: number): number {
  return Math.round((sec - GREGORIAN_OFFSET) * 1000);
}

/** Unix milliseconds → Gregorian seconds (whole seconds), for fakes and tests. */
export function unixMsToGregorian(ms: number): number {
  return Math.floor(ms / 1000) + GREGORIAN_OFFSET;
}
