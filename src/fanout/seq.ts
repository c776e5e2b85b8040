// Per-call message sequence numbers: 1, 2, 3… per callId, shared by every audience of the call.
// An interface so cluster mode can use a Redis INCR; the memory implementation bounds its memory.
import type { Audience } from '../calls/types.js';
import type { CallView } from '../contract.js';
import type { LiveCallStore } from './live-calls.js';
import type { MaybePromise } from './types.js';

export interface SeqSource {
  next(callId: string): MaybePromise<number>;
  /**
   * Optional: the next seq and `live.set(key, view, audience)` in one step (cluster mode: one Redis script instead of
   * two round trips), `draft` being the view with its id and seq still to come. Resolves with the seq; returns
   * undefined when this source cannot write that store (the publisher then calls next() and live.set()).
   */
  nextStored?(
    callId: string,
    live: LiveCallStore,
    key: string,
    audience: Audience,
    draft: CallView,
  ): Promise<number> | undefined;
  /** The call ended: its counter may be dropped after a grace period (late updates still get higher seqs). */
  forget?(callId: string): MaybePromise<void>;
}

export interface MemorySeqSourceOptions {
  /** How long the counter of a forgotten (ended) call is kept; default 10 minutes. */
  graceMs?: number;
  /** At most this many counters; the least recently used are dropped beyond it. Default 100 000. */
  maxCalls?: number;
  /** Unix milliseconds; default Date.now. */
  now?: () => number;
}

export class MemorySeqSource implements SeqSource {
  /** callId → last seq; Map order = least recently used first. */
  private readonly counters = new Map<string, number>();
  /** callId → when it was forgotten; Map order = forgetting order. */
  private readonly forgotten = new Map<string, number>();
  private readonly graceMs: number;
  private readonly maxCalls: number;
  private readonly now: () => number;

  constructor(o: MemorySeqSourceOptions = {}) {
    this.graceMs = o.graceMs ?? 600_000;
    this.maxCalls = Math.max(1, o.maxCalls ?? 100_000);
    this.now = o.now ?? Date.now;
  }

  next(callId: string): number {
    this.prune();
    const n = (this.counters.get(callId) ?? 0) + 1;
    this.counters.delete(callId);
    this.counters.set(callId, n);
    while (this.counters.size > this.maxCalls) {
      const oldest = this.counters.keys().next().value as string;
      this.counters.delete(oldest);
      this.forgotten.delete(oldest);
    }
    return n;
  }

  forget(callId: string): void {
    if (!this.counters.has(callId)) return;
    this.forgotten.delete(callId);
    this.forgotten.set(callId, this.now());
    this.prune();
  }

  /** Counters held (for tests and metrics). */
  get size(): number {
    return this.counters.size;
  }

  private prune(): void {
    const limit = this.now() - this.graceMs;
    for (const [callId, at] of this.forgotten) {
      if (at > limit) break;
      this.forgotten.delete(callId);
      this.counters.delete(callId);
    }
  }
}
