// Seq and live store in one Redis step (RedisSeqSource.nextStored): one command per published update instead of two,
// the same seqs, the same stored bytes, the same seq rule and floor as next() + set().

import { Redis } from 'ioredis';
import * as assert from 'uvu/assert';
import { clusterKeys } from '../../src/cluster/keys.js';
import { RedisLiveCallStore } from '../../src/cluster/live-calls.js';
import { RedisSeqSource } from '../../src/cluster/seq.js';
import type { CallView } from '../../src/contract.js';
import { type LiveCallStore, liveKey, MemoryLiveCallStore } from '../../src/fanout/live-calls.js';
import { CallPublisher } from '../../src/fanout/publisher.js';
import type { EnrichedUpdate } from '../../src/fanout/types.js';
import { toCallView } from '../../src/fanout/view.js';
import { countingRedis, redisSuite } from '../helpers/redis-suite.js';

const t = redisSuite('cluster seq + live in one step (real Redis)');
let n = 0;

function update(org: string, over: Partial<EnrichedUpdate> = {}): EnrichedUpdate {
  return {
    audience: { kind: 'call', queueId: 'q1' },
    callId: 'call-"1"',
    org,
    state: 'ringing',
    direction: 'inbound',
    from: { number: '0934890883', name: 'Nguyễn "Văn" A' },
    to: { number: '02873019555' },
    queue: { id: 'q1', name: 'Sales' },
    startedAt: '2024-05-01T10:00:00.000Z',
    receivedAt: 1,
    contact: null,
    contactStatus: 'not_found',
    ...over,
  };
}

function publisher(org: string, redis: Redis, live?: LiveCallStore) {
  const keys = clusterKeys(org);
  const store = live ?? new RedisLiveCallStore({ redis, keys, now: () => 1234 });
  const sent: CallView[] = [];
  const pub = new CallPublisher({
    emitter: { emitCall: (_r, v) => sent.push(v) },
    seq: new RedisSeqSource({ redis, keys }),
    live: store,
    org,
  });
  return { pub, sent, store, keys };
}

t('one command per publish; seqs 1, 2, 3 across audiences; the live entries are the views emitted', async ({ c }) => {
  if (!c) return;
  const org = `sl${++n}`;
  const { redis, counts } = countingRedis(c);
  const { pub, sent, store } = publisher(org, redis);
  await pub.publish(update(org));
  await pub.publish(update(org, { audience: { kind: 'agent', username: 'ann' } }));
  await pub.publish(update(org, { state: 'answered', answeredAt: '2024-05-01T10:00:05.000Z' }));
  assert.equal(
    sent.map((v) => v.seq),
    [1, 2, 3],
  );
  assert.is(counts.eval, 3, 'one script per update');
  const byKey = new Map((await store.entries()).map((e) => [e.key, e.view]));
  assert.is(byKey.size, 2);
  assert.equal(byKey.get(liveKey(sent[2]!.callId, { kind: 'call' })), sent[2]);
  assert.equal(byKey.get(liveKey(sent[1]!.callId, { kind: 'agent', username: 'ann' })), sent[1]);
  assert.equal(sent[2], toCallView(update(org, { state: 'answered', answeredAt: '2024-05-01T10:00:05.000Z' }), 3));
});

t('the stored value is byte for byte what set() stores', async ({ c }) => {
  if (!c) return;
  const org = `sl${++n}`;
  const { pub, sent, keys } = publisher(org, c);
  const u = update(org);
  await pub.publish(u);
  const raw = await c.hget(keys.live(), liveKey(u.callId, u.audience));
  assert.is(raw, JSON.stringify({ s: 1, c: u.callId, t: 1234, a: u.audience, v: sent[0] }));
  // And set() itself, on another field, stores the same shape.
  await new RedisLiveCallStore({ redis: c, keys, now: () => 1234 }).set('other', sent[0]!, u.audience);
  assert.is(await c.hget(keys.live(), 'other'), raw);
});

t(
  'the seq rule: a newer entry of the same call stays; ended deletes; a lost counter continues above the floor',
  async ({ c }) => {
    if (!c) return;
    const org = `sl${++n}`;
    const { pub, sent, store, keys } = publisher(org, c);
    const u = update(org);
    const key = liveKey(u.callId, u.audience);
    await new RedisLiveCallStore({ redis: c, keys }).set(key, toCallView(u, 10), u.audience);
    await pub.publish(update(org, { state: 'answered' }));
    assert.is(sent[0]!.seq, 1);
    assert.equal(
      (await store.entries()).map((e) => e.view.seq),
      [10],
      'the newer stored view is kept',
    );
    await c.del(keys.seq(u.callId)); // Redis lost the counter
    await pub.publish(update(org, { state: 'answered', answeredAt: 'x' }));
    assert.is(sent[1]!.seq, 2, 'continues above the floor, not 1');
    await c.hdel(keys.live(), key);
    await pub.publish(update(org, { state: 'answered', answeredAt: 'y' }));
    assert.is((await store.entries()).length, 1);
    await pub.publish(update(org, { state: 'ended', endedAt: 'z' }));
    assert.equal(
      sent.map((v) => v.seq),
      [1, 2, 3, 4],
    );
    assert.is((await store.entries()).length, 0, 'ended deletes');
  },
);

t('another store (memory) or another Redis client: the two-step path, same result', async ({ c }) => {
  if (!c) return;
  const org = `sl${++n}`;
  const { redis, counts } = countingRedis(c);
  const mem = new MemoryLiveCallStore();
  const { pub, sent } = publisher(org, redis, mem);
  await pub.publish(update(org));
  assert.is(counts.eval, 1, 'the seq only');
  assert.equal(mem.list(), [sent[0]]);
  const other = new Redis(c.options.port ? { port: c.options.port, host: c.options.host } : {});
  try {
    const keys = clusterKeys(org);
    const store = new RedisLiveCallStore({ redis: other, keys });
    const p2 = publisher(org, redis, store);
    await p2.pub.publish(update(org, { callId: 'c2' }));
    assert.is(counts.eval, 2, 'seq on one client; the store wrote on its own client');
    assert.equal(
      (await store.entries()).map((e) => e.view),
      p2.sent,
    );
  } finally {
    await other.quit();
  }
});

t.run();
