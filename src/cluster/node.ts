// The process-wide part of a cluster (contract §8.5): the Redis connections, the Socket.IO adapter, this node's
// presence among the live nodes, and one ticker that decides, for every tenant attached, which nodes hold its
// upstream (bounded-load rendezvous hashing over the live nodes, tenants/hrw.ts: every node computes the same answer)
// and lets each tenant's TenantLeases act on it. One timer per process, whatever the number of tenants; and one
// GateTicker for the tenants' call gates, running only while some gate tracks calls.
import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import { assignHolders } from '../tenants/hrw.js';
import { BroadcastMarks } from './broadcast-marks.js';
import { RedisChangeNotices } from './change-notices.js';
import { GateTicker } from './gate-ticker.js';
import { type NodeKeys, nodeKeys } from './keys.js';
import { type ClusterSettings, DEFAULT_CLUSTER_SETTINGS } from './settings.js';
import type { TenantLeases } from './tenant-leases.js';

// KEYS[1] members. ARGV: node id ('' = only read), presence ttl. Returns the live node ids.
const PRESENCE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[1] ~= '' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 10)
end
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

export interface ClusterNodeOptions {
  url: string;
  /** The deployment's namespace in Redis (keys.ts nodeKeys). */
  namespace: string;
  logger: Logger;
  settings?: Partial<ClusterSettings>;
  nodeId?: string;
}

export class ClusterNode {
  readonly nodeId: string;
  readonly settings: ClusterSettings;
  readonly keys: NodeKeys;
  readonly redis: Redis;
  /** The Socket.IO adapter's publishing connection (broadcasts, with the gate's done marks: broadcastMarks). */
  readonly adapterRedis: Redis;
  /** The gate's done marks, written in one script with the broadcast they stand for (broadcast-marks.ts). */
  readonly broadcastMarks: BroadcastMarks;
  readonly adapter: ServerOptions['adapter'];
  readonly connectionStateRecovery: ServerOptions['connectionStateRecovery'];
  /** Every tenant's call gate is ticked from here, and only while it tracks calls (gate-ticker.ts). */
  readonly gateTicker = new GateTicker();
  /** Change notices between the nodes (pub/sub; one connection, opened at the first subscription). */
  readonly notices: RedisChangeNotices;
  private readonly tenants = new Map<string, TenantLeases>();
  private live: string[] = [];
  private assignment = new Map<string, string[]>();
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private present = true;
  private graceUntil = 0;
  private readyOnce = false;
  private closing?: Promise<void>;
  private readonly log: Logger;

  constructor(o: ClusterNodeOptions) {
    this.settings = { ...DEFAULT_CLUSTER_SETTINGS, ...o.settings };
    this.nodeId = o.nodeId ?? randomUUID();
    this.keys = nodeKeys(o.namespace);
    const log = (this.log = o.logger.child({ node: this.nodeId }));
    // Our own commands fail fast while Redis is down (the node then stops publishing and reports not ready).
    this.redis = new Redis(o.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (n) => Math.min(100 * n, 1000),
    });
    // The adapter's client keeps its offline queue: its XREAD loop retries in a tight loop on fast failures.
    this.adapterRedis = new Redis(o.url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(100 * n, 1000) });
    for (const [name, c] of [
      ['main', this.redis],
      ['adapter', this.adapterRedis],
    ] as const) {
      c.on('error', (err: unknown) => log.debug({ client: name, err: errText(err) }, 'redis client error'));
      c.on('ready', () => log.info({ client: name }, 'redis ready'));
      c.on('close', () => log.debug({ client: name }, 'redis connection closed'));
    }
    this.redis.on('ready', this.onReady);
    this.broadcastMarks = new BroadcastMarks(this.adapterRedis);
    this.adapter = createAdapter(this.broadcastMarks.client(), {
      streamName: this.keys.sioStream(),
      sessionKeyPrefix: this.keys.sioSessionPrefix(),
      maxLen: 10_000,
      blockTimeInMs: 1000,
      onlyPlaintext: true,
    }) as ServerOptions['adapter'];
    this.connectionStateRecovery = { maxDisconnectionDuration: this.settings.recoveryMs };
    this.notices = new RedisChangeNotices(
      () => this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: 1, autoResubscribe: false }),
      this.redis,
      log.child({ mod: 'notices' }),
    );
  }

  /** After Redis came back, the holders re-register before anyone takes or gives back a hold. */
  private readonly onReady = () => {
    if (this.readyOnce) this.graceUntil = Date.now() + this.settings.leaseTtlMs;
    this.readyOnce = true;
  };

  /** A tenant's leases join the ticker (the detach is returned). The ticker starts with the first tenant. */
  attach(org: string, leases: TenantLeases): () => void {
    this.tenants.set(org, leases);
    this.assignment = this.assign();
    if (!this.timer && !this.closing) {
      if (this.redis.status === 'ready') this.readyOnce = true;
      const s = this.settings;
      this.timer = setInterval(
        () => void this.tick(),
        Math.max(200, Math.floor(Math.min(s.leaseTtlMs, s.heartbeatTtlMs) / 3)),
      );
      this.timer.unref();
    }
    void this.tick();
    return () => {
      if (this.tenants.get(org) === leases) this.tenants.delete(org);
    };
  }

  /** The live nodes seen at the last tick. */
  liveNodes(): string[] {
    return [...this.live];
  }

  /** The nodes that should hold an org's upstream, best-ranked first. */
  assigned(org: string): string[] {
    return this.assignment.get(org) ?? [];
  }

  /** Shutting down: this node leaves the live set, so the others take its tenants over. */
  stopAcquiring(): void {
    if (!this.present) return;
    this.present = false;
    for (const t of this.tenants.values()) t.stopAcquiring();
    // Best effort: a member left behind is dropped by the others once its heartbeat lapses.
    this.redis.zrem(this.keys.members(), this.nodeId).catch((err: unknown) => {
      this.log.debug({ err: errText(err) }, 'could not leave the members set');
    });
  }

  notReadyReasons(): string[] {
    return [
      ...(this.redis.status === 'ready' ? [] : [`redis is ${this.redis.status}`]),
      ...(this.adapterRedis.status === 'ready' ? [] : [`redis (socket.io adapter) is ${this.adapterRedis.status}`]),
    ];
  }

  async tick(): Promise<void> {
    if (this.ticking || this.closing) return;
    this.ticking = true;
    try {
      const r = (await this.redis.eval(
        PRESENCE,
        1,
        this.keys.members(),
        this.present ? this.nodeId : '',
        this.settings.heartbeatTtlMs,
      )) as string[];
      this.live = r.map(String).sort();
      this.assignment = this.assign();
    } catch (err) {
      this.log.warn({ err: errText(err) }, 'cluster presence tick failed');
    }
    try {
      const grace = Date.now() < this.graceUntil;
      await Promise.all([...this.tenants].map(([org, t]) => t.tick({ assigned: this.assigned(org), grace })));
    } finally {
      this.ticking = false;
    }
  }

  private assign(): Map<string, string[]> {
    return assignHolders([...this.tenants.keys()], this.live, this.settings.upstreamNodes);
  }

  /** Leaves the live set and closes the Redis clients. Call after the tenants left and the fan-out closed. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      this.gateTicker.close();
      await this.notices.close();
      this.redis.off('ready', this.onReady);
      try {
        if (this.redis.status === 'ready') await this.redis.zrem(this.keys.members(), this.nodeId);
      } catch (err) {
        this.log.debug({ err: errText(err) }, 'could not leave the live set (it lapses by itself)');
      }
      for (const c of [this.redis, this.adapterRedis]) {
        try {
          if (c.status === 'ready') await c.quit();
          else c.disconnect();
        } catch (err) {
          this.log.debug({ err: errText(err) }, 'redis quit failed');
          c.disconnect();
        }
      }
    })());
  }
}
