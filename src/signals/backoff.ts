// Capped exponential backoff with full jitter: delay = random() × min(maxMs, baseMs × 2^attempt).

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/** The upper bound of the delay for this attempt (0-based). */
export function backoffCeiling(attempt: number, opts: BackoffOptions): number {
  const n = Math.max(0, Math.min(Math.floor(attempt), 52));
  return Math.max(0, Math.min(opts.maxMs, opts.baseMs * 2 ** n));
}

/** Full jitter: uniform in [0, ceiling). `random` is injectable (tests); out-of-range values are clamped. */
export function fullJitterDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  let r = random();
  if (!Number.isFinite(r) || r < 0) r = 0;
  if (r >= 1) r = 0.999_999;
  return Math.floor(r * backoffCeiling(attempt, opts));
}

/** Attempt counter + delays; reset() once the connection is healthy again. */
export class Backoff {
  private n = 0;
  constructor(
    private readonly opts: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts made since the last reset. */
  get attempt(): number {
    return this.n;
  }

  next(): number {
    const delay = fullJitterDelay(this.n, this.opts, this.random);
    this.n += 1;
    return delay;
  }

  reset(): void {
    this.n = 0;
  }
}
