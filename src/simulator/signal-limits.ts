// Kazoo 4 blackhole limits (defaults from Kazoo: 100 connections per IP and per account, a token bucket
// of 100 requests refilled at 10/s per socket). Pure logic with an injected clock.

export interface BlackholeLimits {
  /** Sockets of one account (sockets holding a binding for it). Default 100. */
  maxConnectionsPerAccount: number;
  /** Open sockets from one remote address. Default 100. */
  maxConnectionsPerIp: number;
  /** Requests a socket may send in a burst. Default 100. */
  bucketSize: number;
  /** Requests credited back per second. Default 10. */
  refillPerSec: number;
}

export const DEFAULT_BLACKHOLE_LIMITS: BlackholeLimits = {
  maxConnectionsPerAccount: 100,
  maxConnectionsPerIp: 100,
  bucketSize: 100,
  refillPerSec: 10,
};

export function blackholeLimits(partial: Partial<BlackholeLimits> | undefined): BlackholeLimits {
  const l = { ...DEFAULT_BLACKHOLE_LIMITS, ...partial };
  for (const [k, v] of Object.entries(l)) {
    if (typeof v !== 'number' || !(v >= 0)) throw new SignalLimitsError(`limit ${k} must be a number >= 0`);
  }
  return l;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly size: number,
    private readonly refillPerSec: number,
    private readonly now: () => number,
  ) {
    this.tokens = size;
    this.last = now();
  }

  /** Takes one request's worth; false when the bucket is empty. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.size, this.tokens + ((t - this.last) / 1000) * this.refillPerSec);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class SignalLimitsError extends Error {
  override readonly name = 'SignalLimitsError';
}
