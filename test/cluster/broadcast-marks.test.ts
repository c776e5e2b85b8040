// BroadcastMarks (cluster/broadcast-marks.ts): the adapter's XADDs wait for the end of the step that emitted them and
// go out with the done marks of that step in one command; the ids the adapter gets back are its entries' stream ids.
import type { Socket as NetSocket } from 'node:net';
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BroadcastMarks } from '../../src/cluster/broadcast-marks.js';
import { startRedis, type TestRedis } from './helpers.js';

const STREAM = 'ab:{org-bm}:sio';
const t = suite<{ redis?: TestRedis; probe?: Redis }>('cluster: broadcasts and their done marks in one command');
t.before(async (ctx) => {
  ctx.redis = await startRedis();
  if (ctx.redis) ctx.probe = new Redis(ctx.redis.url);
});
t.after(async (ctx) => {
  ctx.probe?.disconnect();
  await ctx.redis?.stop();
});

/** An XADD as the Socket.IO streams adapter sends it (`client.xadd.call(client, args)`). */
function broadcast(client: Redis, data: string): Promise<unknown> {
  const args = [STREAM, 'MAXLEN', '~', 10_000, '*', 'uid', 'u1', 'nsp', '/', 'type', '3', 'data', data];
  return (client.xadd as unknown as (a: unknown[]) => Promise<unknown>).call(client, args);
}

t(
  'two broadcasts and two marks of one step: their stream ids in order, the marks with their lifetimes',
  async (ctx) => {
    const { redis, probe } = ctx;
    if (!redis || !probe) return;
    const conn = new Redis(redis.url);
    try {
      const marks = new BroadcastMarks(conn);
      const sent = [broadcast(marks.client(), 'one'), broadcast(marks.client(), 'two')];
      const marked = [marks.mark('ab:{org-bm}:evt:a', 60_000), marks.mark('ab:{org-bm}:evt:b', 30_000)];
      const ids = await Promise.all(sent);
      await Promise.all(marked);
      const entries = await probe.xrange(STREAM, '-', '+');
      assert.equal(
        entries.slice(-2).map(([id, f]) => [id, f[f.length - 1]]),
        [
          [ids[0], 'one'],
          [ids[1], 'two'],
        ],
      );
      const ttlA = await probe.pttl('ab:{org-bm}:evt:a');
      const ttlB = await probe.pttl('ab:{org-bm}:evt:b');
      assert.ok(ttlA > 30_000 && ttlA <= 60_000, `mark a lives 60 s (${ttlA})`);
      assert.ok(ttlB > 0 && ttlB <= 30_000, `mark b lives 30 s (${ttlB})`);
      // Without a mark, a broadcast goes out alone; a mark without a broadcast in its step too.
      const alone = await broadcast(marks.client(), 'three');
      assert.is((await probe.xrange(STREAM, '-', '+')).at(-1)?.[0], alone);
      await marks.mark('ab:{org-bm}:evt:c', 60_000);
      assert.is(await probe.exists('ab:{org-bm}:evt:c'), 1);
    } finally {
      conn.disconnect();
    }
  },
);

t('the connection dies after the emit, before the step ends: neither the broadcast nor its mark', async (ctx) => {
  const { redis, probe } = ctx;
  if (!redis || !probe) return;
  const conn = new Redis(redis.url, { enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
  await conn.connect();
  const marks = new BroadcastMarks(conn);
  const before = (await probe.xrange(STREAM, '-', '+')).length;
  const sent = broadcast(marks.client(), 'lost');
  // SIGKILL here, between the emit and the mark that follows it in the same tick.
  (conn as unknown as { stream: NetSocket }).stream.destroy();
  const marked = marks.mark('ab:{org-bm}:evt:lost', 60_000);
  await Promise.allSettled([sent, marked]);
  await probe.ping();
  assert.is((await probe.xrange(STREAM, '-', '+')).length, before, 'no broadcast without its mark');
  assert.is(await probe.exists('ab:{org-bm}:evt:lost'), 0);
  conn.disconnect();
});

t.run();
