// Change notices between nodes (src/cluster/change-notices.ts) and the recovery index that follows them
// (src/recovery-wiring/follow.ts), over a real redis-server: a recovery another node writes reaches this node's index
// through one notice and one HGET, with no polling; a broken subscriber connection comes back subscribed and asks
// for a full read (pub/sub forgets what it could not deliver).
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RedisChangeNotices } from '../../src/cluster/change-notices.js';
import type { Recovery } from '../../src/recovery/types.js';
import { RecoveryBook } from '../../src/recovery-wiring/book.js';
import { followChanges } from '../../src/recovery-wiring/follow.js';
import { RedisRecoveryStore } from '../../src/recovery-wiring/store.js';
import { silentLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/wait.js';
import { startRedis, type TestRedis } from './helpers.js';

const t = suite<{ redis?: TestRedis; clients: Redis[]; closers: (() => Promise<void>)[] }>('cluster: change notices', {
  clients: [],
  closers: [],
});
t.before(async (ctx) => {
  ctx.redis = await startRedis();
});
t.after.each(async (ctx) => {
  for (const c of ctx.closers.splice(0)) await c();
  for (const c of ctx.clients.splice(0)) c.disconnect();
});
t.after(async (ctx) => {
  await ctx.redis?.stop();
});

const log = silentLogger();
const prefix = `ab:{t${Math.random().toString(36).slice(2)}}:`;
const missed = (id: string, number: string): Recovery => ({
  id,
  tenant: 'acme',
  number,
  dial: number,
  status: 'open',
  missed: [{ callId: id, startedAt: 1000, endedAt: 2000 }],
  openedAt: 2000,
  dueAt: 302_000,
  attempts: 0,
});

/** `INFO commandstats` calls of one command (a node's reads of the whole hash). */
async function calls(r: Redis, cmd: string): Promise<number> {
  const info = await r.info('commandstats');
  const m = new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(info);
  return m ? Number(m[1]) : 0;
}

t("another node's write reaches this node's index through its notice, without polling", async (ctx) => {
  if (!ctx.redis) return;
  const url = ctx.redis.url;
  const mk = () => {
    const r = new Redis(url);
    ctx.clients.push(r);
    return r;
  };
  const admin = mk();
  // Node B: its book follows the store's notices.
  const storeB = new RedisRecoveryStore(mk(), prefix);
  const bookB = new RecoveryBook(storeB);
  const noticesB = new RedisChangeNotices(() => new Redis(url, { autoResubscribe: false }), mk(), log);
  ctx.closers.push(() => noticesB.close());
  const un = await followChanges(bookB, storeB.channel, noticesB, log);
  ctx.closers.push(async () => un());
  await bookB.load(0);
  const hgetallBefore = await calls(admin, 'hgetall');
  // Node A writes a new recovery, then changes it.
  const bookA = new RecoveryBook(new RedisRecoveryStore(mk(), prefix));
  await bookA.change({ id: 'r1' }, () => ({ next: missed('r1', '0934890883'), out: undefined }));
  await waitFor(() => bookB.get('r1'), { what: "node B's index to have r1" });
  assert.is(bookB.get('r1')?.rev, 1);
  await bookA.change({ id: 'r1' }, (r) => ({ next: { ...r!, status: 'scheduled', attempts: 1 }, out: undefined }));
  await waitFor(() => bookB.get('r1')?.status === 'scheduled', { what: 'the change to reach node B' });
  assert.is(bookB.get('r1')?.rev, 2);
  assert.is(bookB.activeFor('0934890883')?.id, 'r1', "node B's number index sees it");
  assert.is(await calls(admin, 'hgetall'), hgetallBefore, 'node B never read the whole hash again');
});

t('a broken subscriber connection comes back subscribed and asks for a full read', async (ctx) => {
  if (!ctx.redis) return;
  const url = ctx.redis.url;
  const admin = new Redis(url);
  ctx.clients.push(admin);
  const notices = new RedisChangeNotices(() => new Redis(url, { autoResubscribe: false }), admin, log);
  ctx.closers.push(() => notices.close());
  const got: string[] = [];
  let resyncs = 0;
  await notices.subscribe('chan-a', { message: (m) => got.push(m), resync: () => resyncs++ });
  await admin.publish('chan-a', 'one');
  await waitFor(() => got.includes('one'), { what: 'the first notice' });
  assert.is(resyncs, 0);
  // Kill the subscriber connection (as a Redis restart or a network cut would).
  const killed = await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  assert.ok(Number(killed) >= 1, 'the subscriber connection was killed');
  await waitFor(() => resyncs === 1, { what: 'a resync after the reconnect' });
  await admin.publish('chan-a', 'two');
  await waitFor(() => got.includes('two'), { what: 'a notice after the reconnect' });
  assert.equal(got, ['one', 'two']);
});

t('unsubscribing: no more notices; close is idempotent', async (ctx) => {
  if (!ctx.redis) return;
  const url = ctx.redis.url;
  const admin = new Redis(url);
  ctx.clients.push(admin);
  const notices = new RedisChangeNotices(() => new Redis(url, { autoResubscribe: false }), admin, log);
  const a: string[] = [];
  const b: string[] = [];
  const unA = await notices.subscribe('chan-b', { message: (m) => a.push(m), resync: () => undefined });
  await notices.subscribe('chan-b', { message: (m) => b.push(m), resync: () => undefined });
  await admin.publish('chan-b', '1');
  await waitFor(() => a.length === 1 && b.length === 1, { what: 'both subscribers' });
  unA();
  unA();
  await admin.publish('chan-b', '2');
  await waitFor(() => b.length === 2, { what: 'the remaining subscriber' });
  assert.equal(a, ['1']);
  await notices.close();
  await notices.close();
  assert.is(Number(await admin.publish('chan-b', '3')), 0, 'nobody is subscribed after close');
});

t.run();
