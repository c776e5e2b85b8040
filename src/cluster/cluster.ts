// Cluster mode (REDIS_URL set): one tenant's Redis-backed pieces the composition root plugs in, and their lifecycle.
// The process-wide part (Redis clients, Socket.IO adapter, live nodes, who holds which tenant) is cluster/node.ts;
// createTenantCluster(node, …) gives a tenant its stores, gate and leases; createCluster(…) is a node of one tenant.
import type { Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import type { CallUpdate } from '../calls/types.js';
import type { DashboardSource } from '../dashboard/poller.js';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import type { ChangeNotices } from './change-notices.js';
import { RedisContactCache } from './contact-cache.js';
import { SharedDashboardSource } from './dashboard-source.js';
import { RedisIdempotencyStore, RedisRateLimiter } from './dial-stores.js';
import { CallGate, type GateEvent } from './gate.js';
import { type ClusterKeys, clusterKeys } from './keys.js';
import { RedisLiveCallStore } from './live-calls.js';
import { ClusterNode } from './node.js';
import { RedisSeqSource } from './seq.js';
import type { ClusterSettings } from './settings.js';
import { TenantLeases } from './tenant-leases.js';

export interface ClusterOptions {
  url: string;
  org: string;
  /** Click-to-call rate per agent and minute (config.dial.ratePerMinute). */
  dialRatePerMinute: number;
  logger: Logger;
  settings?: Partial<ClusterSettings>;
  nodeId?: string;
}

export interface UpstreamHooks {
  /** A lease was acquired: build a fresh engine and subscriber and start them. */
  acquire(): void;
  /** The lease is gone: stop the subscriber. */
  release(): Promise<void> | void;
  /** Live calls in this node's engine: a holder no longer assigned keeps the upstream until they end. */
  busy?(): boolean;
}

export interface Cluster {
  nodeId: string;
  keys: ClusterKeys;
  redis: Redis;
  /** The Socket.IO adapter's publishing connection (broadcasts, with the gate's done marks in the same script). */
  adapterRedis: Redis;
  seq: RedisSeqSource;
  live: RedisLiveCallStore;
  contactCache: RedisContactCache;
  rateLimiter: RedisRateLimiter;
  idempotency: RedisIdempotencyStore;
  adapter: ServerOptions['adapter'];
  /** Change notices between the nodes (the node's one pub/sub connection). */
  notices: ChangeNotices;
  connectionStateRecovery: ServerOptions['connectionStateRecovery'];
  /** Engine output of one upstream event → the gate (publishes only what this node owns). */
  onUpdates(event: GateEvent | undefined, updates: CallUpdate[]): void;
  /** The publisher emitted an update (its `clusterUpdateId`, given by the gate, is marked done). */
  published(u: { clusterUpdateId?: string }): void;
  /** Start membership; `hooks` are called as the upstream lease comes and goes. `forward` feeds the enricher. */
  start(hooks: UpstreamHooks, forward: (u: CallUpdate) => void): void;
  holdsUpstream(): boolean;
  /** The nodes holding this tenant's upstream (as seen at the last tick). */
  holders?(): string[];
  /** The node that polls AntRing's dashboard and emits it (the first of the tenant's assigned holders). */
  leadsDashboard(): boolean;
  /** The poller's source: AntRing on the leader, the shared Redis snapshot elsewhere. */
  dashboardSource(upstream: DashboardSource, pollMs: number): DashboardSource;
  /** Not-ready reasons of the cluster layer (Redis down). */
  notReadyReasons(): string[];
  stopAcquiring(): void;
  /** Give back the lease (stops the upstream through hooks.release). */
  leave(): Promise<void>;
  /** Leave, then close what this tenant owns (createCluster: the node's Redis clients too). Call after the fan-out
   *  (and its adapter) closed. */
  close(): Promise<void>;
  stats(): Record<string, unknown>;
}

export interface TenantClusterOptions {
  org: string;
  /** Click-to-call rate per agent and minute (config.dial.ratePerMinute). */
  dialRatePerMinute: number;
  logger: Logger;
  /** A holder no longer assigned gives the upstream back after this even with live calls; default 30 000 ms. */
  handoverMs?: number;
}

/** One tenant's stores, gate and leases on a cluster node. close() leaves; the node's clients stay open. */
export function createTenantCluster(node: ClusterNode, o: TenantClusterOptions): Cluster {
  const { nodeId, redis, adapterRedis, settings } = node;
  const log = o.logger.child({ node: nodeId });
  const keys = clusterKeys(o.org);
  const seq = new RedisSeqSource({ redis, keys });
  const live = new RedisLiveCallStore({ redis, keys });
  const contactCache = new RedisContactCache({ redis, keys });
  let forward: (u: CallUpdate) => void = () => undefined;
  const gate = new CallGate({
    redis,
    marks: node.broadcastMarks,
    keys,
    nodeId,
    logger: log.child({ mod: 'gate' }),
    forward: (u) => forward(u),
    heartbeatTtlMs: settings.heartbeatTtlMs,
    ticker: node.gateTicker,
  });
  let hooks: UpstreamHooks | undefined;
  const leases = new TenantLeases({
    redis,
    keys,
    nodeId,
    org: o.org,
    leaseTtlMs: settings.leaseTtlMs,
    heartbeatTtlMs: settings.heartbeatTtlMs,
    ...(o.handoverMs !== undefined ? { handoverMs: o.handoverMs } : {}),
    logger: log.child({ mod: 'membership' }),
    busy: () => hooks?.busy?.() ?? false,
    term: () => gate.term(),
    heartbeat: (sentAt) => gate.heartbeat(sentAt),
    onAcquire: () => {
      gate.setActive(true);
      hooks?.acquire();
    },
    onRelease: () => {
      gate.setActive(false);
      Promise.resolve(hooks?.release()).catch((err: unknown) =>
        log.error({ err: errText(err) }, 'stopping the upstream failed'),
      );
    },
  });
  let detach: (() => void) | undefined;
  let leaving: Promise<void> | undefined;
  const leave = () =>
    (leaving ??= (async () => {
      detach?.();
      await leases.stop();
      gate.stop();
    })());

  return {
    nodeId,
    keys,
    redis,
    adapterRedis,
    seq,
    live,
    contactCache,
    adapter: node.adapter,
    notices: node.notices,
    rateLimiter: new RedisRateLimiter({ redis, keys, perMinute: o.dialRatePerMinute }),
    idempotency: new RedisIdempotencyStore({ redis, keys }),
    connectionStateRecovery: node.connectionStateRecovery,
    onUpdates: (event, updates) => gate.push(event, updates),
    published: (u) => gate.published(u),
    start(h, fwd) {
      if (detach || leaving) return;
      hooks = h;
      forward = fwd;
      gate.start();
      detach = node.attach(o.org, leases);
    },
    holdsUpstream: () => leases.holds,
    holders: () => leases.holders(),
    leadsDashboard: () => leases.leads(),
    dashboardSource: (upstream, pollMs) =>
      new SharedDashboardSource({
        redis,
        keys,
        upstream,
        isLeader: () => leases.leads(),
        ttlMs: 3 * pollMs,
        logger: log.child({ mod: 'dashboard' }),
      }),
    notReadyReasons: () => node.notReadyReasons(),
    stopAcquiring: () => leases.stopAcquiring(),
    leave,
    close: leave,
    stats: () => ({ node: nodeId, holds: leases.holds, holders: leases.holders(), gate: gate.stats() }),
  };
}

/** A cluster node serving one tenant (its Redis namespace is the org's). */
export function createCluster(o: ClusterOptions): Cluster {
  const node = new ClusterNode({
    url: o.url,
    namespace: o.org,
    logger: o.logger,
    ...(o.settings ? { settings: o.settings } : {}),
    ...(o.nodeId ? { nodeId: o.nodeId } : {}),
  });
  const tenant = createTenantCluster(node, o);
  let closing: Promise<void> | undefined;
  return {
    ...tenant,
    stopAcquiring: () => {
      tenant.stopAcquiring();
      node.stopAcquiring();
    },
    close: () =>
      (closing ??= (async () => {
        await tenant.close();
        await node.close();
      })()),
  };
}
