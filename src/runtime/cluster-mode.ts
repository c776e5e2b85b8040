// Cluster mode (REDIS_URL set): the Redis-backed stores of cluster/cluster.ts behind the BridgeMode interface. The
// upstream leases are the cluster's membership; the engine output goes through the gate (exactly-once publishing).

import { type Cluster, createCluster } from '../cluster/cluster.js';
import type { Config } from '../config.js';
import { sharePlacedCalls } from '../fanout/placed-sharing.js';
import type { BridgeMode, ModeDeps, UpstreamLeases } from './mode.js';

export class ClusterMode implements BridgeMode {
  readonly kind = 'cluster' as const;
  readonly cluster: Cluster;
  readonly leases: UpstreamLeases;

  constructor(config: Config & { redisUrl: string }, deps: Pick<ModeDeps, 'logger' | 'cluster'>, cluster?: Cluster) {
    this.cluster =
      cluster ??
      createCluster({
        url: config.redisUrl,
        org: config.antring.accountId,
        dialRatePerMinute: config.dial.ratePerMinute,
        logger: deps.logger.child({ mod: 'cluster' }),
        settings: { ...config.cluster, ...deps.cluster },
      });
    const c = this.cluster;
    this.leases = {
      start: (hooks, forward) => c.start(hooks, forward),
      route: (event, updates) => c.onUpdates(event, updates),
      holdsUpstream: () => c.holdsUpstream(),
      holders: () => c.holders?.() ?? [],
      stopAcquiring: () => c.stopAcquiring(),
      leave: () => c.leave(),
    };
  }

  get nodeId() {
    return this.cluster.nodeId;
  }
  get seq() {
    return this.cluster.seq;
  }
  get live() {
    return this.cluster.live;
  }
  get contactCache() {
    return this.cluster.contactCache;
  }
  get rateLimiter() {
    return this.cluster.rateLimiter;
  }
  get idempotency() {
    return this.cluster.idempotency;
  }
  get sockets() {
    return { adapter: this.cluster.adapter, connectionStateRecovery: this.cluster.connectionStateRecovery };
  }

  get writebackStore() {
    return this.cluster;
  }

  sharePlacedCalls: BridgeMode['sharePlacedCalls'] = (io, placed, logger) => sharePlacedCalls(io, placed, logger);
  dashboardSource: BridgeMode['dashboardSource'] = (upstream, pollMs) => this.cluster.dashboardSource(upstream, pollMs);
  emitsDashboard = (): boolean => this.cluster.leadsDashboard();
  published: BridgeMode['published'] = (u) => this.cluster.published(u);
  notReadyReasons = (): string[] => this.cluster.notReadyReasons();
  close = (): Promise<void> => this.cluster.close();
}
