// Live calls in one Redis hash per org: field = liveKey, value = {"s":seq,"c":callId,"t":updatedAt,"a":audience,"v":view}.
// The seq rule (lower or equal seq ignored; `ended` deletes) is one Lua step. Bounded: the hash expires after
// `ttlMs` without writes, and entries older than `maxAgeMs` (a call whose end was never seen) are dropped on read.
import type { Redis } from 'ioredis';
import type { Audience } from '../calls/types.js';
import type { CallView } from '../contract.js';
import type { LiveCallEntry, LiveCallStore } from '../fanout/live-calls.js';
import type { ClusterKeys } from './keys.js';

/**
 * The live store's rule as a Lua fragment, on locals `lk` (hash), `f` (field), `s` (seq, a number), `cid` (callId),
 * `ended` ('1' deletes), `val` (the stored JSON), `ttl`: a lower or equal seq of the same call is ignored. One
 * definition for the store's own script and the seq source's combined one (cluster/seq.ts).
 */
export const LIVE_SET_RULE = `
local stale = false
local cur = redis.call('HGET', lk, f)
if cur then
  local c = cjson.decode(cur)
  if c.c == cid and s <= tonumber(c.s) then stale = true end
end
if not stale then
  if ended == '1' then redis.call('HDEL', lk, f) else redis.call('HSET', lk, f, val) end
  redis.call('PEXPIRE', lk, ttl)
end`;

const SET = `
local lk, f, s, cid, ended, val, ttl = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
${LIVE_SET_RULE}
if stale then return 0 end
return 1`;

/** What the combined seq + live step needs: the stored JSON cut around the seq (it appears three times), so Redis
 *  can put in the seq it hands out. Joined with the seq it is byte for byte what set() stores. */
export interface LiveStoreParts {
  liveKey: string;
  field: string;
  callId: string;
  ended: '0' | '1';
  /** [before s, before the id's seq, before seq, after seq] */
  json: [string, string, string, string];
  ttlMs: number;
}

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

  /** Whether the seq source on `redis` with `keys` can write this store in its own step (same server, same org). */
  sharesRedis(redis: Redis, keys: ClusterKeys): boolean {
    return this.o.redis === redis && this.o.keys.live() === keys.live();
  }

  /** The arguments of the combined seq + live step for `draft` (a view whose id and seq are still to come). */
  parts(key: string, draft: CallView, audience: Audience): LiveStoreParts {
    const { id: _id, callId, seq: _seq, ...rest } = draft;
    const restJson = JSON.stringify(rest);
    const tail = restJson === '{}' ? '}}' : `,${restJson.slice(1)}}`;
    return {
      liveKey: this.o.keys.live(),
      field: key,
      callId,
      ended: draft.state === 'ended' ? '1' : '0',
      json: [
        '{"s":',
        `,"c":${JSON.stringify(callId)},"t":${this.now()},"a":${JSON.stringify(audience)},"v":{"id":${JSON.stringify(`${callId}:`).slice(0, -1)}`,
        `","callId":${JSON.stringify(callId)},"seq":`,
        tail,
      ],
      ttlMs: this.ttlMs,
    };
  }

  async set(key: string, view: CallView, audience: Audience): Promise<void> {
    const stored: Stored = { s: view.seq, c: view.callId, t: this.now(), a: audience, v: view };
    await this.o.redis.eval(
      SET,
      1,
      this.o.keys.live(),
      key,
      view.seq,
      view.callId,
      view.state === 'ended' ? '1' : '0',
      JSON.stringify(stored),
      this.ttlMs,
    );
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
