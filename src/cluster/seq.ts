// Per-call seq in Redis: one atomic Lua step (INCR with a floor, then PEXPIRE), so every node that publishes a call
// continues the same strictly increasing counter. The floor is the highest seq this node handed out for the call:
// if Redis lost the counter (restart without persistence), the counter jumps past it instead of restarting at 1.
import type { Redis } from 'ioredis';
import type { Audience } from '../calls/types.js';
import type { CallView } from '../contract.js';
import type { LiveCallStore } from '../fanout/live-calls.js';
import type { SeqSource } from '../fanout/seq.js';
import type { ClusterKeys } from './keys.js';
import { LIVE_SET_RULE, RedisLiveCallStore } from './live-calls.js';

const NEXT = `
local v = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if v <= floor then v = floor + 1; redis.call('SET', KEYS[1], v) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return v`;

/** NEXT and the live store's rule in one step: KEYS = [seq, live hash]; the stored JSON is joined around the seq. */
const NEXT_AND_STORE = `
local v = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if v <= floor then v = floor + 1; redis.call('SET', KEYS[1], v) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local lk, f, s, cid, ended, ttl = KEYS[2], ARGV[3], v, ARGV[4], ARGV[5], ARGV[10]
local val = ARGV[6] .. v .. ARGV[7] .. v .. ARGV[8] .. v .. ARGV[9]
${LIVE_SET_RULE}
return v`;

export interface RedisSeqSourceOptions {
  redis: Redis;
  keys: ClusterKeys;
  /** Counter lifetime after its last use; default 24 h. */
  ttlMs?: number;
  /** Counter lifetime after the call ended; default 10 min. */
  graceMs?: number;
  /** Local floors remembered; default 50 000 (least recently used dropped). */
  maxFloors?: number;
}

export class RedisSeqSource implements SeqSource {
  private readonly floors = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly graceMs: number;
  private readonly maxFloors: number;

  constructor(private readonly o: RedisSeqSourceOptions) {
    this.ttlMs = o.ttlMs ?? 86_400_000;
    this.graceMs = o.graceMs ?? 600_000;
    this.maxFloors = Math.max(1, o.maxFloors ?? 50_000);
  }

  async next(callId: string): Promise<number> {
    const floor = this.floors.get(callId) ?? 0;
    return this.remember(callId, Number(await this.o.redis.eval(NEXT, 1, this.o.keys.seq(callId), floor, this.ttlMs)));
  }

  /** The next seq and the live store's update in one Redis step (one round trip instead of two), when `live` is the
   *  Redis store of this server and org; undefined otherwise (the caller does next() and live.set()). */
  nextStored(
    callId: string,
    live: LiveCallStore,
    key: string,
    audience: Audience,
    draft: CallView,
  ): Promise<number> | undefined {
    if (!(live instanceof RedisLiveCallStore) || !live.sharesRedis(this.o.redis, this.o.keys)) return undefined;
    const p = live.parts(key, draft, audience);
    return this.o.redis
      .eval(
        NEXT_AND_STORE,
        2,
        this.o.keys.seq(callId),
        p.liveKey,
        this.floors.get(callId) ?? 0,
        this.ttlMs,
        p.field,
        p.callId,
        p.ended,
        ...p.json,
        p.ttlMs,
      )
      .then((r) => this.remember(callId, Number(r)));
  }

  private remember(callId: string, v: number): number {
    this.floors.delete(callId);
    this.floors.set(callId, v);
    if (this.floors.size > this.maxFloors) this.floors.delete(this.floors.keys().next().value as string);
    return v;
  }

  async forget(callId: string): Promise<void> {
    await this.o.redis.pexpire(this.o.keys.seq(callId), this.graceMs);
  }
}
