// Click-to-call idempotency: the same agent dialling the same number again within a window dials once. A small
// interface so cluster mode can plug a shared (Redis: SET NX PX) implementation; the in-memory one is bounded.
import { type Clock, systemClock } from '../clock.js';
import type { DialOk } from '../contract.js';

/** A key is either being dialled now (`pending`) or was dialled successfully (`done`, with the result). */
export type IdempotencyEntry = { state: 'pending' } | { state: 'done'; result: DialOk };

export interface IdempotencyStore {
  /**
   * Claims the key for `ttlMs` when it is free and returns undefined (the caller dials), or returns the entry
   * that holds it (the caller does not dial). Must be atomic across the processes sharing the store.
   */
  claim(key: string, ttlMs: number): IdempotencyEntry | undefined | Promise<IdempotencyEntry | undefined>;
  /** The dial succeeded: keep its result for `ttlMs` from now. */
  complete(key: string, result: DialOk, ttlMs: number): void | Promise<void>;
  /** The dial failed: free the key so a retry dials again. */
  release(key: string): void | Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  clock?: Clock;
  /** Entries kept at most (the oldest go first). Default 10000. */
  maxEntries?: number;
}

interface Slot {
  entry: IdempotencyEntry;
  expiresAt: number;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly slots = new Map<string, Slot>();
  private readonly clock: Clock;
  private readonly maxEntries: number;

  constructor(o: MemoryIdempotencyStoreOptions = {}) {
    this.clock = o.clock ?? systemClock;
    this.maxEntries = Math.max(1, o.maxEntries ?? 10_000);
  }

  claim(key: string, ttlMs: number): IdempotencyEntry | undefined {
    const now = this.clock.now();
    const slot = this.slots.get(key);
    if (slot && slot.expiresAt > now)
      return slot.entry.state === 'done' ? { state: 'done', result: { ...slot.entry.result } } : { state: 'pending' };
    this.put(key, { entry: { state: 'pending' }, expiresAt: now + ttlMs }, now);
    return undefined;
  }

  complete(key: string, result: DialOk, ttlMs: number): void {
    const now = this.clock.now();
    if (ttlMs <= 0) return void this.slots.delete(key);
    this.put(key, { entry: { state: 'done', result: { ...result } }, expiresAt: now + ttlMs }, now);
  }

  release(key: string): void {
    this.slots.delete(key);
  }

  get size(): number {
    return this.slots.size;
  }

  /** Insert in Map order (oldest first); drop expired entries at the head and any beyond maxEntries. */
  private put(key: string, slot: Slot, now: number): void {
    this.slots.delete(key);
    this.slots.set(key, slot);
    for (const [k, s] of this.slots) {
      if (k === key) break;
      if (this.slots.size > this.maxEntries || s.expiresAt <= now) this.slots.delete(k);
      else break;
    }
  }
}
