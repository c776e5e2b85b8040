// Cluster mode (REDIS_URL set): the Redis-backed pieces the composition root plugs in, and their lifecycle.
import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import type { CallUpdate } from '../calls/types.js';
import type { DashboardSource } from '../dashboard/poller.js';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import { RedisContactCache } from './contact-cache.js';
import { SharedDashboardSource } from './dashboard-source.js';
import { RedisIdempotencyStore, RedisRateLimiter } from './dial-stores.js';
import { CallGate, type GateEvent } from './gate.js';
import { type ClusterKeys, clusterKeys } from './keys.js';
import { RedisLiveCallStore } from './live-calls.js';
import { Membership } from './membership.js';
import { RedisSeqSource } from './seq.js';
import { type ClusterSettings, DEFAULT_CLUSTER_SETTINGS } from './settings.js';

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
}

export interface Cluster {
  nodeId: string;
  keys: ClusterKeys;
  redis: Redis;
  /** The Socket.IO adapter's publishing connection (broadcasts, then the gate's done marks behind them). */
  adapterRedis: Redis;
  seq: RedisSeqSource;
  live: RedisLiveCallStore;
  contactCache: RedisContactCache;
  rateLimiter: RedisRateLimiter;
  idempotency: RedisIdempotencyStore;
  adapter: ServerOptions['adapter'];
  connectionStateRecovery: ServerOptions['connectionStateRecovery'];
  /** Engine output of one upstream event → the gate (publishes only what this node owns). */
  onUpdates(event: GateEvent | undefined, updates: CallUpdate[]): void;
  /** The publisher emitted an update (its `clusterUpdateId`, given by the gate, is marked done). */
  published(u: { clusterUpdateId?: string }): void;
  /** Start membership; `hooks` are called as the upstream lease comes and goes. `forward` feeds the enricher. */
  start(hooks: UpstreamHooks, forward: (u: CallUpdate) => void): void;
  holdsUpstream(): boolean;
  /** The node that polls AntRing's dashboard and emits it (holder of upstream slot 0). */
  leadsDashboard(): boolean;
  /** The poller's source: AntRing on the leader, the shared Redis snapshot elsewhere. */
  dashboardSource(upstream: DashboardSource, pollMs: number): DashboardSource;
  /** Not-ready reasons of the cluster layer (Redis down). */
  notReadyReasons(): string[];
  stopAcquiring(): void;
  /** Give back the lease (stops the upstream through hooks.release). */
  leave(): Promise<void>;
  /** Close the Redis clients. Call after the fan-out (and its adapter) closed. */
  close(): Promise<void>;
  stats(): Record<string, unknown>;
}

export function createCluster(o: ClusterOptions): Cluster {
  const settings = { ...DEFAULT_CLUSTER_SETTINGS, ...o.settings };
  const nodeId = o.nodeId ?? randomUUID();
  const log = o.logger.child({ node: nodeId });
  const keys = clusterKeys(o.org);
  // Our own commands fail fast while Redis is down (the node then stops publishing and reports not ready).
  const redis = new Redis(o.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
    retryStrategy: (n) => Math.min(100 * n, 1000),
  });
  // The adapter's client keeps its offline queue: its XREAD loop retries in a tight loop on fast failures.
  const adapterRedis = new Redis(o.url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(100 * n, 1000) });
  let redisDownSince: number | undefined;
  for (const [name, c] of [
    ['main', redis],
    ['adapter', adapterRedis],
  ] as const) {
    c.on('error', (err: unknown) => log.debug({ client: name, err: errText(err) }, 'redis client error'));
    c.on('ready', () => log.info({ client: name }, 'redis ready'));
    c.on('close', () => log.debug({ client: name }, 'redis connection closed'));
  }
  redis.on('ready', () => {
    if (redisDownSince !== undefined) log.info({ downMs: Date.now() - redisDownSince }, 'redis is back');
    redisDownSince = undefined;
  });
  redis.on('close', () => {
    redisDownSince ??= Date.now();
  });

  const seq = new RedisSeqSource({ redis, keys });
  const live = new RedisLiveCallStore({ redis, keys });
  const contactCache = new RedisContactCache({ redis, keys });
  let forward: (u: CallUpdate) => void = () => undefined;
  const gate = new CallGate({
    redis,
    marks: adapterRedis,
    keys,
    nodeId,
    logger: log.child({ mod: 'gate' }),
    forward: (u) => forward(u),
    heartbeatTtlMs: settings.heartbeatTtlMs,
  });
  let hooks: UpstreamHooks | undefined;
  const membership = new Membership({
    redis,
    keys,
    nodeId,
    upstreamNodes: settings.upstreamNodes,
    leaseTtlMs: settings.leaseTtlMs,
    heartbeatTtlMs: settings.heartbeatTtlMs,
    tickMs: Math.max(200, Math.floor(Math.min(settings.leaseTtlMs, settings.heartbeatTtlMs) / 3)),
    logger: log.child({ mod: 'membership' }),
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

  const adapter = createAdapter(adapterRedis, {
    streamName: keys.sioStream(),
    sessionKeyPrefix: keys.sioSessionPrefix(),
    maxLen: 10_000,
    blockTimeInMs: 1000,
    onlyPlaintext: true,
  }) as ServerOptions['adapter'];

  let closing: Promise<void> | undefined;
  return {
    nodeId,
    keys,
    redis,
    adapterRedis,
    seq,
    live,
    contactCache,
    adapter,
    rateLimiter: new RedisRateLimiter({ redis, keys, perMinute: o.dialRatePerMinute }),
    idempotency: new RedisIdempotencyStore({ redis, keys }),
    connectionStateRecovery: { maxDisconnectionDuration: settings.recoveryMs },
    onUpdates: (event, updates) => gate.push(event, updates),
    published: (u) => gate.published(u),
    start(h, fwd) {
      hooks = h;
      forward = fwd;
      gate.start();
      membership.start();
    },
    holdsUpstream: () => membership.upstreamSlot !== undefined,
    leadsDashboard: () => membership.upstreamSlot === 0,
    dashboardSource: (upstream, pollMs) =>
      new SharedDashboardSource({
        redis,
        keys,
        upstream,
        isLeader: () => membership.upstreamSlot === 0,
        ttlMs: 3 * pollMs,
        logger: log.child({ mod: 'dashboard' }),
      }),
    notReadyReasons: () => [
      ...(redis.status === 'ready' ? [] : [`redis is ${redis.status}`]),
      ...(adapterRedis.status === 'ready' ? [] : [`redis (socket.io adapter) is ${adapterRedis.status}`]),
    ],
    stopAcquiring: () => membership.stopAcquiring(),
    leave: () => membership.stop(),
    close: () =>
      (closing ??= (async () => {
        await membership.stop();
        gate.stop();
        for (const c of [redis, adapterRedis]) {
          try {
            if (c.status === 'ready') await c.quit();
            else c.disconnect();
          } catch (err) {
            log.debug({ err: errText(err) }, 'redis quit failed');
            c.disconnect();
          }
        }
      })()),
    stats: () => ({ node: nodeId, upstreamSlot: membership.upstreamSlot, redis: redis.status, gate: gate.stats() }),
  };
}
