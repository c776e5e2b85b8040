// The gate's Redis round trips: a standby's re-check and a first claim read the done marks in the claim's own
// step (one command, not a claim then an MGET), and still skip or prune exactly what the owner marked done.

import type { Redis } from 'ioredis';
import * as assert from 'uvu/assert';
import { CallGate, type CallGateOptions, type TaggedUpdate, updateId } from '../../src/cluster/gate.js';
import { clusterKeys } from '../../src/cluster/keys.js';
import { createLogger } from '../../src/log.js';
import { createEvent, gateUpdate } from '../helpers/gate-updates.js';
import { countingRedis, redisSuite } from '../helpers/redis-suite.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const t = redisSuite('cluster gate round trips (real Redis)');
let n = 0;

const E = createEvent;
/** The id of the i-th update of event `msgId` of call c1. */
const id = (msgId: string, i: number) => updateId(E(msgId, 'c1'), 'c1', i) ?? '';

function gate(redis: Redis, org: string, name: string, tickMs: number, more: Partial<CallGateOptions> = {}) {
  const out: TaggedUpdate[] = [];
  const g = new CallGate({
    redis,
    keys: clusterKeys(org),
    nodeId: name,
    logger,
    heartbeatTtlMs: 60_000,
    tickMs,
    forward: (u) => out.push(u),
    ...more,
  });
  g.setActive(true);
  g.start();
  return { g, out };
}

t('a standby re-checks a call owned elsewhere with one command per tick, and prunes what is done', async ({ c }) => {
  if (!c) return;
  const org = `rt${++n}`;
  const a = gate(c, org, 'A', 10_000);
  a.g.push(E('m1', 'c1'), [gateUpdate('c1', 'ringing')]);
  await waitFor(() => a.out.length === 1, { what: 'A owns c1' });
  const { redis, counts } = countingRedis(c);
  // standbyPruneMs 0: every call re-checked at every tick (the rule before the owners' heartbeat check).
  const b = gate(redis, org, 'B', 40, { standbyPruneMs: 0 });
  b.g.push(E('m1', 'c1'), [gateUpdate('c1', 'ringing')]);
  b.g.push(E('m2', 'c1'), [gateUpdate('c1', 'answered')]);
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
  b.g.push(E('m1', 'c1'), [gateUpdate('c1', 'ringing'), gateUpdate('c1', 'answered')]);
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
  b.g.push(E('m1', 'c1'), [gateUpdate('c1', 'ringing')]);
  b.g.push(E('m2', 'c1'), [gateUpdate('c1', 'answered')]); // while the claim of m1 is in flight
  b.g.push(E('m3', 'c1'), [gateUpdate('c1', 'ended')]);
  await waitFor(() => b.out.length === 2, { what: 'B republishes what was not done' });
  assert.equal(
    b.out.map((u) => u.clusterUpdateId),
    [id('m1', 0), id('m3', 0)],
  );
  b.g.stop();
});

t(
  'an owner publishes the next events of a call it just won without claiming again, then claims again',
  async ({ c }) => {
    if (!c) return;
    const org = `rt${++n}`;
    const keys = clusterKeys(org);
    let clock = 1_000_000;
    const { redis, counts } = countingRedis(c);
    const out: TaggedUpdate[] = [];
    // Heartbeat 3 s: a won claim is trusted for 1.5 s.
    const g = new CallGate({
      redis,
      keys,
      nodeId: 'A',
      logger,
      heartbeatTtlMs: 3000,
      tickMs: 10_000,
      now: () => clock,
      forward: (u) => out.push(u),
    });
    g.setActive(true);
    g.start();
    g.push(E('m1', 'c1'), [gateUpdate('c1', 'ringing')]);
    await waitFor(() => out.length === 1, { what: 'A wins c1' });
    const claims = counts.eval ?? 0;
    clock += 1400;
    g.push(E('m2', 'c1'), [gateUpdate('c1', 'answered')]);
    g.push(E('m3', 'c1'), [gateUpdate('c1', 'answered')]);
    await waitFor(() => out.length === 3, { what: 'the next events published' });
    assert.is(counts.eval ?? 0, claims, 'no claim while the won one is trusted');
    // Past the trust, the next event is claimed again: a call taken over meanwhile is not published twice.
    clock += 200;
    await c.set(keys.owner('c1'), 'B', 'PX', 60_000);
    await c.set(`${keys.nodePrefix()}B`, '1', 'PX', 60_000);
    g.push(E('m4', 'c1'), [gateUpdate('c1', 'ended')]);
    await waitFor(() => (counts.eval ?? 0) > claims, { what: 'a claim after the trust' });
    await c.ping(); // answered after the claim (same connection): its answer has been handled
    assert.is(g.stats().pending, 1);
    assert.is(out.length, 3, 'B owns c1 now: A keeps m4 pending');
    assert.equal(
      out.map((u) => u.clusterUpdateId),
      [id('m1', 0), id('m2', 0), id('m3', 0)],
    );
    g.stop();
  },
);

function clocked(redis: Redis, org: string, name: string, now: () => number, more: Partial<CallGateOptions> = {}) {
  return gate(redis, org, name, 10_000, { heartbeatTtlMs: 3000, now, ...more });
}

t(
  'the heartbeat of the lease hold keeps an owner trusted; after a gap in the heartbeats it claims again',
  async ({ c }) => {
    if (!c) return;
    const org = `rt${++n}`;
    let clock = 1_000_000;
    const { redis, counts } = countingRedis(c);
    const a = clocked(redis, org, 'A', () => clock);
    a.g.push(E('m1', 'c1'), [gateUpdate('c1', 'ringing')]);
    await waitFor(() => a.out.length === 1, { what: 'A wins c1' });
    const claims = counts.eval ?? 0;
    // Renewals every second (each answered before the previous write could lapse): trusted on and on.
    for (const step of [1000, 1000, 1000]) {
      clock += step;
      a.g.heartbeat(clock);
    }
    clock += 1000;
    a.g.push(E('m2', 'c1'), [gateUpdate('c1', 'answered')]);
    await waitFor(() => a.out.length === 2, { what: 'm2 published' });
    assert.is(counts.eval ?? 0, claims, 'no claim: the heartbeat never lapsed since the claim');
    // A renewal answered 3 s after the previous write: the heartbeat may have lapsed meanwhile (a take-over): claim.
    clock += 2000;
    a.g.heartbeat(clock);
    a.g.push(E('m3', 'c1'), [gateUpdate('c1', 'answered')]);
    await waitFor(() => (counts.eval ?? 0) > claims, { what: 'a claim after the gap' });
    await waitFor(() => a.out.length === 3, { what: 'm3 published after its claim (A still owns c1)' });
    a.g.stop();
  },
);

t('a standby reads the heartbeats of its owners once per tick, and takes over when one lapses', async ({ c }) => {
  if (!c) return;
  const org = `rt${++n}`;
  const keys = clusterKeys(org);
  const a = gate(c, org, 'A', 10_000);
  a.g.push(E('m1', 'c1'), [gateUpdate('c1', 'ringing')]);
  await waitFor(() => a.out.length === 1, { what: 'A owns c1' });
  a.g.stop();
  const { redis, counts } = countingRedis(c);
  const b = gate(redis, org, 'B', 30);
  b.g.push(E('m1', 'c1'), [gateUpdate('c1', 'ringing')]);
  b.g.push(E('m2', 'c1'), [gateUpdate('c1', 'answered')]);
  await waitFor(() => (counts.mget ?? 0) >= 5, { what: 'a few ticks' });
  assert.is(counts.eval ?? 0, 1, 'one claim (lost to A), then no claim per tick while A is alive');
  assert.is(b.out.length, 0);
  // A dies (its heartbeat lapses): B takes c1 over at its next tick, publishing what A did not mark done.
  await c.del(`${keys.nodePrefix()}A`);
  await waitFor(() => b.out.length === 2, { what: 'B takes c1 over' });
  assert.equal(
    b.out.map((u) => u.clusterUpdateId),
    [id('m1', 0), id('m2', 0)],
  );
  assert.is(b.g.stats().takeovers, 1);
  b.g.stop();
});

t.run();
