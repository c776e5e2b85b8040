import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Audience } from '../../src/calls/types.js';
import type { CallView, Claims, Dashboard } from '../../src/contract.js';
import { liveKey, MemoryLiveCallStore, visibleViews } from '../../src/fanout/live-calls.js';
import { maskNumber, redactDashboardForWallboard } from '../../src/fanout/redact.js';
import { MemorySeqSource } from '../../src/fanout/seq.js';

const ORG = 'org-a';
const view = (callId: string, seq: number, over: Partial<CallView> = {}): CallView => ({
  id: `${callId}:${seq}`,
  callId,
  seq,
  org: ORG,
  state: 'ringing',
  direction: 'inbound',
  from: { number: '0934890883' },
  to: { number: '100' },
  contact: null,
  contactStatus: 'not_found',
  startedAt: '2024-05-01T10:00:00.000Z',
  ...over,
});
const call = (queueId?: string): Audience => ({ kind: 'call', ...(queueId ? { queueId } : {}) });
const agent = (username: string): Audience => ({ kind: 'agent', username });

const store = suite('fanout live store');

store('latest view per key; lower or equal seq ignored; ended removes', () => {
  const s = new MemoryLiveCallStore();
  const k = liveKey('c1', call('q1'));
  s.set(k, view('c1', 2), call('q1'));
  s.set(k, view('c1', 1), call('q1'));
  s.set(k, view('c1', 2, { state: 'answered' }), call('q1'));
  assert.equal(
    s.list().map((v) => [v.seq, v.state]),
    [[2, 'ringing']],
  );
  s.set(k, view('c1', 3, { state: 'answered' }), call('q1'));
  assert.equal(
    s.list().map((v) => v.seq),
    [3],
  );
  s.set(k, view('c1', 4, { state: 'ended' }), call('q1'));
  assert.is(s.size(), 0);
  s.set(k, view('c1', 5), call('q1'));
  s.delete(k);
  assert.is(s.size(), 0);
});

store('bounded: the least recently updated entries are evicted', () => {
  const evicted: number[] = [];
  const s = new MemoryLiveCallStore({ maxEntries: 3, onEvict: (n) => evicted.push(n) });
  for (const id of ['a', 'b', 'c']) s.set(liveKey(id, call()), view(id, 1), call());
  s.set(liveKey('a', call()), view('a', 2), call()); // a is now the most recent
  s.set(liveKey('d', call()), view('d', 1), call());
  assert.equal(
    s
      .list()
      .map((v) => v.callId)
      .sort(),
    ['a', 'c', 'd'],
  );
  assert.equal(evicted, [1]);
});

store('keys: one per agent and one for the call as a whole', () => {
  assert.is.not(liveKey('c', agent('a')), liveKey('c', agent('b')));
  assert.is.not(liveKey('c', agent('a')), liveKey('c', call()));
  assert.is(liveKey('c', call('q1')), liveKey('c', call('q2')), 'a call moving between queues keeps one entry');
});

store('visibleViews filters with canSee and orders by callId then seq', async () => {
  const s = new MemoryLiveCallStore();
  s.set(liveKey('c2', call('q1')), view('c2', 3), call('q1'));
  s.set(liveKey('c1', agent('alice')), view('c1', 2, { agent: { username: 'alice' } }), agent('alice'));
  s.set(liveKey('c1', call('q1')), view('c1', 4), call('q1'));
  s.set(liveKey('c1', agent('bob')), view('c1', 1, { agent: { username: 'bob' } }), agent('bob'));
  s.set(liveKey('c3', call()), view('c3', 1), call());
  const claims = (role: Claims['role'], x: Partial<Claims> = {}): Claims => ({
    sub: 's',
    org: ORG,
    role,
    queues: [],
    exp: 2e9,
    ...x,
  });
  const ids = async (c: Claims) => (await visibleViews(s, c, ORG)).map((v) => v.id);
  assert.equal(await ids(claims('admin')), ['c1:4', 'c2:3', 'c3:1']);
  assert.equal(await ids(claims('agent', { agent: 'alice' })), ['c1:2']);
  assert.equal(await ids(claims('supervisor', { queues: ['q1'] })), ['c1:4', 'c2:3']);
  assert.equal(await ids(claims('wallboard', { queues: ['*'] })), []);
  assert.equal(await ids(claims('admin', { org: 'org-b' })), []);
});

store.run();

const seq = suite('fanout seq source');

seq('1, 2, 3 per callId', () => {
  const s = new MemorySeqSource();
  assert.equal([s.next('a'), s.next('a'), s.next('b'), s.next('a')], [1, 2, 1, 3]);
});

seq('a forgotten call keeps counting during the grace period, then its counter is dropped', () => {
  let now = 0;
  const s = new MemorySeqSource({ graceMs: 1000, now: () => now });
  s.next('a');
  s.next('a');
  s.forget('a');
  now = 500;
  assert.is(s.next('a'), 3, 'a late update still gets a higher seq');
  now = 1001;
  s.next('b');
  assert.is(s.size, 1);
  assert.is(s.next('a'), 1);
});

seq('bounded count: least recently used counters are dropped', () => {
  const s = new MemorySeqSource({ maxCalls: 2 });
  s.next('a');
  s.next('b');
  s.next('a');
  s.next('c');
  assert.is(s.size, 2);
  assert.is(s.next('a'), 3);
  assert.is(s.next('b'), 1);
});

seq.run();

const redact = suite('fanout wallboard redaction');

redact('numbers keep their last three digits; agent names stay; nothing else rides along', () => {
  assert.is(maskNumber('0934890879'), '•••••••879');
  assert.is(maskNumber('12'), '•••');
  const d: Dashboard = {
    org: ORG,
    at: '2024-05-01T10:00:00.000Z',
    stale: false,
    agents: {
      ready: 1,
      loggedIn: 2,
      loggedOut: 0,
      wrapup: 0,
      connected: 1,
      paused: 0,
      details: [{ username: 'alice', name: 'Alice', status: 'ready' }],
    },
    totals: {
      scope: 'org',
      offered: 3,
      handled: 2,
      abandoned: 1,
      received: 3,
      avgWaitingSec: 4,
      maxWaitingSec: 9,
      avgTalkingSec: 60,
      waiting: 1,
    },
    queues: [{ id: 'q1', name: 'Sales', agents: 2, waiting: 1 }],
    waitingCalls: [
      {
        callId: 'c1',
        queueId: 'q1',
        number: '0934890879',
        since: '2024-05-01T09:59:00.000Z',
        name: 'Secret Customer',
      } as Dashboard['waitingCalls'][number],
    ],
  };
  const r = redactDashboardForWallboard(d);
  assert.equal(r.waitingCalls, [
    { callId: 'c1', number: '•••••••879', queueId: 'q1', since: '2024-05-01T09:59:00.000Z' },
  ]);
  assert.is(r.agents.details[0].name, 'Alice');
  assert.not.ok(JSON.stringify(r).includes('Secret Customer'));
  assert.not.ok(JSON.stringify(r).includes('0934890879'));
  assert.is(d.waitingCalls[0].number, '0934890879', 'the original is untouched');
});

redact.run();
