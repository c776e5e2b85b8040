// The retry schedule of bridge-contract §7.2: after failed attempt n the next comes after about 1 s, 5 s, 30 s,
// 2 min, 10 min, 30 min, 1 h, then every hour, ±20 % jitter, until the delivery is older than the maximum age.
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  1_000, 5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000,
];
export const DEFAULT_JITTER = 0.2;

export interface RetrySchedule {
  /** Delays after attempts 1, 2, …; the last one repeats. */
  delaysMs: readonly number[];
  /** 0..1: each delay is multiplied by a factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
  /** A delivery older than this (since accepted) is given up. */
  maxAgeMs: number;
  random: () => number;
}

/** The delay before the attempt after `attempts` failed ones, or undefined when the delivery must be given up. */
export function nextDelayMs(s: RetrySchedule, attempts: number, ageMs: number): number | undefined {
  if (s.delaysMs.length === 0) return undefined;
  const base = s.delaysMs[Math.min(Math.max(1, attempts), s.delaysMs.length) - 1];
  const j = Math.min(1, Math.max(0, s.jitter));
  const delay = Math.max(0, Math.round(base * (1 - j + 2 * j * s.random())));
  if (ageMs + delay > s.maxAgeMs) return undefined;
  return delay;
}
