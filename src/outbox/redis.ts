// The cluster outbox in Redis (plain ioredis + Lua, one step per operation, on Redis time so every node agrees):
//   <p>outbox:j:<key>  hash   target, payload, state, attempts, stalls, createdAt, lease, lastError, settledAt, result
//   <p>outbox:due      zset   pending key → due at (ms)        <p>outbox:lease  zset  claimed key → lease end
//   <p>outbox:since    zset   pending key → accepted at        <p>outbox:failed zset  failed key → accepted at
//   <p>outbox:n        hash   delivered (count)
// A key is claimed by moving it from `due` to `lease`; a node that dies leaves its leases to expire and any node
// claims them again (a stall, counted). Every key expires: pending records after maxAge + retain, settled ones after
// retain. The scripts (redis-scripts.ts) run by EVALSHA.
import type { Redis } from 'ioredis';
import type { ClusterKeys } from '../cluster/keys.js';
import type { Logger } from '../log.js';
import { DeliveryOutbox, type OutboxWorkerOptions } from './outbox.js';
import { type OutboxCommands, outboxCommands } from './redis-scripts.js';
import {
  type ClaimBatch,
  type Claimed,
  type LaneLimits,
  type OutboxStore,
  parseJson,
  type Settlement,
} from './store.js';
import type { DeliveryRecord, DeliveryState, OutboxStats } from './types.js';

export interface RedisStoreOptions {
  redis: Redis;
  keys: ClusterKeys;
  /** Pending records live this long at most (maxAge + a margin). */
  maxAgeMs: number;
  retainMs: number;
}

export class RedisStore implements OutboxStore {
  private readonly p: string;
  private readonly r: RedisStoreOptions['redis'] & OutboxCommands;

  constructor(private readonly o: RedisStoreOptions) {
    this.p = `${o.keys.prefix}outbox:`;
    this.r = outboxCommands(o.redis);
  }

  private job(key: string): string {
    return `${this.p}j:${key}`;
  }

  async insert(key: string, target: string, payload: string, notBefore?: number): Promise<boolean> {
    // Redis time decides (one clock for the cluster): the delay is sent, not the instant.
    const delay = notBefore === undefined ? 0 : Math.max(0, Math.round(notBefore - Date.now()));
    const ttl = Math.ceil(this.o.maxAgeMs + this.o.retainMs + delay);
    const r = await this.r.outboxInsert(
      this.job(key),
      `${this.p}due`,
      `${this.p}since`,
      key,
      target,
      payload,
      ttl,
      delay,
    );
    return Number(r) === 1;
  }

  async replace(key: string, payload: string): Promise<boolean> {
    return Number(await this.r.outboxReplace(this.job(key), `${this.p}lease`, key, payload)) === 1;
  }

  async claim(limit: number, leaseMs: number, token: string, lanes?: LaneLimits): Promise<ClaimBatch> {
    const busy = lanes ? [...lanes.busy].flat() : [];
    const [rows, wait] = (await this.r.outboxClaim(
      `${this.p}due`,
      `${this.p}lease`,
      `${this.p}j:`,
      Math.max(0, limit),
      Math.ceil(leaseMs),
      token,
      lanes ? Math.max(1, lanes.perLane) : 0,
      ...busy,
    )) as [[string, string, string, number, number, string, number][], number];
    const claimed: Claimed[] = rows.map(([key, target, payload, attempt, ageMs, lane, stalls]) => ({
      key,
      target,
      payload: parseJson(payload) ?? null,
      attempt: Number(attempt),
      ageMs: Number(ageMs),
      token,
      lane,
      stalls: Number(stalls) || 0,
    }));
    return Number(wait) >= 0 ? { claimed, nextDueInMs: Number(wait) } : { claimed };
  }

  async settle(c: Claimed, s: Settlement): Promise<boolean> {
    const result = s.state === 'delivered' && s.result !== undefined ? JSON.stringify(s.result) : '';
    const r = await this.r.outboxSettle(
      this.job(c.key),
      `${this.p}due`,
      `${this.p}lease`,
      `${this.p}since`,
      `${this.p}failed`,
      `${this.p}n`,
      c.key,
      c.token,
      s.state,
      s.state === 'pending' ? Math.max(0, Math.round(s.delayMs)) : 0,
      s.state === 'delivered' ? '' : s.error,
      result,
      Math.ceil(this.o.retainMs),
    );
    return Number(r) === 1;
  }

  async makeLaneDue(lane: string): Promise<number> {
    return Number(await this.r.outboxLaneDue(`${this.p}due`, `${this.p}j:`, lane));
  }

  async makeAllDue(): Promise<number> {
    return Number(await this.r.outboxAllDue(`${this.p}due`, `${this.p}j:`));
  }

  /** Settled records expire by themselves; only the failed index is trimmed. */
  async prune(retainMs: number): Promise<number> {
    const [sec] = await this.o.redis.time();
    return Number(await this.o.redis.zremrangebyscore(`${this.p}failed`, '-inf', Number(sec) * 1000 - retainMs));
  }

  async get(key: string): Promise<DeliveryRecord | undefined> {
    const h = await this.o.redis.hgetall(this.job(key));
    if (!h?.state) return undefined;
    const state: DeliveryState = h.state === 'delivered' || h.state === 'failed' ? h.state : 'pending';
    const rec: DeliveryRecord = {
      key,
      target: h.target ?? '',
      state,
      attempts: Number(h.attempts) || 0,
      createdAt: Number(h.createdAt) || 0,
    };
    if (h.lastError !== undefined) rec.lastError = h.lastError;
    const result = parseJson(h.result);
    if (result !== undefined) rec.result = result;
    return rec;
  }

  async stats(maxFailures: number): Promise<OutboxStats> {
    const r = this.o.redis;
    const [due, lease, failed, delivered, oldest, time, failedKeys] = await Promise.all([
      r.zcard(`${this.p}due`),
      r.zcard(`${this.p}lease`),
      r.zcard(`${this.p}failed`),
      r.hget(`${this.p}n`, 'delivered'),
      r.zrange(`${this.p}since`, 0, '0', 'WITHSCORES'),
      r.time(),
      r.zrevrange(`${this.p}failed`, 0, Math.max(0, maxFailures) - 1),
    ]);
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const s: OutboxStats = {
      pending: due + lease,
      delivered: Number(delivered) || 0,
      failed,
      oldestPendingSec: 0,
      failures: [],
    };
    // RESP2 answers [member, score], RESP3 [[member, score]].
    const first = (oldest as unknown[]).flat();
    if (first.length >= 2) s.oldestPendingSec = Math.max(0, Math.floor((now - Number(first[1])) / 1000));
    if (maxFailures > 0) {
      for (const key of failedKeys) {
        const [target, attempts, lastError, createdAt] = await r.hmget(
          this.job(key),
          'target',
          'attempts',
          'lastError',
          'createdAt',
        );
        if (target === null) continue; // expired
        s.failures.push({
          key,
          target,
          attempts: Number(attempts) || 0,
          lastError: lastError ?? '',
          since: new Date(Number(createdAt) || 0).toISOString(),
        });
      }
    }
    return s;
  }

  /** The Redis connection belongs to the caller. */
  async close(): Promise<void> {}
}

export interface RedisOutboxOptions extends OutboxWorkerOptions {
  redis: Redis;
  keys: ClusterKeys;
  logger: Logger;
}

export class RedisOutbox extends DeliveryOutbox {
  constructor(o: RedisOutboxOptions) {
    const maxAgeMs = o.maxAgeMs ?? 24 * 3_600_000;
    const retainMs = o.retainMs ?? 30 * 24 * 3_600_000;
    super(new RedisStore({ redis: o.redis, keys: o.keys, maxAgeMs, retainMs }), o);
  }
}
