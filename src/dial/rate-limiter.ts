// Per-key rate limiting of click-to-call (key: the agent). A small interface so cluster mode can plug a shared
// (Redis) implementation; the in-memory one is a token bucket per key, bounded in keys.
import { type Clock, systemClock } from '../clock.js';

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

export interface RateLimiter {
  /** Takes one unit for this key now, or says how long until one is available. */
  take(key: string): RateDecision | Promise<RateDecision>;
}

export interface MemoryRateLimiterOptions {
  /** Sustained rate and burst: this many per minute. */
  perMinute: number;
  clock?: Clock;
  /** Keys remembered at most (least recently used forgotten first: a forgotten key starts full). Default 10000. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MINUTE_MS = 60_000;

/** Token bucket: capacity `perMinute`, refilled continuously at `perMinute` per minute. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly clock: Clock;
  private readonly maxKeys: number;

  constructor(o: MemoryRateLimiterOptions) {
    if (!Number.isFinite(o.perMinute) || o.perMinute <= 0) throw new RangeError('perMinute must be a positive number');
    this.capacity = o.perMinute;
    this.perMs = o.perMinute / MINUTE_MS;
    this.clock = o.clock ?? systemClock;
    this.maxKeys = Math.max(1, o.maxKeys ?? 10_000);
  }

  take(key: string): RateDecision {
    const now = this.clock.now();
    const b = this.buckets.get(key);
    const tokens = b ? this.level(b, now) : this.capacity;
    if (tokens < 1) {
      if (b) this.touch(key, { tokens, at: now });
      return { ok: false, retryAfterMs: Math.max(1, Math.ceil((1 - tokens) / this.perMs)) };
    }
    this.touch(key, { tokens: tokens - 1, at: now });
    return { ok: true };
  }

  /** Keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private level(b: Bucket, now: number): number {
    return Math.min(this.capacity, b.tokens + Math.max(0, now - b.at) * this.perMs);
  }

  /** Re-inserts the key (Map order = least recently used first), dropping refilled and surplus buckets. */
  private touch(key: string, b: Bucket): void {
    this.buckets.delete(key);
    this.buckets.set(key, b);
    const now = b.at;
    for (const [k, old] of this.buckets) {
      if (k === key) break;
      // A full bucket is the same as no bucket; beyond maxKeys, the least recently used goes.
      if (this.buckets.size > this.maxKeys || this.level(old, now) >= this.capacity) this.buckets.delete(k);
      else break;
    }
  }
}
