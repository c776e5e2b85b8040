// The mode at two levels: what is process-wide (Socket.IO adapter and recovery, Redis readiness, close) and each
// tenant's stores (seq, live calls, dial stores, leases). On a single node every tenant gets its own memory stores,
// kept across a rebuild of its runtime (only its lease is new).
// A cluster (REDIS_URL) keys its stores by one org: it serves one tenant until the tenants' upstream is sharded over
// the nodes (contract §8.5); a second tenant, or rebuilding the one, is refused with a named problem.
import type { Config } from '../config.js';
import { TenantsError } from '../tenants/types.js';
import { ClusterMode } from './cluster-mode.js';
import type { BridgeMode, ModeDeps } from './mode.js';
import { SingleNodeMode, type SingleNodeStores } from './single-node-mode.js';

export interface ProcessMode {
  readonly nodeId?: string;
  readonly sockets: BridgeMode['sockets'];
  /** Not-ready reasons of the mode itself (Redis down). */
  notReadyReasons(): string[];
  /** The stores of one tenant (its settings laid over the Config). Throws TenantsError when the mode cannot. */
  forTenant(config: Config): BridgeMode;
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
        kept.set(org, mode);
        return mode;
      },
      close: async () => undefined,
    };
  }
  const cluster = new ClusterMode({ ...first, redisUrl: first.redisUrl }, deps);
  let given = false;
  return {
    nodeId: cluster.nodeId,
    sockets: cluster.sockets,
    notReadyReasons: () => cluster.notReadyReasons(),
    forTenant(config) {
      const org = config.antring.accountId;
      if (given || org !== first.antring.accountId) {
        throw new TenantsError([
          `${org}: cluster mode (REDIS_URL) serves one tenant and does not restart it on reload yet; restart the nodes`,
        ]);
      }
      given = true;
      return cluster;
    },
    close: () => cluster.close(),
  };
}
