// Per-call seq in Redis: one atomic Lua step (INCR with a floor, then PEXPIRE), so every node that publishes a call
// continues the same strictly increasing counter. The floor is the highest seq this node handed out for the call:
// if Redis lost the counter (restart without persistence), the counter jumps past it instead of restarting at 1.
import type { Redis } from 'ioredis';
import type { SeqSource } from '../fanout/seq.js';
import type { ClusterKeys } from './keys.js';

const NEXT = `
local v = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if v <= floor then v = floor + 1; redis.call('SET', KEYS[1], v) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
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
    const v = Number(await this.o.redis.eval(NEXT, 1, this.o.keys.seq(callId), floor, this.ttlMs));
    this.floors.delete(callId);
    this.floors.set(callId, v);
    if (this.floors.size > this.maxFloors) this.floors.delete(this.floors.keys().next().value as string);
    return v;
  }

  async forget(callId: string): Promise<void> {
    await this.o.redis.pexpire(this.o.keys.seq(callId), this.graceMs);
  }
}
