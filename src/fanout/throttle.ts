// Per-socket throttle of client events (pure): a token bucket checked before any work is done for an event.
// An event over the bucket is dropped (its ack, if any, gets `rate_limited`); a socket that keeps sending past it
// (more than `abuseDrops` drops with no pause long enough to refill the bucket) is disconnected.

export interface ThrottleSettings {
  /** Events a socket may send at once. Default 20. */
  burst: number;
  /** Events per second refilled. Default 5. */
  perSecond: number;
  /** Drops in a row (without the bucket refilling to full) that disconnect the socket. Default 100. */
  abuseDrops: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = { burst: 20, perSecond: 5, abuseDrops: 100 };

export type ThrottleVerdict = 'ok' | 'drop' | 'disconnect';

export class TokenBucket {
  private tokens: number;
  private at: number;
  private drops = 0;

  constructor(
    private readonly s: ThrottleSettings,
    now: number,
  ) {
    this.tokens = s.burst;
    this.at = now;
  }

  /** One event at `now` (ms). */
  take(now: number): ThrottleVerdict {
    const elapsed = Math.max(0, now - this.at);
    this.at = now;
    this.tokens = Math.min(this.s.burst, this.tokens + (elapsed * this.s.perSecond) / 1000);
    if (this.tokens >= this.s.burst) this.drops = 0;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'ok';
    }
    this.drops++;
    return this.drops > this.s.abuseDrops ? 'disconnect' : 'drop';
  }
}

/** Settings with defaults, refusing nonsense (non-finite or < 1 burst, ≤ 0 rate, < 0 drops). */
export function throttleSettings(over: Partial<ThrottleSettings> = {}): ThrottleSettings {
  const s = { ...DEFAULT_THROTTLE, ...over };
  if (!Number.isFinite(s.burst) || s.burst < 1) throw new RangeError('throttle: burst must be ≥ 1');
  if (!Number.isFinite(s.perSecond) || s.perSecond <= 0) throw new RangeError('throttle: perSecond must be > 0');
  if (!Number.isFinite(s.abuseDrops) || s.abuseDrops < 0) throw new RangeError('throttle: abuseDrops must be ≥ 0');
  return s;
}
