// The mode at two levels: what is process-wide (Socket.IO adapter and recovery, Redis readiness, close) and each
// tenant's stores (seq, live calls, dial stores, leases). On a single node every tenant gets its own memory stores,
// kept across a rebuild of its runtime (only its lease is new).
// A cluster (REDIS_URL): one ClusterNode per process (Redis, adapter, live nodes, who holds which tenant: contract
// §8.5) and per tenant its Redis stores keyed by its org, its gate and its leases (cluster/cluster.ts).
import { createTenantCluster } from '../cluster/cluster.js';
import { ClusterNode } from '../cluster/node.js';
import { ReloadBroadcast } from '../cluster/reload-broadcast.js';
import type { Config } from '../config.js';
import { ClusterMode } from './cluster-mode.js';
import type { BridgeMode, ModeDeps } from './mode.js';
import { SingleNodeMode, type SingleNodeStores } from './single-node-mode.js';

export interface ProcessMode {
  readonly nodeId?: string;
  readonly sockets: BridgeMode['sockets'];
  /** Cluster: a tenants reload on one node is applied by every node. */
  readonly reloads?: ReloadBroadcast;
  /** Not-ready reasons of the mode itself (Redis down). */
  notReadyReasons(): string[];
  /** The stores of one tenant (its settings laid over the Config). Throws TenantsError when the mode cannot. */
  forTenant(config: Config): BridgeMode;
  /** Graceful stop, step 1: this node leaves the live set (the others take its tenants over). */
  prepareStop(): void;
  /** After the sockets closed. Idempotent. */
  close(): Promise<void>;
}

/** `first`: the first tenant's Config (a cluster's stores are keyed by its org). */
export function createModes(first: Config, deps: ModeDeps): ProcessMode {
  if (!first.redisUrl) {
    const base = new SingleNodeMode(first, deps);
    // A tenant rebuilt (changed, or removed and added back) keeps its seq and live calls: its clients see no step back.
    const kept = new Map<string, SingleNodeStores>();
    return {
      sockets: base.sockets,
      notReadyReasons: () => [],
      forTenant: (config) => {
        const org = config.antring.accountId;
        const mode = new SingleNodeMode(config, deps, kept.get(org));
        // The stores only: the mode's lease holds the runtime's hooks, which must go with the runtime.
        const { seq, live, rateLimiter, idempotency } = mode;
        kept.set(org, { seq, live, rateLimiter, idempotency });
        return mode;
      },
      prepareStop: () => undefined,
      close: async () => undefined,
    };
  }
  // One node per process; each tenant gets its stores, gate and leases on it, rebuilt with its runtime (a changed
  // tenant's seq and live calls are in Redis: nothing steps back).
  const node = new ClusterNode({
    url: first.redisUrl,
    // A single-account deployment keeps its org's namespace (its Socket.IO stream is the one it always used).
    namespace: first.tenantsFile ? 'tenants' : first.antring.accountId,
    logger: deps.logger.child({ mod: 'cluster' }),
    settings: { ...first.cluster, ...deps.cluster },
  });
  return {
    nodeId: node.nodeId,
    reloads: new ReloadBroadcast(
      node.notices,
      node.keys.tenantsReload(),
      node.nodeId,
      deps.logger.child({ mod: 'tenants', node: node.nodeId }),
    ),
    sockets: { adapter: node.adapter, connectionStateRecovery: node.connectionStateRecovery },
    notReadyReasons: () => node.notReadyReasons(),
    forTenant(config) {
      const cluster = createTenantCluster(node, {
        org: config.antring.accountId,
        dialRatePerMinute: config.dial.ratePerMinute,
        logger: deps.logger.child({ mod: 'cluster', org: config.antring.accountId }),
      });
      return new ClusterMode({ ...config, redisUrl: first.redisUrl as string }, deps, cluster);
    },
    prepareStop: () => node.stopAcquiring(),
    close: () => node.close(),
  };
}
