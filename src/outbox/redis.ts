// The cluster outbox in Redis (plain ioredis + Lua, one step per operation, on Redis time so every node agrees):
//   <p>outbox:j:<key>  hash   target, payload, state, attempts, createdAt, lease, lastError, settledAt, result
//   <p>outbox:due      zset   pending key → due at (ms)        <p>outbox:lease  zset  claimed key → lease end
//   <p>outbox:since    zset   pending key → accepted at        <p>outbox:failed zset  failed key → accepted at
//   <p>outbox:n        hash   delivered (count)
// A key is claimed by moving it from `due` to `lease`; a node that dies leaves its leases to expire and any node
// claims them again. Every key expires: pending records after maxAge + retain, settled ones after retain.
import type { Redis } from 'ioredis';
import type { ClusterKeys } from '../cluster/keys.js';
import type { Logger } from '../log.js';
import { DeliveryOutbox, type OutboxWorkerOptions } from './outbox.js';
import { type ClaimBatch, type Claimed, type OutboxStore, parseJson, type Settlement } from './store.js';
import type { DeliveryRecord, DeliveryState, OutboxStats } from './types.js';

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: job, due, since. ARGV: key, target, payload, ttlMs
const INSERT = `${NOW}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'target', ARGV[2], 'payload', ARGV[3], 'state', 'pending', 'attempts', 0, 'createdAt', now)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return 1`;

// KEYS: due, lease. ARGV: jobPrefix, limit, leaseMs, token
const CLAIM = `${NOW}
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 200)
for _, k in ipairs(ended) do
  redis.call('ZREM', KEYS[2], k)
  redis.call('ZADD', KEYS[1], now, k)
end
local out = {}
local limit = tonumber(ARGV[2])
if limit > 0 then
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
  for _, k in ipairs(due) do
    local jk = ARGV[1] .. k
    redis.call('ZREM', KEYS[1], k)
    if redis.call('HGET', jk, 'state') == 'pending' then
      local a = redis.call('HINCRBY', jk, 'attempts', 1)
      redis.call('HSET', jk, 'lease', ARGV[4])
      redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), k)
      local v = redis.call('HMGET', jk, 'target', 'payload', 'createdAt')
      out[#out + 1] = { k, v[1] or '', v[2] or '', a, now - (tonumber(v[3]) or now) }
    end
  end
end
local wait = -1
local d = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if d[2] then wait = math.max(0, tonumber(d[2]) - now) end
local l = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if l[2] then
  local lw = math.max(0, tonumber(l[2]) - now)
  if wait < 0 or lw < wait then wait = lw end
end
return { out, wait }`;

// KEYS: job, due, lease, since, failed, counters. ARGV: key, token, state, delayMs, error, result, retainMs
const SETTLE = `${NOW}
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[1], 'lease')
local retain = tonumber(ARGV[7])
if ARGV[3] == 'pending' then
  redis.call('HSET', KEYS[1], 'lastError', ARGV[5])
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
  return 1
end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'settledAt', now)
if ARGV[3] == 'delivered' then
  redis.call('HDEL', KEYS[1], 'payload')
  if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'result', ARGV[6]) end
  redis.call('HINCRBY', KEYS[6], 'delivered', 1)
  redis.call('PEXPIRE', KEYS[6], retain)
else
  redis.call('HSET', KEYS[1], 'lastError', ARGV[5])
  redis.call('ZADD', KEYS[5], tonumber(redis.call('HGET', KEYS[1], 'createdAt')) or now, ARGV[1])
  redis.call('PEXPIRE', KEYS[5], retain)
end
redis.call('PEXPIRE', KEYS[1], retain)
return 1`;

// KEYS: due. Every waiting retry due now. Leases are left alone: in a cluster they belong to live nodes (a dead
// node's leases end by themselves and are claimed again).
const ALL_DUE = `${NOW}
local ks = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
for _, k in ipairs(ks) do redis.call('ZADD', KEYS[1], now, k) end
return #ks`;

export interface RedisStoreOptions {
  redis: Redis;
  keys: ClusterKeys;
  /** Pending records live this long at most (maxAge + a margin). */
  maxAgeMs: number;
  retainMs: number;
}

export class RedisStore implements OutboxStore {
  private readonly p: string;

  constructor(private readonly o: RedisStoreOptions) {
    this.p = `${o.keys.prefix}outbox:`;
  }

  private job(key: string): string {
    return `${this.p}j:${key}`;
  }

  async insert(key: string, target: string, payload: string): Promise<boolean> {
    const ttl = Math.ceil(this.o.maxAgeMs + this.o.retainMs);
    const r = await this.o.redis.eval(
      INSERT,
      3,
      this.job(key),
      `${this.p}due`,
      `${this.p}since`,
      key,
      target,
      payload,
      ttl,
    );
    return Number(r) === 1;
  }

  async claim(limit: number, leaseMs: number, token: string): Promise<ClaimBatch> {
    const [rows, wait] = (await this.o.redis.eval(
      CLAIM,
      2,
      `${this.p}due`,
      `${this.p}lease`,
      `${this.p}j:`,
      Math.max(0, limit),
      Math.ceil(leaseMs),
      token,
    )) as [[string, string, string, number, number][], number];
    const claimed: Claimed[] = rows.map(([key, target, payload, attempt, ageMs]) => ({
      key,
      target,
      payload: parseJson(payload) ?? null,
      attempt: Number(attempt),
      ageMs: Number(ageMs),
      token,
    }));
    return Number(wait) >= 0 ? { claimed, nextDueInMs: Number(wait) } : { claimed };
  }

  async settle(c: Claimed, s: Settlement): Promise<boolean> {
    const result = s.state === 'delivered' && s.result !== undefined ? JSON.stringify(s.result) : '';
    const r = await this.o.redis.eval(
      SETTLE,
      6,
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

  async makeAllDue(): Promise<number> {
    return Number(await this.o.redis.eval(ALL_DUE, 1, `${this.p}due`));
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
