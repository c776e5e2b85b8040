// Cluster settings: parsed from the environment by config.ts (Config.cluster), overridable in tests.

export interface ClusterSettings {
  /** Nodes holding the AntRing subscription (hot standby). Default 2. */
  upstreamNodes: number;
  /** Upstream lease lifetime; default 5000 ms. */
  leaseTtlMs: number;
  /** Heartbeat lifetime (a dead node's calls are taken over after this); default 3000 ms. */
  heartbeatTtlMs: number;
  /** Socket.IO connection state recovery window; default 30 000 ms. */
  recoveryMs: number;
}

export const DEFAULT_CLUSTER_SETTINGS: ClusterSettings = {
  upstreamNodes: 2,
  leaseTtlMs: 5000,
  heartbeatTtlMs: 3000,
  recoveryMs: 30_000,
};
