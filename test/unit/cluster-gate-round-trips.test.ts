// The gate's Redis round trips: a standby's re-check and a first claim read the done marks in the claim's own
// step (one command, not a claim then an MGET), and still skip or prune exactly what the owner marked done.

import type { Redis } from 'ioredis';
import * as assert from 'uvu/assert';
import type { CallUpdate } from '../../src/calls/types.js';
import { CallGate, type TaggedUpdate, updateId } from '../../src/cluster/gate.js';
import { clusterKeys } from '../../src/cluster/keys.js';
import { createLogger } from '../../src/log.js';
import { countingRedis, redisSuite } from '../helpers/redis-suite.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const t = redisSuite('cluster gate round trips (real Redis)');
let n = 0;

function upd(callId: string, state: CallUpdate['state']): CallUpdate {
  return {
    audience: { kind: 'call' },
    callId,
    org: 'o',
    state,
    direction: 'inbound',
    from: { number: '1' },
    to: { number: '2' },
    startedAt: '2026-01-01T00:00:00.000Z',
    receivedAt: 0,
  };
}
const E = (msgId: string, callId: string) => ({ msgId, name: 'CHANNEL_CREATE', legId: callId });
/** The id of the i-th update of event `msgId` of call c1. */
const id = (msgId: string, i: number) => updateId(E(msgId, 'c1'), 'c1', i) ?? '';

function gate(redis: Redis, org: string, name: string, tickMs: number) {
  const out: TaggedUpdate[] = [];
  const g = new CallGate({
    redis,
    keys: clusterKeys(org),
    nodeId: name,
    logger,
    heartbeatTtlMs: 60_000,
    tickMs,
    forward: (u) => out.push(u),
  });
  g.setActive(true);
  g.start();
  return { g, out };
}

t('a standby re-checks a call owned elsewhere with one command per tick, and prunes what is done', async ({ c }) => {
  if (!c) return;
  const org = `rt${++n}`;
  const a = gate(c, org, 'A', 10_000);
  a.g.push(E('m1', 'c1'), [upd('c1', 'ringing')]);
  await waitFor(() => a.out.length === 1, { what: 'A owns c1' });
  const { redis, counts } = countingRedis(c);
  const b = gate(redis, org, 'B', 40);
  b.g.push(E('m1', 'c1'), [upd('c1', 'ringing')]);
  b.g.push(E('m2', 'c1'), [upd('c1', 'answered')]);
  await waitFor(() => (counts.eval ?? 0) >= 3, { what: 'a few re-checks' });
  assert.is(b.g.stats().pending, 2, 'nothing done yet: both kept');
  assert.is(counts.mget ?? 0, 0, 'the done marks came with the claim');
  a.g.published(a.out[0]!);
  await waitFor(() => b.g.stats().pending === 1, { what: 'the done one pruned' });
  assert.is(b.out.length, 0);
  assert.is(counts.mget ?? 0, 0);
  a.g.stop();
  b.g.stop();
});

t('a take-over skips the updates the dead owner marked done, in the same step as the claim', async ({ c }) => {
  if (!c) return;
  const org = `rt${++n}`;
  const keys = clusterKeys(org);
  // A dead owner: its owner key is there, its heartbeat is not; it had marked m1's first update done.
  await c.set(keys.owner('c1'), 'DEAD', 'PX', 60_000);
  await c.set(keys.done(id('m1', 0)), '1', 'PX', 60_000);
  const { redis, counts } = countingRedis(c);
  const b = gate(redis, org, 'B', 10_000);
  b.g.push(E('m1', 'c1'), [upd('c1', 'ringing'), upd('c1', 'answered')]);
  await waitFor(() => b.out.length === 1, { what: 'B takes over and republishes what was not done' });
  assert.equal(
    b.out.map((u) => u.clusterUpdateId),
    [id('m1', 1)],
  );
  assert.is(b.g.stats().takeovers, 1);
  assert.is(b.g.stats().skippedDone, 1);
  assert.is(counts.mget ?? 0, 0, 'no separate MGET on the take-over');
  assert.is(await c.get(keys.owner('c1')), 'B');
  b.g.stop();
});

t('updates pushed while a first claim is on its way are checked against the done marks too', async ({ c }) => {
  if (!c) return;
  const org = `rt${++n}`;
  const keys = clusterKeys(org);
  await c.set(keys.owner('c1'), 'DEAD', 'PX', 60_000);
  await c.set(keys.done(id('m2', 0)), '1', 'PX', 60_000);
  const b = gate(c, org, 'B', 10_000);
  b.g.push(E('m1', 'c1'), [upd('c1', 'ringing')]);
  b.g.push(E('m2', 'c1'), [upd('c1', 'answered')]); // while the claim of m1 is in flight
  b.g.push(E('m3', 'c1'), [upd('c1', 'ended')]);
  await waitFor(() => b.out.length === 2, { what: 'B republishes what was not done' });
  assert.equal(
    b.out.map((u) => u.clusterUpdateId),
    [id('m1', 0), id('m3', 0)],
  );
  b.g.stop();
});

t.run();
