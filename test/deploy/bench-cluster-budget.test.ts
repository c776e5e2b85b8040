// The cluster budget's pure parts (bench/cluster-budget.ts): the Redis rows of the attribution, the updates a node's
// /metrics counts, and the Redis commands per update between two reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rowOfUrl } from '../../bench/budget.js';
import { commandsPerUpdate, emittedUpdates } from '../../bench/cluster-budget.js';

const ROOT = '/work/main';

test('the cluster Redis work has rows of its own; the cluster versions of the stores keep their rows', () => {
  assert.is(
    rowOfUrl(`${ROOT}/node_modules/@socket.io/redis-streams-adapter/dist/adapter.js`),
    'Redis adapter (@socket.io/redis-streams-adapter)',
  );
  assert.is(
    rowOfUrl(`${ROOT}/node_modules/ioredis/built/Redis.js`),
    'Redis client + cluster gate (ioredis, src/cluster)',
  );
  assert.is(rowOfUrl(`${ROOT}/dist/cluster/gate.js`), 'Redis client + cluster gate (ioredis, src/cluster)');
  assert.is(rowOfUrl(`${ROOT}/dist/cluster/seq.js`), 'publisher + seq + live store');
  assert.is(rowOfUrl(`${ROOT}/dist/cluster/contact-cache.js`), 'enrichment');
  assert.is(
    rowOfUrl(`${ROOT}/node_modules/socket.io-adapter/dist/in-memory-adapter.js`),
    'Socket.IO encode/emit (socket.io, engine.io, ws)',
  );
});

test('emitted updates: the sum of call_messages_total over its audiences', () => {
  const text = [
    '# HELP bridge_call_messages_total x',
    '# TYPE bridge_call_messages_total counter',
    'bridge_call_messages_total{audience="agent"} 12',
    'bridge_call_messages_total{audience="call"} 30',
    'bridge_other_total 99',
  ].join('\n');
  assert.is(emittedUpdates(text), 42);
});

test('commands per update: the deltas, INFO left out, EVAL counted once and what scripts run inside apart', () => {
  const r = commandsPerUpdate(
    { calls: { eval: 10, set: 5, xread: 4, info: 1 }, updates: 100 },
    { calls: { eval: 30, set: 35, xread: 24, info: 2, exists: 40 }, updates: 110 },
  );
  assert.is(r.updates, 10);
  assert.equal(r.calls, { eval: 20, set: 30, xread: 20, exists: 40 });
  assert.is(r.perUpdate.all, 11);
  // Sent by clients: the 20 EVALs and the 20 XREADs (SET and EXISTS are what our scripts run).
  assert.is(r.perUpdate.sent, 4);
  assert.equal(Object.keys(r.perUpdateByCommand), ['exists', 'set', 'eval', 'xread']);
});

test.run();
