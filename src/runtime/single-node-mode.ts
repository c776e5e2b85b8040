// Single node (no REDIS_URL): memory stores, and this node always holds the upstream: every update is published.

import type { CallUpdate } from '../calls/types.js';
import type { Config } from '../config.js';
import type { DashboardSource } from '../dashboard/poller.js';
import { MemoryIdempotencyStore } from '../dial/idempotency.js';
import { MemoryRateLimiter } from '../dial/rate-limiter.js';
import { MemoryLiveCallStore } from '../fanout/live-calls.js';
import { MemorySeqSource } from '../fanout/seq.js';
import type { BridgeMode, LeaseHooks, ModeDeps, UpstreamLeases } from './mode.js';

/** The one lease of a single node: taken at start, given back at leave(). */
class SoleLease implements UpstreamLeases {
  private hooks?: LeaseHooks;
  private forward: (u: CallUpdate) => void = () => undefined;
  private acquiring = true;
  private leaving?: Promise<void>;

  start(hooks: LeaseHooks, forward: (u: CallUpdate) => void): void {
    if (this.hooks || this.leaving || !this.acquiring) return;
    this.hooks = hooks;
    this.forward = forward;
    hooks.acquire();
  }

  route(_event: unknown, updates: CallUpdate[]): void {
    for (const u of updates) this.forward(u);
  }

  holdsUpstream(): boolean {
    return true;
  }

  stopAcquiring(): void {
    this.acquiring = false;
  }

  leave(): Promise<void> {
    return (this.leaving ??= (async () => {
      const hooks = this.hooks;
      // Let go of the pipeline (a removed tenant's runtime is not kept alive by its lease).
      this.hooks = undefined;
      this.forward = () => undefined;
      await hooks?.release();
    })());
  }
}

/** The stores a tenant keeps across a restart of its runtime (a changed tenant, §8.2): seq and live calls go on. */
export type SingleNodeStores = Pick<SingleNodeMode, 'seq' | 'live' | 'rateLimiter' | 'idempotency'>;

export class SingleNodeMode implements BridgeMode {
  readonly kind = 'single' as const;
  readonly seq: MemorySeqSource;
  readonly live: MemoryLiveCallStore;
  readonly rateLimiter: MemoryRateLimiter;
  readonly idempotency: MemoryIdempotencyStore;
  /** Connection state recovery on a single node too (CLUSTER_RECOVERY_MS): a client back within it gets what it missed. */
  readonly sockets: BridgeMode['sockets'];
  readonly leases: UpstreamLeases = new SoleLease();
  /** No shared second level: the contact cache is this process's LRU. */
  readonly contactCache = undefined;

  constructor(config: Config, deps: Pick<ModeDeps, 'clock'>, kept?: SingleNodeStores) {
    this.seq = kept?.seq ?? new MemorySeqSource();
    this.live = kept?.live ?? new MemoryLiveCallStore();
    this.rateLimiter =
      kept?.rateLimiter ?? new MemoryRateLimiter({ perMinute: config.dial.ratePerMinute, clock: deps.clock });
    this.idempotency = kept?.idempotency ?? new MemoryIdempotencyStore({ clock: deps.clock });
    this.sockets = { connectionStateRecovery: { maxDisconnectionDuration: config.cluster.recoveryMs } };
  }

  /** AntRing itself: this node polls it. */
  dashboardSource(upstream: DashboardSource, _pollMs?: number): DashboardSource {
    return upstream;
  }

  sharePlacedCalls(): undefined {
    return undefined;
  }

  emitsDashboard(): boolean {
    return true;
  }

  published(): void {}

  notReadyReasons(): string[] {
    return [];
  }

  async close(): Promise<void> {}
}
