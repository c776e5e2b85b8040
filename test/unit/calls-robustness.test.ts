// Call engine: de-duplication, out-of-order and late events, other orgs, never backwards, forgetting, bounds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallEngine } from '../../src/calls/engine.js';
import type { LegEvent } from '../../src/signals/types.js';
import {
  type Brief,
  brief,
  CUSTOMER,
  DID,
  fakeDirectory,
  Legs,
  ORG,
  OTHER_ORG,
  OWNER,
  QUEUE,
  T0,
} from '../helpers/legs.js';

const Q = QUEUE.id;
const IN = { direction: 'inbound', from: CUSTOMER, to: DID, customerNumber: CUSTOMER } as const;
const MIN = 60_000;

function engine(extra: Partial<ConstructorParameters<typeof CallEngine>[0]> = {}) {
  return new CallEngine({ org: ORG, directory: fakeDirectory(), ...extra });
}
function step(e: CallEngine, ev: LegEvent): Brief[] {
  return e.apply(ev).map(brief);
}
const iso = (ms: number) => new Date(ms).toISOString();

const dedupe = suite('calls: Msg-ID de-duplication and other orgs');

dedupe('an event whose Msg-ID was seen is ignored and counted', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  const ring = l.agentLeg('L', 'alice', 'C');
  assert.equal(step(e, ring).length, 2);
  assert.equal(step(e, ring), []);
  const ans = l.answer('L');
  assert.equal(step(e, ans).length, 2);
  assert.equal(step(e, { ...ans }), []);
  assert.equal(e.stats().duplicates, 2);
});

dedupe('the Msg-ID memory is bounded: the oldest ids are forgotten', () => {
  const e = engine({ dedupeSize: 3 });
  const l = new Legs();
  const evs = [l.customer('C1'), l.customer('C2'), l.customer('C3'), l.customer('C4')];
  for (const ev of evs) e.apply(ev);
  assert.equal(e.memory().msgIds, 3);
  e.apply(evs[3]);
  assert.equal(e.stats().duplicates, 1);
  e.apply(evs[0]); // forgotten id: not a duplicate any more (the known leg makes it a no-op)
  assert.equal(e.stats().duplicates, 1);
});

dedupe('events of another account are ignored and counted; events without an account id are accepted', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C', { accountId: OTHER_ORG }));
  assert.equal(step(e, l.agentLeg('L', 'alice', 'C', undefined, { accountId: OTHER_ORG })), []);
  assert.equal(e.stats().otherOrg, 2);
  assert.equal(e.liveCalls, 0);
  e.apply(l.customer('C2', { accountId: undefined }));
  assert.equal(step(e, l.agentLeg('L2', 'alice', 'C2', undefined, { accountId: undefined })).length, 2);
  assert.equal(e.apply(l.agentLeg('L3', 'bob', 'C2'))[0].org, ORG);
});

dedupe('invalid events are counted, never thrown', () => {
  const e = engine();
  assert.equal(e.apply({} as LegEvent), []);
  assert.equal(e.apply(null as unknown as LegEvent), []);
  assert.equal(
    e.apply({ name: 'CHANNEL_PARK', legId: 'x', direction: 'inbound', at: T0, receivedAt: 1 } as unknown as LegEvent),
    [],
  );
  assert.equal(e.apply({ name: 'CHANNEL_CREATE', legId: '', direction: 'inbound', at: T0, receivedAt: 1 }), []);
  assert.equal(e.stats().invalid, 4);
  assert.equal(e.liveCalls, 0);
});

const order = suite('calls: out-of-order, missed and late events');

order('agent leg CREATE before the customer leg CREATE: one call, callId = the customer leg', () => {
  const e = engine();
  const l = new Legs();
  const first = e.apply(l.agentLeg('L1', 'alice', 'C', Q));
  assert.equal(first.map(brief), [
    {
      aud: `call:${Q}`,
      state: 'ringing',
      queue: Q,
      direction: 'inbound',
      from: CUSTOMER,
      to: '8001',
      customerNumber: CUSTOMER,
    },
    {
      aud: 'agent:alice',
      state: 'ringing',
      agent: 'alice',
      queue: Q,
      direction: 'inbound',
      from: CUSTOMER,
      to: '8001',
      customerNumber: CUSTOMER,
    },
  ]);
  assert.equal(
    first.map((u) => u.callId),
    ['C', 'C'],
  );
  // The customer leg arrives: now the DID is known.
  const root = e.apply(l.customer('C'));
  assert.equal(root.map(brief), [
    { aud: `call:${Q}`, state: 'ringing', queue: Q, ...IN },
    { aud: 'agent:alice', state: 'ringing', agent: 'alice', queue: Q, ...IN },
  ]);
  assert.equal(root[0].did, DID);
  assert.equal(step(e, l.agentLeg('L2', 'bob', 'C', Q)), [
    { aud: 'agent:bob', state: 'ringing', agent: 'bob', queue: Q, ...IN },
  ]);
  assert.equal(e.liveCalls, 1);
  assert.equal(
    step(e, l.answer('L1')).map((b) => `${b.aud} ${b.state}`),
    [`call:${Q} answered`, 'agent:alice answered'],
  );
  e.apply(l.destroy('L2', 'LOSE_RACE'));
  e.apply(l.destroy('C', 'NORMAL_CLEARING'));
  assert.equal(
    step(e, l.destroy('L1', 'NORMAL_CLEARING')).map((b) => `${b.aud} ${b.state} ${b.outcome}`),
    ['agent:alice ended answered'],
  );
  assert.equal(e.liveCalls, 0);
});

order('ANSWER for an unknown leg creates it from its fields (its CREATE was missed)', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  const ans = e.apply(
    l.ev('CHANNEL_ANSWER', 'L', {
      direction: 'outbound',
      otherLegId: 'C',
      ownerId: OWNER.bob,
      queueId: Q,
      callerIdNumber: CUSTOMER,
      calleeIdNumber: '8002',
    }),
  );
  assert.equal(ans.map(brief), [
    { aud: `call:${Q}`, state: 'answered', agent: 'bob', queue: Q, ...IN },
    { aud: 'agent:bob', state: 'answered', agent: 'bob', queue: Q, ...IN },
  ]);
  assert.equal(e.liveCalls, 1);
});

order('a leg joins by Bridge-ID, and transitively through an agent leg', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  e.apply(l.agentLeg('L', 'alice', 'C'));
  assert.equal(
    step(e, l.ev('CHANNEL_CREATE', 'M', { direction: 'outbound', bridgeId: 'C', calleeIdNumber: '555' })),
    [],
  );
  assert.equal(
    step(e, l.ev('CHANNEL_CREATE', 'N', { direction: 'outbound', otherLegId: 'L', ownerId: OWNER.carol })).map(
      (b) => b.aud,
    ),
    ['call', 'agent:carol'],
  );
  assert.equal(e.liveCalls, 1);
  assert.equal(e.memory().legs, 4);
});

order(
  'DESTROY of an unknown answered leg (billing > 0) counts as answered; the call view uses the implied times',
  () => {
    const e = engine();
    const l = new Legs();
    e.apply(l.customer('C'));
    e.apply(l.answer('C'));
    l.tick(40);
    const d = e.apply(
      l.destroy('L', 'NORMAL_CLEARING', {
        otherLegId: 'C',
        ownerId: OWNER.alice,
        callerIdNumber: CUSTOMER,
        durationSec: 30,
        billingSec: 20,
      }),
    );
    assert.equal(d.map(brief), [
      { aud: 'call', state: 'answered', agent: 'alice', ...IN },
      { aud: 'agent:alice', state: 'ended', outcome: 'answered', agent: 'alice', ...IN },
    ]);
    assert.equal(d[1].answeredAt, iso(l.t - 20_000));
    assert.equal(d[1].endedAt, iso(l.t));
    assert.equal(d[1].durationSec, 30);
  },
);

// An agent leg the switch rang (not a click-to-call) is a call TO the agent: inbound (issue 9 rule; was outbound).
order('a DESTROY of a call never seen is shown ended; its start comes from Duration-Seconds', () => {
  const e = engine();
  const l = new Legs();
  const d = e.apply(
    l.destroy('A', 'USER_BUSY', {
      direction: 'outbound',
      ownerId: OWNER.alice,
      callerIdNumber: CUSTOMER,
      calleeIdNumber: '8001',
      durationSec: 5,
    }),
  );
  assert.equal(
    d.map((u) => `${u.audience.kind} ${u.state} ${u.outcome} ${u.direction}`),
    ['call ended busy inbound', 'agent ended busy inbound'],
  );
  assert.equal(d[0].startedAt, iso(T0 - 5000));
  assert.equal(e.liveCalls, 0);
});

order('never backwards: an ANSWER after DESTROY changes nothing; an ended call view stays ended', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  e.apply(l.agentLeg('L1', 'alice', 'C', Q));
  e.apply(l.agentLeg('L2', 'bob', 'C', Q));
  assert.equal(
    step(e, l.destroy('L1', 'NO_ANSWER')).map((b) => `${b.state} ${b.outcome}`),
    ['ended missed'],
  );
  assert.equal(step(e, l.answer('L1')), []);
  assert.equal(e.stats().lateIgnored, 1);
  assert.equal(
    step(e, l.destroy('C', 'ORIGINATOR_CANCEL')).map((b) => `${b.aud} ${b.outcome}`),
    [`call:${Q} abandoned`],
  );
  // Bob's leg is answered after the customer left (a race): his own view follows his leg, the call view stays ended.
  assert.equal(step(e, l.answer('L2')), [{ aud: 'agent:bob', state: 'answered', agent: 'bob', queue: Q, ...IN }]);
  assert.equal(
    step(e, l.destroy('L2', 'NORMAL_CLEARING')).map((b) => `${b.aud} ${b.state} ${b.outcome}`),
    ['agent:bob ended answered'],
  );
  assert.equal(e.liveCalls, 0);
});

order('late events of a released call are ignored, also a new leg pointing at it', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  e.apply(l.agentLeg('L', 'alice', 'C'));
  e.apply(l.destroy('L', 'NO_ANSWER'));
  e.apply(l.destroy('C', 'NORMAL_CLEARING'));
  assert.equal(e.liveCalls, 0);
  assert.equal(step(e, l.bridge('C', 'L', 'C')), []);
  assert.equal(step(e, l.destroy('L', 'NO_ANSWER')), []);
  assert.equal(step(e, l.agentLeg('L9', 'bob', 'C')), []);
  assert.equal(step(e, l.answer('L9')), [], 'remembered once ignored');
  assert.equal(e.stats().lateIgnored, 4);
  assert.equal(e.liveCalls, 0);
});

order('the ended-leg memory is bounded', () => {
  const e = engine({ endedMemory: 10 });
  const l = new Legs();
  for (let i = 0; i < 50; i++) {
    e.apply(l.customer(`C${i}`));
    e.apply(l.destroy(`C${i}`, 'NORMAL_CLEARING'));
  }
  assert.equal(e.memory().endedLegs, 10);
  assert.equal(e.liveCalls, 0);
});

const forget = suite('calls: forgetting');

forget(
  'a ringing call idle for ringTimeoutMs is forgotten: every shown view ended, BRIDGE_LOST_TRACK, no outcome',
  () => {
    const e = engine();
    const l = new Legs();
    e.apply(l.customer('C'));
    e.apply(l.agentLeg('L1', 'alice', 'C', Q));
    e.apply(l.agentLeg('L2', 'bob', 'C', Q));
    e.apply(l.destroy('L2', 'NO_ANSWER'));
    assert.equal(e.sweep(l.t + 10 * MIN - 1, 7), [], 'not idle long enough');
    const now = l.t + 10 * MIN;
    const out = e.sweep(now, 7);
    assert.equal(
      out.map(brief),
      [
        { aud: `call:${Q}`, state: 'ended', queue: Q, ...IN },
        { aud: 'agent:alice', state: 'ended', agent: 'alice', queue: Q, ...IN },
      ],
      "bob's view had already ended",
    );
    for (const u of out) {
      assert.equal(u.hangupCause, 'BRIDGE_LOST_TRACK');
      assert.equal(u.outcome, undefined);
      assert.equal(u.endedAt, iso(now));
      assert.equal(u.receivedAt, 7);
      assert.equal(u.durationSec, undefined);
    }
    assert.equal(e.liveCalls, 0);
    assert.equal(e.stats().forgotten, 1);
    assert.equal(step(e, l.answer('L1')), [], 'late events of the forgotten call are ignored');
  },
);

forget('an answered call is kept past ringTimeoutMs and forgotten at maxCallMs', () => {
  const e = engine({ ringTimeoutMs: 10 * MIN, maxCallMs: 60 * MIN });
  const l = new Legs();
  e.apply(l.customer('C'));
  e.apply(l.agentLeg('L', 'alice', 'C'));
  e.apply(l.answer('L'));
  assert.equal(e.sweep(T0 + 30 * MIN), []);
  assert.equal(e.liveCalls, 1);
  const out = e.sweep(T0 + 60 * MIN);
  assert.equal(
    out.map((u) => `${u.audience.kind} ${u.state} ${u.hangupCause} ${u.outcome}`),
    ['call ended BRIDGE_LOST_TRACK undefined', 'agent ended BRIDGE_LOST_TRACK undefined'],
  );
  assert.equal(out[1].answeredAt, iso(T0), 'what was known is kept');
});

forget('a call whose root ended but an agent leg never did is forgotten after ringTimeoutMs idle', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  e.apply(l.agentLeg('L', 'alice', 'C'));
  e.apply(l.answer('L'));
  e.apply(l.destroy('C', 'NORMAL_CLEARING'));
  assert.equal(e.liveCalls, 1);
  assert.equal(
    e.sweep(l.t + 10 * MIN).map((u) => `${u.audience.kind} ${u.state} ${u.hangupCause}`),
    ['agent ended BRIDGE_LOST_TRACK'],
  );
  assert.equal(e.liveCalls, 0);
});

forget('a call never shown (customer in the IVR) is dropped silently and may come back', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  assert.equal(e.sweep(l.t + 10 * MIN), []);
  assert.equal(e.liveCalls, 0);
  l.tick(11 * 60);
  assert.equal(
    step(e, l.agentLeg('L', 'alice', 'C', Q)).map((b) => `${b.aud} ${b.state}`),
    [`call:${Q} ringing`, 'agent:alice ringing'],
  );
});

forget('maxCalls: the least recently updated call is forgotten first, its updates come first', () => {
  const e = engine({ maxCalls: 2 });
  const l = new Legs();
  e.apply(l.customer('C1'));
  e.apply(l.agentLeg('L1', 'alice', 'C1'));
  e.apply(l.customer('C2'));
  e.apply(l.agentLeg('L2', 'bob', 'C2'));
  l.tick();
  e.apply(l.answer('L1')); // C1 is now the most recently updated
  const out = e.apply(l.customer('C3'));
  assert.equal(
    out.map((u) => `${u.callId} ${u.audience.kind} ${u.state} ${u.hangupCause}`),
    ['C2 call ended BRIDGE_LOST_TRACK', 'C2 agent ended BRIDGE_LOST_TRACK'],
  );
  assert.equal(e.liveCalls, 2);
});

const bounds = suite('calls: bounded memory');

bounds('100,000 CREATEs without DESTROY keep liveCalls ≤ maxCalls (default 20,000) and every memory bounded', () => {
  const e = engine({ dedupeSize: 5000, endedMemory: 5000 });
  const l = new Legs();
  let updates = 0;
  let maxLive = 0;
  for (let i = 0; i < 100_000; i++) {
    updates += e.apply(
      l.ev('CHANNEL_CREATE', `A${i}`, {
        direction: 'outbound',
        ownerId: OWNER.alice,
        callerIdNumber: `09${String(i).padStart(8, '0')}`,
        calleeIdNumber: '8001',
      }),
    ).length;
    if (e.liveCalls > maxLive) maxLive = e.liveCalls;
  }
  assert.equal(maxLive, 20_000);
  const mem = e.memory();
  assert.equal(mem.calls, 20_000);
  assert.equal(mem.legs, 20_000);
  assert.equal(mem.msgIds, 5000);
  assert.ok(mem.endedLegs <= 5000);
  assert.equal(e.stats().forgotten, 80_000);
  // each call: 2 ringing views; each forgotten call: 2 ended views
  assert.equal(updates, 100_000 * 2 + 80_000 * 2);
});

bounds('a small maxCalls holds under a stream of ring-all calls that never end', () => {
  const e = engine({ maxCalls: 100 });
  const l = new Legs();
  for (let i = 0; i < 5000; i++) {
    e.apply(l.customer(`C${i}`));
    e.apply(l.agentLeg(`L${i}a`, 'alice', `C${i}`, Q));
    e.apply(l.agentLeg(`L${i}b`, 'bob', `C${i}`, Q));
    assert.ok(e.liveCalls <= 100);
  }
  assert.equal(e.memory().legs, 300);
});

bounds('legs of one call are bounded: old destroyed legs are dropped, live overflow is refused', () => {
  const e = engine({ maxLegsPerCall: 10 });
  const l = new Legs();
  e.apply(l.customer('C'));
  for (let i = 0; i < 1000; i++) {
    e.apply(l.agentLeg(`R${i}`, 'alice', 'C', Q));
    e.apply(l.destroy(`R${i}`, 'NO_ANSWER'));
  }
  assert.equal(e.memory().legs, 10);
  for (let i = 0; i < 100; i++) e.apply(l.agentLeg(`S${i}`, 'bob', 'C', Q));
  assert.equal(e.memory().legs, 10);
  assert.equal(e.stats().legOverflow, 91);
  assert.equal(e.liveCalls, 1);
});

dedupe.run();
order.run();
forget.run();
bounds.run();
