import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Audience } from '../../src/calls/types.js';
import type { CallView, Contact } from '../../src/contract.js';
import { liveKey, MemoryLiveCallStore } from '../../src/fanout/live-calls.js';
import { CallPublisher } from '../../src/fanout/publisher.js';
import { MemorySeqSource, type SeqSource } from '../../src/fanout/seq.js';
import type { EnrichedUpdate } from '../../src/fanout/types.js';

const ORG = 'org-a';
const contact: Contact = {
  source: 'antcrm',
  type: 'customer',
  id: 'c1',
  name: 'Nguyễn Văn A',
  phones: ['0934890883'],
  emails: [],
  tags: ['vip'],
};

function update(over: Partial<EnrichedUpdate> = {}): EnrichedUpdate {
  return {
    audience: { kind: 'call', queueId: 'q1' },
    callId: 'call-1',
    org: ORG,
    state: 'ringing',
    direction: 'inbound',
    from: { number: '0934890883', name: undefined },
    to: { number: '02873019555' },
    did: '02873019555',
    queue: { id: 'q1', name: 'Sales' },
    customerNumber: '0934890883',
    startedAt: '2024-05-01T10:00:00.000Z',
    receivedAt: 123.4,
    contact,
    contactStatus: 'found',
    ...over,
  };
}

function setup(seq: SeqSource = new MemorySeqSource()) {
  const sent: { rooms: string[]; view: CallView }[] = [];
  const emitted: [CallView, EnrichedUpdate][] = [];
  const live = new MemoryLiveCallStore();
  const pub = new CallPublisher({
    emitter: { emitCall: (rooms, view) => sent.push({ rooms, view }) },
    seq,
    live,
    org: ORG,
    onEmit: (v, u) => emitted.push([v, u]),
  });
  return { sent, emitted, live, pub };
}

const t = suite('fanout publisher');

t('the view is exactly the contract: id, seq, no receivedAt / customerNumber / audience / undefined keys', async () => {
  const { sent, pub } = setup();
  const v = await pub.publish(
    update({ agent: { username: 'alice', name: undefined, ext: ['101'] }, answeredAt: undefined }),
  );
  assert.ok(v);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].view, {
    id: 'call-1:1',
    callId: 'call-1',
    seq: 1,
    org: ORG,
    state: 'ringing',
    direction: 'inbound',
    from: { number: '0934890883' },
    to: { number: '02873019555' },
    did: '02873019555',
    agent: { username: 'alice', ext: ['101'] },
    queue: { id: 'q1', name: 'Sales' },
    contact,
    contactStatus: 'found',
    startedAt: '2024-05-01T10:00:00.000Z',
  });
  const hasUndefined = (o: unknown): boolean =>
    o !== null && typeof o === 'object' && Object.values(o).some((x) => x === undefined || hasUndefined(x));
  assert.not.ok(hasUndefined(sent[0].view));
  for (const k of ['receivedAt', 'customerNumber', 'audience']) assert.not.ok(k in sent[0].view, k);
});

t('ended views carry their end fields and candidates when given', async () => {
  const { sent, pub } = setup();
  const other = { ...contact, id: 'c2', name: 'B' };
  await pub.publish(
    update({
      state: 'ended',
      endedAt: '2024-05-01T10:01:00.000Z',
      outcome: 'abandoned',
      hangupCause: 'ORIGINATOR_CANCEL',
      durationSec: 60,
      billingSec: 0,
      contact: null,
      contactStatus: 'multiple',
      candidates: [contact, other],
    }),
  );
  const v = sent[0].view;
  assert.is(v.outcome, 'abandoned');
  assert.is(v.hangupCause, 'ORIGINATOR_CANCEL');
  assert.is(v.durationSec, 60);
  assert.is(v.billingSec, 0);
  assert.is(v.contact, null);
  assert.equal(
    v.candidates?.map((c) => c.id),
    ['c1', 'c2'],
  );
});

t('seq strictly increases per callId across audiences; rooms follow the audience', async () => {
  const { sent, pub, emitted } = setup();
  const a: Audience = { kind: 'agent', username: 'alice' };
  const b: Audience = { kind: 'agent', username: 'bob' };
  await Promise.all([
    pub.publish(update({ audience: a })),
    pub.publish(update({ audience: b })),
    pub.publish(update()),
    pub.publish(update({ callId: 'call-2', audience: { kind: 'call' }, queue: undefined })),
    pub.publish(update({ audience: a, state: 'answered' })),
  ]);
  const one = sent.filter((s) => s.view.callId === 'call-1');
  assert.equal(
    one.map((s) => s.view.seq),
    [1, 2, 3, 4],
  );
  assert.equal(
    one.map((s) => s.view.id),
    ['call-1:1', 'call-1:2', 'call-1:3', 'call-1:4'],
  );
  assert.equal(one[0].rooms, ['o:org-a:agent:alice']);
  assert.equal(one[1].rooms, ['o:org-a:agent:bob']);
  assert.equal(one[2].rooms, ['o:org-a:calls', 'o:org-a:queue:q1', 'o:org-a:queue:*']);
  const two = sent.find((s) => s.view.callId === 'call-2')!;
  assert.is(two.view.seq, 1);
  assert.equal(two.rooms, ['o:org-a:calls']);
  assert.is(emitted.length, 5);
  assert.is(emitted[0][1].receivedAt, 123.4, 'onEmit gets the update (for the latency metric)');
});

t('per-call order holds with an async seq source of random latency', async () => {
  let n = 0;
  const counters = new Map<string, number>();
  const slow: SeqSource = {
    async next(callId) {
      const v = (counters.get(callId) ?? 0) + 1;
      counters.set(callId, v);
      n++;
      // Later calls of next() resolve sooner than earlier ones, unless the publisher chains them.
      await new Promise((r) => setTimeout(r, 20 - (n % 20)));
      return v;
    },
  };
  const { sent, pub } = setup(slow);
  const states = ['ringing', 'ringing', 'answered', 'answered', 'ended'] as const;
  await Promise.all(
    states.map((state, i) =>
      pub.publish(update({ state, callId: 'c', audience: { kind: 'agent', username: `u${i}` } })),
    ),
  );
  assert.equal(
    sent.map((s) => s.view.seq),
    [1, 2, 3, 4, 5],
  );
  assert.equal(
    sent.map((s) => s.view.state),
    [...states],
  );
  assert.is(pub.pendingCalls, 0);
});

t('the live store keeps the latest view per audience while the call is live', async () => {
  const { live, pub } = setup();
  const alice: Audience = { kind: 'agent', username: 'alice' };
  await pub.publish(update({ audience: alice }));
  await pub.publish(update());
  await pub.publish(update({ audience: alice, contactStatus: 'pending', contact: null }));
  assert.is(live.size(), 2);
  const es = live.entries();
  const mine = es.find((e) => e.key === liveKey('call-1', alice))!;
  assert.is(mine.view.seq, 3);
  assert.equal(mine.audience, alice);
  await pub.publish(update({ audience: alice, state: 'ended', outcome: 'answered_elsewhere' }));
  assert.is(live.size(), 1, 'an ended view removes its entry');
  await pub.publish(update({ state: 'ended' }));
  assert.is(live.size(), 0);
});

t('ended call audience makes the seq source forget the call', async () => {
  const forgotten: string[] = [];
  const seq = new MemorySeqSource();
  const spy: SeqSource = { next: (id) => seq.next(id), forget: (id) => void forgotten.push(id) };
  const { pub } = setup(spy);
  await pub.publish(update({ audience: { kind: 'agent', username: 'a' }, state: 'ended' }));
  assert.equal(forgotten, [], 'an agent leg ending does not end the call');
  await pub.publish(update({ state: 'ended' }));
  assert.equal(forgotten, ['call-1']);
});

t('an update of another org is dropped; a failing seq source drops one update, not the chain', async () => {
  let fail = true;
  const seq = new MemorySeqSource();
  const flaky: SeqSource = {
    next(id) {
      if (fail) {
        fail = false;
        return Promise.reject(new Error('redis down'));
      }
      return seq.next(id);
    },
  };
  const rejected: string[] = [];
  const sent: CallView[] = [];
  const pub = new CallPublisher({
    emitter: { emitCall: (_r, v) => sent.push(v) },
    seq: flaky,
    live: new MemoryLiveCallStore(),
    org: ORG,
    onReject: (reason) => rejected.push(reason),
  });
  assert.is(await pub.publish(update({ org: 'org-b' })), undefined);
  const [a, b] = await Promise.all([pub.publish(update()), pub.publish(update({ state: 'answered' }))]);
  assert.is(a, undefined);
  assert.is(b?.state, 'answered');
  assert.equal(
    sent.map((v) => v.seq),
    [1],
  );
  assert.equal(rejected, ['org_mismatch', 'error']);
});

t('a throwing emitter or live store never rejects publish', async () => {
  const pub = new CallPublisher({
    emitter: {
      emitCall: () => {
        throw new Error('boom');
      },
    },
    seq: new MemorySeqSource(),
    live: {
      set: () => Promise.reject(new Error('x')),
      delete: () => undefined,
      list: () => [],
      entries: () => [],
      size: () => 0,
    },
    org: ORG,
  });
  assert.is(await pub.publish(update()), undefined);
  await pub.drain();
  assert.is(pub.pendingCalls, 0);
});

t.run();
