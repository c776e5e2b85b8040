// The calls that are live now, as each audience last saw them: replayed to a socket on connect and served by
// GET /api/calls. An interface, so cluster mode can put it in Redis; the memory implementation is bounded.

import type { Audience } from '../calls/types.js';
import type { CallView, Claims } from '../contract.js';
import { canSee } from './rooms.js';
import type { MaybePromise } from './types.js';

export interface LiveCallEntry {
  key: string;
  audience: Audience;
  view: CallView;
}

export interface LiveCallStore {
  /** Store the latest view of one audience of a call; a view with state `ended` removes the entry instead.
   *  A view with a lower or equal seq than the stored one is ignored. */
  set(key: string, view: CallView, audience: Audience): MaybePromise<void>;
  delete(key: string): MaybePromise<void>;
  /** Every stored view (any audience). Use entries() or visibleViews() to filter by who may see them. */
  list(): MaybePromise<CallView[]>;
  /** Every stored view with its audience. */
  entries(): MaybePromise<LiveCallEntry[]>;
  size(): MaybePromise<number>;
  close?(): MaybePromise<void>;
}

/** The store key of one audience of a call: `callId` + audience (a call audience keeps one entry even if its queue changes). */
export function liveKey(callId: string, a: Audience): string {
  return a.kind === 'agent' ? `${callId}\u0000a:${a.username}` : `${callId}\u0000c`;
}

/** Order of replay: by callId, then seq. */
export function compareViews(a: CallView, b: CallView): number {
  if (a.callId !== b.callId) return a.callId < b.callId ? -1 : 1;
  return a.seq - b.seq;
}

/** The live views these claims may see (same rule as the rooms), ordered by callId then seq. */
export function filterVisible(entries: LiveCallEntry[], claims: Claims, org: string): CallView[] {
  return entries
    .filter((e) => canSee(claims, org, e.audience))
    .map((e) => e.view)
    .sort(compareViews);
}

/** Async convenience for REST (GET /api/calls): the live views visible to these claims. */
export async function visibleViews(store: LiveCallStore, claims: Claims, org: string): Promise<CallView[]> {
  return filterVisible(await store.entries(), claims, org);
}

export interface MemoryLiveCallStoreOptions {
  /** Oldest (least recently updated) entries are evicted beyond this; default 10 000. */
  maxEntries?: number;
  /** Called with the number of entries evicted for lack of room (metrics). */
  onEvict?: (count: number) => void;
}

export class MemoryLiveCallStore implements LiveCallStore {
  private readonly map = new Map<string, LiveCallEntry>();
  private readonly max: number;

  constructor(private readonly o: MemoryLiveCallStoreOptions = {}) {
    this.max = Math.max(1, o.maxEntries ?? 10_000);
  }

  set(key: string, view: CallView, audience: Audience): void {
    const prev = this.map.get(key);
    if (prev && prev.view.callId === view.callId && view.seq <= prev.view.seq) return;
    if (view.state === 'ended') {
      this.map.delete(key);
      return;
    }
    // Re-insert so Map order is "least recently updated first".
    this.map.delete(key);
    this.map.set(key, { key, audience, view });
    let evicted = 0;
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      evicted++;
    }
    if (evicted) this.o.onEvict?.(evicted);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  list(): CallView[] {
    return [...this.map.values()].map((e) => e.view);
  }

  entries(): LiveCallEntry[] {
    return [...this.map.values()];
  }

  size(): number {
    return this.map.size;
  }
}
