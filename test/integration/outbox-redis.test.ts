// The Redis outbox against the real Redis (REDIS_URL or 127.0.0.1:6379), under a unique org per run, cleaned up:
// two workers both enqueueing every key (two upstream holders) deliver each key once; a worker SIGKILLed with
// claimed deliveries in flight → the other delivers them once its lease ends; stats and restart; per-lane claims,
// stalls counted at reclaim, replace of an unsent payload, scripts by EVALSHA (issue 15 items 5, 7, 9, 12).

import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterKeys } from '../../src/cluster/keys.js';
import { createLogger } from '../../src/log.js';
import { laneOf, webhookKey } from '../../src/outbox/keys.js';
import { RedisOutbox, RedisStore } from '../../src/outbox/redis.js';
import { type DeliveryAttempt, giveUp, ok, retry } from '../../src/outbox/types.js';
import { waitFor } from '../helpers/wait.js';
import { type CountingReceiver, countingReceiver, type OutboxChild, outboxChild } from './outbox-fixture.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('silent');
const fast = { retryDelaysMs: [30], jitter: 0, pollMs: 25, attemptTimeoutMs: 1000, leaseMs: 3000 };
let run = 0;

interface Ctx {
  org: string;
  redis: Redis[];
  boxes: RedisOutbox[];
  children: OutboxChild[];
  rx: CountingReceiver;
}
const t = suite<Ctx>('outbox: Redis');
t.before.each(async (ctx) => {
  ctx.org = `outbox-test-${process.pid}-${Date.now()}-${run++}`;
  ctx.redis = [];
  ctx.boxes = [];
  ctx.children = [];
  ctx.rx = await countingReceiver();
});
t.after.each(async (ctx) => {
  for (const b of ctx.boxes) await b.stop();
  for (const c of ctx.children) await c.kill();
  await ctx.rx.close();
  const r = new Redis(REDIS_URL);
  const keys = await r.keys(`${clusterKeys(ctx.org).prefix}*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
  for (const c of ctx.redis) await c.quit();
});

const box = (ctx: Ctx, o: Partial<ConstructorParameters<typeof RedisOutbox>[0]> = {}): RedisOutbox => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  ctx.redis.push(redis);
  const b = new RedisOutbox({ redis, keys: clusterKeys(ctx.org), logger, ...fast, ...o });
  ctx.boxes.push(b);
  return b;
};

t('two workers, every key enqueued by both: each key delivered exactly once, work shared', async (ctx) => {
  const [a, b] = [box(ctx), box(ctx)];
  const seen = new Map<string, number>();
  const by = { a: 0, b: 0 };
  const handler = (who: 'a' | 'b') => async (x: DeliveryAttempt) => {
    seen.set(x.key, (seen.get(x.key) ?? 0) + 1);
    by[who]++;
    await new Promise((r) => setTimeout(r, 5));
    return ok({ by: who });
  };
  a.handle('antcrm.ticket', handler('a'));
  b.handle('antcrm.ticket', handler('b'));
  await Promise.all([a.start(), b.start()]);
  const N = 60;
  const fresh = await Promise.all(
    Array.from({ length: N }, (_, i) => [
      a.enqueue(`ticket:c${i}`, 'antcrm.ticket', { i }),
      b.enqueue(`ticket:c${i}`, 'antcrm.ticket', { i }),
    ]).flat(),
  );
  assert.is(fresh.filter(Boolean).length, N, 'one enqueue per key wins');
  await waitFor(async () => (await a.stats()).delivered === N, { timeoutMs: 15_000, what: 'all delivered' });
  assert.is(seen.size, N);
  assert.ok(
    [...seen.values()].every((v) => v === 1),
    'no key twice',
  );
  assert.ok(by.a > 0 && by.b > 0, `shared: ${JSON.stringify(by)}`);
  const rec = await b.get('ticket:c0');
  assert.is(rec?.state, 'delivered');
  assert.ok(rec?.result && typeof (rec.result as { by: string }).by === 'string');
  const s = await a.stats();
  assert.equal(
    { pending: s.pending, failed: s.failed, oldestPendingSec: s.oldestPendingSec },
    { pending: 0, failed: 0, oldestPendingSec: 0 },
  );
  assert.is(await a.enqueue('ticket:c0', 'antcrm.ticket', {}), false, 'still known after delivery');
});

t(
  'a worker SIGKILLed with deliveries in flight: the other delivers them once the lease ends, each once',
  async (ctx) => {
    const N = 8;
    // The child delivers to an unroutable address: its attempts hang (1 s timeout) and its claims (1.5 s leases) stay.
    const child = outboxChild(['redis', REDIS_URL, ctx.org, 'http://10.255.255.1:9/unroutable', String(N), '1500']);
    ctx.children.push(child);
    const spy = new Redis(REDIS_URL);
    ctx.redis.push(spy);
    const leaseKey = `${clusterKeys(ctx.org).prefix}outbox:lease`;
    await waitFor(async () => (await spy.zcard(leaseKey)) > 0, { timeoutMs: 15_000, what: 'the child to hold leases' });
    const held = await spy.zcard(leaseKey);
    await child.kill();
    const b = box(ctx);
    const got = new Map<string, number>();
    let firstLeasedAt = 0;
    b.handle('webhook', async (x) => {
      got.set(x.key, (got.get(x.key) ?? 0) + 1);
      if (x.attempt >= 2 && !firstLeasedAt) firstLeasedAt = Date.now();
      return ok();
    });
    const t0 = Date.now();
    await b.start();
    await waitFor(() => got.size === N, { timeoutMs: 15_000, what: 'the survivor delivers every key' });
    assert.ok(held > 0);
    assert.ok(
      [...got.values()].every((v) => v === 1),
      JSON.stringify([...got]),
    );
    assert.ok(firstLeasedAt > 0, 'deliveries the dead node had claimed were taken over');
    assert.ok(firstLeasedAt - t0 < 3000, 'within about the lease');
    await waitFor(async () => (await b.stats()).delivered === N);
    assert.is((await b.stats()).pending, 0);
  },
);

t('a node starting does not steal the live leases of another node', async (ctx) => {
  const a = box(ctx, { leaseMs: 5000, concurrency: 1 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let attemptsA = 0;
  a.handle('webhook', async () => {
    attemptsA++;
    await gate;
    return ok();
  });
  await a.start();
  await a.enqueue('slow', 'webhook', {});
  await waitFor(() => attemptsA === 1);
  const b = box(ctx);
  let attemptsB = 0;
  const byB: string[] = [];
  b.handle('webhook', async (x) => {
    byB.push(x.key);
    if (x.key === 'slow') attemptsB++;
    return ok();
  });
  await b.start();
  // a is busy (concurrency 1): b delivering a later key proves b claimed while a held 'slow'.
  await a.enqueue('later', 'webhook', {});
  await waitFor(() => byB.includes('later'), { what: 'b to deliver a later key' });
  assert.is(attemptsB, 0, "b left a's claim alone");
  release();
  await waitFor(async () => (await a.stats()).delivered === 1);
  assert.is(attemptsB, 0);
});

t('retries, give-up and stats on Redis', async (ctx) => {
  const a = box(ctx);
  a.handle('webhook', async (x) => (x.key === 'gone' ? giveUp('HTTP 410') : x.attempt < 3 ? retry('HTTP 500') : ok()));
  await a.start();
  await a.enqueue('gone', 'webhook', {});
  await a.enqueue('flaky', 'webhook', {});
  await waitFor(
    async () => {
      const s = await a.stats();
      return s.delivered === 1 && s.failed === 1;
    },
    { what: 'settled' },
  );
  const s = await a.stats();
  assert.equal(
    s.failures.map((f) => [f.key, f.target, f.attempts, f.lastError]),
    [['gone', 'webhook', 1, 'HTTP 410']],
  );
  assert.is((await a.get('flaky'))?.attempts, 3);
  assert.is((await a.get('flaky'))?.lastError, 'HTTP 500');
});

t('the store: lanes, stalls at reclaim, replace only when not leased, EVALSHA', async (ctx) => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  ctx.redis.push(redis);
  const store = new RedisStore({ redis, keys: clusterKeys(ctx.org), maxAgeMs: 60_000, retainMs: 60_000 });
  const stat = async (name: string) =>
    Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(await redis.info('commandstats'))?.[1] ?? 0);
  const evalshaBefore = await stat('evalsha');
  const hung = (i: number) => webhookKey(`c${i}:1`, 'aaaaaaaaaaaa');
  for (let i = 0; i < 5; i++) await store.insert(hung(i), 'webhook', '{}');
  await store.insert('ticket:t1', 'antcrm.ticket', '{"title":"a"}');
  const hungLane = laneOf('webhook', hung(0));
  // The hung lane already has 2 in flight: the claim passes its 5 due keys by and takes the ticket.
  const first = await store.claim(3, 50, 'n1', { perLane: 2, busy: new Map([[hungLane, 2]]) });
  assert.equal(
    first.claimed.map((c) => [c.key, c.lane]),
    [['ticket:t1', 'antcrm']],
  );
  assert.is(await store.replace('ticket:t1', '{"title":"b"}'), false, 'leased: not replaced');
  // Its holder dies: the lease ends, the next claim counts a stall and sees the same payload.
  await waitFor(
    async () =>
      (await store.claim(1, 60_000, 'n2', { perLane: 2, busy: new Map([[hungLane, 2]]) })).claimed.length === 1,
    { what: 'the ended lease claimed again' },
  );
  assert.is((await store.get('ticket:t1'))?.attempts, 2);
  const j = await redis.hget(`${clusterKeys(ctx.org).prefix}outbox:j:ticket:t1`, 'stalls');
  assert.is(j, '1', 'one stall counted');
  const c = {
    key: 'ticket:t1',
    target: 'antcrm.ticket',
    payload: null,
    attempt: 2,
    ageMs: 0,
    token: 'n2',
    lane: 'antcrm',
    stalls: 1,
  };
  assert.ok(await store.settle(c, { state: 'pending', delayMs: 60_000, error: 'HTTP 500' }));
  assert.is(await store.replace('ticket:t1', '{"title":"b"}'), true, 'waiting for its retry: replaced');
  assert.is(await store.replace('ticket:none', '{}'), false);
  // Each call runs by EVALSHA (ioredis sends EVAL only when Redis answers NOSCRIPT).
  assert.ok((await stat('evalsha')) - evalshaBefore >= 7, 'the scripts ran by EVALSHA');
});

t.run();
