// Live calls in one Redis hash per org: field = liveKey, value = {"s":seq,"c":callId,"t":updatedAt,"a":audience,"v":view}.
// The seq rule (lower or equal seq ignored; `ended` deletes) is one Lua step. Bounded: the hash expires after
// `ttlMs` without writes, and entries older than `maxAgeMs` (a call whose end was never seen) are dropped on read.
import type { Redis } from 'ioredis';
import type { CallView } from '../contract.js';
import type { Audience } from '../calls/types.js';
import type { LiveCallEntry, LiveCallStore } from '../fanout/live-calls.js';
import type { ClusterKeys } from './keys.js';

const SET = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local c = cjson.decode(cur)
  if c.c == ARGV[3] and tonumber(ARGV[2]) <= tonumber(c.s) then return 0 end
end
if ARGV[4] == '1' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[5]) end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1`;

export interface RedisLiveCallStoreOptions {
  redis: Redis;
  keys: ClusterKeys;
  /** The hash expires this long after its last write; default 24 h. */
  ttlMs?: number;
  /** An entry not updated for this long is dropped on read; default 6 h. */
  maxAgeMs?: number;
  now?: () => number;
}

interface Stored {
  s: number;
  c: string;
  t: number;
  a: Audience;
  v: CallView;
}

export class RedisLiveCallStore implements LiveCallStore {
  private readonly ttlMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly o: RedisLiveCallStoreOptions) {
    this.ttlMs = o.ttlMs ?? 86_400_000;
    this.maxAgeMs = o.maxAgeMs ?? 6 * 3_600_000;
    this.now = o.now ?? Date.now;
  }

  async set(key: string, view: CallView, audience: Audience): Promise<void> {
    const stored: Stored = { s: view.seq, c: view.callId, t: this.now(), a: audience, v: view };
    await this.o.redis.eval(SET, 1, this.o.keys.live(), key, view.seq, view.callId, view.state === 'ended' ? '1' : '0',
      JSON.stringify(stored), this.ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.o.redis.hdel(this.o.keys.live(), key);
  }

  async list(): Promise<CallView[]> {
    return (await this.entries()).map((e) => e.view);
  }

  async entries(): Promise<LiveCallEntry[]> {
    const all = await this.o.redis.hgetall(this.o.keys.live());
    const out: LiveCallEntry[] = [];
    const stale: string[] = [];
    const oldest = this.now() - this.maxAgeMs;
    for (const [key, raw] of Object.entries(all)) {
      const s = parse(raw);
      if (!s || s.t < oldest) {
        stale.push(key);
        continue;
      }
      out.push({ key, audience: s.a, view: s.v });
    }
    if (stale.length) await this.o.redis.hdel(this.o.keys.live(), ...stale);
    return out;
  }

  async size(): Promise<number> {
    return this.o.redis.hlen(this.o.keys.live());
  }
}

function parse(raw: string): Stored | undefined {
  try {
    const s = JSON.parse(raw) as Stored | null;
    if (!s || typeof s !== 'object' || typeof s.s !== 'number' || typeof s.t !== 'number') return undefined;
    if (!s.a || typeof s.a !== 'object' || (s.a.kind !== 'agent' && s.a.kind !== 'call')) return undefined;
    if (!s.v || typeof s.v !== 'object' || typeof s.v.callId !== 'string') return undefined;
    return s;
  } catch {
    return undefined;
  }
}
