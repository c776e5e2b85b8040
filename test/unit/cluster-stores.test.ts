// RedisSeqSource, RedisLiveCallStore, RedisContactCache against a real redis-server (own port, or REDIS_URL).

import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RedisContactCache } from '../../src/cluster/contact-cache.js';
import { SharedDashboardSource } from '../../src/cluster/dashboard-source.js';
import { RedisIdempotencyStore, RedisRateLimiter } from '../../src/cluster/dial-stores.js';
import { clusterKeys } from '../../src/cluster/keys.js';
import { RedisLiveCallStore } from '../../src/cluster/live-calls.js';
import { RedisSeqSource } from '../../src/cluster/seq.js';
import type { CallView } from '../../src/contract.js';
import { createLogger } from '../../src/log.js';
import { startRedis, type TestRedis } from '../cluster/helpers.js';

const t = suite<{ redis?: TestRedis; c?: Redis }>('cluster stores (real Redis)');
const org = `org-${process.pid}`;
const keys = clusterKeys(org);
t.before(async (ctx) => {
  ctx.redis = await startRedis();
  if (ctx.redis) ctx.c = new Redis(ctx.redis.url);
});
t.after(async (ctx) => {
  if (ctx.c) {
    const ks = await ctx.c.keys(`ab:{${org}}:*`);
    if (ks.length) await ctx.c.del(...ks);
    await ctx.c.quit();
  }
  await ctx.redis?.stop();
});

function view(callId: string, seq: number, state: CallView['state'] = 'ringing'): CallView {
  return {
    id: `${callId}:${seq}`,
    callId,
    seq,
    org,
    state,
    direction: 'inbound',
    from: { number: '1' },
    to: { number: '2' },
    contact: null,
    contactStatus: 'not_found',
    startedAt: '2026-01-01T00:00:00.000Z',
  } as CallView;
}

t('keys are namespaced per org with a hash tag', () => {
  assert.is(keys.seq('c1'), `ab:{${org}}:seq:c1`);
  assert.is(keys.owner('c1'), `ab:{${org}}:call:c1:owner`);
});

t('seq: 1, 2, 3 per call across instances (one counter in Redis); expires; survives a lost counter', async ({ c }) => {
  if (!c) return;
  const a = new RedisSeqSource({ redis: c, keys });
  const b = new RedisSeqSource({ redis: c, keys });
  assert.equal([await a.next('s1'), await b.next('s1'), await a.next('s1'), await a.next('s2')], [1, 2, 3, 1]);
  const ttl = await c.pttl(keys.seq('s1'));
  assert.ok(ttl > 0 && ttl <= 86_400_000, 'the counter expires');
  await a.forget('s1');
  assert.ok((await c.pttl(keys.seq('s1'))) <= 600_000, 'an ended call keeps its counter for the grace period only');
  await c.del(keys.seq('s1')); // Redis lost it (restart without persistence)
  assert.is(await a.next('s1'), 4, 'the local floor keeps the seq increasing');
  const parallel = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).next('s3')));
  assert.equal(
    [...parallel].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i + 1),
    'atomic: no seq given twice',
  );
});

t('live calls: the seq rule, ended deletes, audiences, expiry, stale and garbage entries dropped', async ({ c }) => {
  if (!c) return;
  let now = 1_000_000;
  const s = new RedisLiveCallStore({ redis: c, keys, maxAgeMs: 60_000, now: () => now });
  await s.set('k1', view('c1', 2), { kind: 'call', queueId: 'q' });
  await s.set('k1', view('c1', 1), { kind: 'call', queueId: 'q' });
  await s.set('k1', view('c1', 2, 'answered'), { kind: 'call', queueId: 'q' });
  assert.equal(
    (await s.list()).map((v) => [v.seq, v.state]),
    [[2, 'ringing']],
    'lower or equal seq ignored',
  );
  await s.set('k2', view('c2', 1), { kind: 'agent', username: 'ann' });
  assert.is(await s.size(), 2);
  const e = (await s.entries()).find((x) => x.key === 'k2')!;
  assert.equal(e.audience, { kind: 'agent', username: 'ann' });
  await s.set('k1', view('c1', 3, 'ended'), { kind: 'call', queueId: 'q' });
  assert.equal(
    (await s.list()).map((v) => v.callId),
    ['c2'],
    'ended removes the entry',
  );
  assert.ok((await c.pttl(keys.live())) > 0, 'the hash expires');
  await c.hset(keys.live(), 'junk', '{not json');
  now += 120_000;
  await s.set('k3', view('c3', 1), { kind: 'call' });
  assert.equal(
    (await s.list()).map((v) => v.callId),
    ['c3'],
    'stale and unreadable entries are dropped on read',
  );
  assert.is(await c.hlen(keys.live()), 1);
  await s.delete('k3');
  assert.is(await s.size(), 0);
});

t('contact cache: round trip with TTL; unreadable or invalid entries are misses', async ({ c }) => {
  if (!c) return;
  const cc = new RedisContactCache({ redis: c, keys });
  assert.is(await cc.get('0901'), undefined);
  await cc.set('0901', { status: 'found', contact: { id: 'x', name: 'X' } as never }, 5000);
  assert.equal(await cc.get('0901'), { status: 'found', contact: { id: 'x', name: 'X' } });
  const ttl = await c.pttl(keys.contact('0901'));
  assert.ok(ttl > 0 && ttl <= 5000);
  await cc.set('0902', { status: 'not_found', contact: null }, 0);
  assert.is(await c.exists(keys.contact('0902')), 0, 'ttl 0 = not stored');
  await c.set(keys.contact('0903'), '{"status":"weird"}');
  await c.set(keys.contact('0904'), 'garbage');
  assert.is(await cc.get('0903'), undefined);
  assert.is(await cc.get('0904'), undefined);
});

t('rate limiter: a shared token bucket per key (two instances, one budget); the key expires', async ({ c }) => {
  if (!c) return;
  const a = new RedisRateLimiter({ redis: c, keys, perMinute: 3 });
  const b = new RedisRateLimiter({ redis: c, keys, perMinute: 3 });
  const r = [await a.take('ann'), await b.take('ann'), await a.take('ann'), await b.take('ann')];
  assert.equal(r.slice(0, 3), [{ ok: true }, { ok: true }, { ok: true }]);
  assert.is(r[3]!.ok, false);
  const wait = (r[3] as { retryAfterMs: number }).retryAfterMs;
  assert.ok(wait > 15_000 && wait <= 20_000, `one token per 20 s (${wait})`);
  assert.equal(await a.take('bob'), { ok: true }, 'per key');
  const ttl = await c.pttl(keys.rate('ann'));
  assert.ok(ttl > 0 && ttl <= 61_000);
});

t(
  'idempotency: one claim wins across instances; done carries the result; release frees; bad values hold the key',
  async ({ c }) => {
    if (!c) return;
    const a = new RedisIdempotencyStore({ redis: c, keys });
    const b = new RedisIdempotencyStore({ redis: c, keys });
    const claims = await Promise.all([a.claim('k', 5000), b.claim('k', 5000), a.claim('k', 5000)]);
    assert.is(claims.filter((x) => x === undefined).length, 1, 'exactly one caller dials');
    assert.equal(claims.filter(Boolean), [{ state: 'pending' }, { state: 'pending' }]);
    await a.complete('k', { status: 'dialing', number: '0901' }, 5000);
    assert.equal(await b.claim('k', 5000), { state: 'done', result: { status: 'dialing', number: '0901' } });
    assert.ok((await c.pttl(keys.idempotency('k'))) > 0);
    await b.release('k');
    assert.is(await a.claim('k', 5000), undefined, 'free again after release');
    await c.set(keys.idempotency('bad'), 'garbage');
    assert.equal(await a.claim('bad', 5000), { state: 'pending' });
  },
);

t(
  'dashboard source: the leader asks AntRing and shares; the others read the snapshot; no snapshot = ask AntRing',
  async ({ c }) => {
    if (!c) return;
    const k = clusterKeys(`${org}-dash`);
    let calls = 0;
    const upstream = {
      dashboard: async () => {
        calls++;
        return { n: calls };
      },
      queues: async () => {
        calls++;
        return [{ id: 'q' }] as never[];
      },
      agents: async () => {
        calls++;
        return [] as never[];
      },
    };
    const logger = createLogger('silent');
    const leader = new SharedDashboardSource({
      redis: c,
      keys: k,
      upstream,
      isLeader: () => true,
      ttlMs: 5000,
      logger,
    });
    const follower = new SharedDashboardSource({
      redis: c,
      keys: k,
      upstream,
      isLeader: () => false,
      ttlMs: 5000,
      logger,
    });
    assert.equal(await follower.queues(), [{ id: 'q' }], 'no snapshot yet: asks AntRing');
    assert.is(calls, 1);
    assert.equal(await leader.dashboard(), { n: 2 });
    await new Promise((r) => setImmediate(r));
    await waitForKey(c, `${k.dashboard()}:main`);
    assert.equal(await follower.dashboard(), { n: 2 }, 'the shared snapshot');
    assert.equal(await follower.queues(), [{ id: 'q' }]);
    assert.is(calls, 2, 'the follower did not ask AntRing again');
    assert.ok((await c.pttl(`${k.dashboard()}:main`)) <= 5000, 'the snapshot expires');
    await c.set(`${k.dashboard()}:agents`, '{"not":"an array"}');
    assert.equal(await follower.agents(), []);
    assert.is(calls, 3, 'an invalid snapshot = ask AntRing');
  },
);

async function waitForKey(c: Redis, key: string): Promise<void> {
  for (let i = 0; i < 100 && !(await c.exists(key)); i++) await new Promise((r) => setTimeout(r, 5));
}

t.run();
