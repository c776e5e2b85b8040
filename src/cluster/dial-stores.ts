// Click-to-call's shared state in cluster mode: the per-agent rate limit (a token bucket in one Lua step, on Redis
// time so every node agrees) and idempotency (SET NX PX). Both implement src/dial's interfaces; keys expire.
import type { Redis } from 'ioredis';
import type { DialOk } from '../contract.js';
import type { IdempotencyEntry, IdempotencyStore } from '../dial/idempotency.js';
import type { RateDecision, RateLimiter } from '../dial/rate-limiter.js';
import type { ClusterKeys } from './keys.js';

const TAKE = `
local cap = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'n', 'at')
local n = tonumber(b[1]) or cap
local at = tonumber(b[2]) or now
if now > at then n = math.min(cap, n + (now - at) * perMs) end
local ok = 0
local wait = 0
if n >= 1 then n = n - 1; ok = 1 else wait = math.max(1, math.ceil((1 - n) / perMs)) end
redis.call('HSET', KEYS[1], 'n', tostring(n), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / perMs) + 1000)
return {ok, wait}`;

export class RedisRateLimiter implements RateLimiter {
  private readonly perMs: number;

  constructor(private readonly o: { redis: Redis; keys: ClusterKeys; perMinute: number }) {
    if (!Number.isFinite(o.perMinute) || o.perMinute <= 0) throw new RangeError('perMinute must be a positive number');
    this.perMs = o.perMinute / 60_000;
  }

  async take(key: string): Promise<RateDecision> {
    const [ok, wait] = (await this.o.redis.eval(TAKE, 1, this.o.keys.rate(key), this.o.perMinute, this.perMs)) as [
      number,
      number,
    ];
    return Number(ok) === 1 ? { ok: true } : { ok: false, retryAfterMs: Math.max(1, Number(wait)) };
  }
}

const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], '{"state":"pending"}', 'PX', ARGV[1])
return false`;

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(private readonly o: { redis: Redis; keys: ClusterKeys }) {}

  async claim(key: string, ttlMs: number): Promise<IdempotencyEntry | undefined> {
    const v = (await this.o.redis.eval(CLAIM, 1, this.o.keys.idempotency(key), Math.max(1, Math.ceil(ttlMs)))) as
      | string
      | null;
    if (v === null || v === undefined) return undefined;
    return parseEntry(v);
  }

  async complete(key: string, result: DialOk, ttlMs: number): Promise<void> {
    const entry: IdempotencyEntry = { state: 'done', result };
    await this.o.redis.set(this.o.keys.idempotency(key), JSON.stringify(entry), 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async release(key: string): Promise<void> {
    await this.o.redis.del(this.o.keys.idempotency(key));
  }
}

/** An unreadable entry still holds the key (pending): never dial twice because of a bad value. */
function parseEntry(raw: string): IdempotencyEntry {
  try {
    const v = JSON.parse(raw) as { state?: unknown; result?: { status?: unknown; number?: unknown } } | null;
    if (v?.state === 'done' && v.result?.status === 'dialing' && typeof v.result.number === 'string') {
      return { state: 'done', result: { status: 'dialing', number: v.result.number } };
    }
  } catch {
    // fall through
  }
  return { state: 'pending' };
}
