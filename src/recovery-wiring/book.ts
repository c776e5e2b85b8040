// A tenant's recoveries in memory (the synchronous index the enricher and the views read) over the durable store.
// Every change goes through change(): one at a time per book, read back from the store first (another node may have
// written it), persisted before the index and the listeners see it, so nothing acts on a state that is not saved.

import { isActive } from '../recovery/model.js';
import { recoveryNumber } from '../recovery/numbers.js';
import type { Recovery } from '../recovery/types.js';
import { coded } from '../shared/error-catalogue.js';
import type { RecoveryStore } from './store.js';

/** Closed recoveries are kept this long (today's figures, GET /api/recoveries, `recovers` of later views). */
export const KEEP_CLOSED_MS = 3 * 86_400_000;
/** Writes refused by another writer before a change gives up. */
const MAX_TRIES = 5;

export class RecoveryConflictError extends coded('RECOVERY_CONFLICT') {
  override readonly name = 'RecoveryConflictError';
  constructor(readonly recoveryId: string) {
    super(`recovery ${recoveryId} kept changing under this write`);
  }
}

export class RecoveryBook {
  private readonly byId = new Map<string, Recovery>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(next: Recovery, prev: Recovery | undefined) => void>();

  constructor(private readonly store: RecoveryStore) {}

  async load(now: number): Promise<Recovery[]> {
    await this.store.prune(now - KEEP_CLOSED_MS);
    for (const r of await this.store.load()) this.byId.set(r.id, r);
    return this.all();
  }

  all(): Recovery[] {
    return [...this.byId.values()];
  }

  get(id: string): Recovery | undefined {
    return this.byId.get(id);
  }

  /** The number's active recovery (one per tenant and number), from the index. */
  activeFor(raw: string | undefined): Recovery | undefined {
    const number = recoveryNumber(raw);
    if (number === null) return undefined;
    for (const r of this.byId.values()) if (r.number === number && isActive(r)) return r;
    return undefined;
  }

  onChange(l: (next: Recovery, prev: Recovery | undefined) => void): () => void {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }

  /**
   * One change, serialised: `fn` gets the stored record (fresh) of `id` (or of the number's active recovery when
   * `id` is undefined and `number` is given) and returns the next one, or undefined for no change.
   */
  change<T>(
    pick: { id?: string; number?: string; orId?: string },
    fn: (current: Recovery | undefined) => { next?: Recovery; out: T } | Promise<{ next?: Recovery; out: T }>,
  ): Promise<T> {
    const run = async (): Promise<T> => {
      // orId: a record another node may have written that this node's index does not show yet (a missed call both
      // upstream holders see: its recovery's id is the call's).
      let id =
        pick.id ??
        this.activeFor(pick.number)?.id ??
        (pick.orId !== undefined && (await this.store.get(pick.orId)) ? pick.orId : undefined);
      for (let tries = 1; ; tries++) {
        const current = id !== undefined ? await this.store.get(id) : undefined;
        if (current) this.byId.set(current.id, current);
        const { next, out } = await fn(current);
        if (!next) return out;
        const saved: Recovery = { ...next, rev: (current?.rev ?? 0) + 1 };
        // Another node wrote it since it was read (cluster): read again and decide again.
        if (!(await this.store.put(saved, current?.rev ?? 0))) {
          if (tries >= MAX_TRIES) throw new RecoveryConflictError(saved.id);
          id = saved.id; // a new one another node stored first: that record now
          continue;
        }
        this.byId.set(saved.id, saved);
        for (const l of this.listeners) l(saved, current);
        return out;
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Forgets recoveries closed more than KEEP_CLOSED_MS ago (store and index). */
  async prune(now: number): Promise<void> {
    await this.store.prune(now - KEEP_CLOSED_MS);
    for (const [id, r] of this.byId)
      if (r.closedAt !== undefined && r.closedAt < now - KEEP_CLOSED_MS) this.byId.delete(id);
  }

  /** Cluster: the index read again from the store (other nodes' changes; no listener is called). */
  async reload(): Promise<void> {
    const all = await this.store.load();
    for (const r of all) this.byId.set(r.id, r);
  }

  /** Cluster: a change notice (another node, or this one, wrote revision `rev` of `id`): read it unless the index
   *  already has that revision or a later one. No listener is called. */
  async refresh(id: string, rev: number): Promise<void> {
    if ((this.byId.get(id)?.rev ?? 0) >= rev) return;
    const r = await this.store.get(id);
    if (r && (this.byId.get(id)?.rev ?? 0) < (r.rev ?? 0)) this.byId.set(r.id, r);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
