// CallGate against a real redis-server: one publisher per call among hot standbys, take-over of a dead owner's calls
// without loss or doubles; the cluster settings. (The upstream holds: cluster-tenant-leases.test.ts.)

import { Redis } from 'ioredis';
import * as assert from 'uvu/assert';
import { CallGate, type TaggedUpdate, updateId } from '../../src/cluster/gate.js';
import { clusterKeys } from '../../src/cluster/keys.js';
import { loadConfig } from '../../src/config.js';
import { waitFor } from '../helpers/wait.js';

const loadClusterSettings = (env: Record<string, string>) => loadConfig(env).cluster;

import { createLogger } from '../../src/log.js';
import { createEvent, gateUpdate } from '../helpers/gate-updates.js';
import { redisSuite } from '../helpers/redis-suite.js';

const logger = createLogger('silent');
const t = redisSuite('cluster gate (real Redis)');
let n = 0;

const E = createEvent;
const id = (msgId: string, callId: string, i: number) => updateId(E(msgId, callId), callId, i);

function gates(c: Redis, org: string, names: string[]) {
  const keys = clusterKeys(org);
  return names.map((name) => {
    const out: TaggedUpdate[] = [];
    const gate = new CallGate({
      redis: c,
      keys,
      nodeId: name,
      logger,
      heartbeatTtlMs: 60_000,
      tickMs: 50,
      forward: (u) => out.push(u),
    });
    gate.setActive(true);
    gate.start();
    return { name, gate, out, keys };
  });
}

t(
  'two holders fed the same events: each update is forwarded once, by the call owner; the standby prunes done ones',
  async ({ c }) => {
    if (!c) return;
    const [a, b] = gates(c, `g${++n}`, ['A', 'B']);
    a.gate.push(E('m1', 'c1'), [
      gateUpdate('c1', 'ringing'),
      gateUpdate('c1', 'ringing', { kind: 'agent', username: 'ann' }),
    ]);
    await waitFor(() => a.out.length === 2, { what: 'A publishes c1' });
    b.gate.push(E('m1', 'c1'), [
      gateUpdate('c1', 'ringing'),
      gateUpdate('c1', 'ringing', { kind: 'agent', username: 'ann' }),
    ]);
    b.gate.push(E('m2', 'c2'), [gateUpdate('c2', 'ringing')]);
    await waitFor(() => b.out.length === 1, { what: 'B publishes c2 (first to claim it)' });
    a.gate.push(E('m2', 'c2'), [gateUpdate('c2', 'ringing')]);
    assert.equal(
      a.out.map((u) => u.clusterUpdateId),
      [id('m1', 'c1', 0), id('m1', 'c1', 1)],
    );
    assert.equal(
      b.out.map((u) => u.clusterUpdateId),
      [id('m2', 'c2', 0)],
    );
    for (const u of a.out) a.gate.published(u);
    for (const u of b.out) b.gate.published(u);
    await waitFor(() => a.gate.stats().pending === 0 && b.gate.stats().pending === 0, {
      what: 'standbys prune what is done',
    });
    a.gate.stop();
    b.gate.stop();
  },
);

t(
  'the owner dies: the standby takes over and republishes exactly what was not done, in order, then the rest',
  async ({ c }) => {
    if (!c) return;
    const [a, b] = gates(c, `g${++n}`, ['A', 'B']);
    const keys = a.keys;
    const ev = [gateUpdate('c1', 'ringing'), gateUpdate('c1', 'answered'), gateUpdate('c1', 'ended')];
    a.gate.push(E('e1', 'c1'), [ev[0]!]);
    await waitFor(() => a.out.length === 1);
    a.gate.published(a.out[0]!); // emitted and marked done
    b.gate.push(E('e1', 'c1'), [ev[0]!]);
    // A forwards e2 but dies before marking it done; B has it pending.
    a.gate.push(E('e2', 'c1'), [ev[1]!]);
    await waitFor(() => a.out.length === 2);
    b.gate.push(E('e2', 'c1'), [ev[1]!]);
    await waitFor(() => b.gate.stats().pending === 1, { what: 'the standby keeps e2 pending (e1 was done)' });
    assert.is(b.out.length, 0, 'the standby publishes nothing while the owner lives');
    a.gate.stop();
    await c.del(keys.node('A')); // the heartbeat lapses
    await waitFor(() => b.out.length === 1, { what: 'take-over' });
    assert.equal(
      b.out.map((u) => u.clusterUpdateId),
      [id('e2', 'c1', 0)],
      'only the update not marked done',
    );
    b.gate.push(E('e3', 'c1'), [ev[2]!]);
    await waitFor(() => b.out.length === 2);
    assert.equal(
      b.out.map((u) => u.state),
      ['answered', 'ended'],
    );
    assert.is(b.gate.stats().takeovers, 1);
    assert.is(await c.get(keys.owner('c1')), 'B');
    assert.ok((await c.pttl(keys.owner('c1'))) <= 120_000, 'an ended call keeps its owner key briefly');
    b.gate.stop();
  },
);

t(
  'a call first seen without its root leg (the node subscribed mid-call) is never published by this node',
  async ({ c }) => {
    if (!c) return;
    const [a, b] = gates(c, `g${++n}`, ['A', 'B']);
    a.gate.push({ msgId: 'p1', name: 'CHANNEL_ANSWER', legId: 'agent-leg' }, [gateUpdate('phantom', 'answered')]);
    a.gate.push({ msgId: 'p2', name: 'CHANNEL_CREATE', legId: 'other' }, [gateUpdate('c5', 'ringing')]);
    b.gate.push(E('p3', 'c6'), [gateUpdate('c6', 'ringing')]);
    await waitFor(() => b.out.length === 1);
    await new Promise((r) => setTimeout(r, 150)); // a few gate ticks (50 ms): still nothing from A
    assert.is(a.out.length, 0);
    assert.is(await c.exists(a.keys.owner('phantom')), 0, 'not even claimed');
    a.gate.stop();
    b.gate.stop();
  },
);

t('an inactive gate (no lease) ignores events; Redis errors keep updates pending', async ({ c }) => {
  if (!c) return;
  const [a] = gates(c, `g${++n}`, ['A']);
  a.gate.setActive(false);
  a.gate.push(E('x', 'c9'), [gateUpdate('c9', 'ringing')]);
  assert.is(a.gate.stats().calls, 0);
  a.gate.stop();
  const broken = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  const out: unknown[] = [];
  const g = new CallGate({
    redis: broken,
    keys: clusterKeys('z'),
    nodeId: 'Z',
    logger,
    heartbeatTtlMs: 1000,
    forward: (u) => out.push(u),
  });
  g.setActive(true);
  g.push(E('y', 'c8'), [gateUpdate('c8', 'ringing')]);
  await waitFor(() => g.stats().pending === 1);
  await new Promise((r) => setImmediate(r));
  assert.is(out.length, 0);
  g.stop();
  broken.disconnect();
});

t('settings from the environment', () => {
  assert.equal(loadClusterSettings({}), {
    upstreamNodes: 2,
    leaseTtlMs: 5000,
    heartbeatTtlMs: 3000,
    recoveryMs: 30_000,
  });
  assert.is(loadClusterSettings({ CLUSTER_UPSTREAM_NODES: '3' }).upstreamNodes, 3);
  assert.throws(() => loadClusterSettings({ CLUSTER_UPSTREAM_NODES: '0' }), /CLUSTER_UPSTREAM_NODES/);
  assert.throws(() => loadClusterSettings({ CLUSTER_LEASE_TTL_MS: 'x' }), /CLUSTER_LEASE_TTL_MS/);
});

t.run();
