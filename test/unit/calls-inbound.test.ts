// Call engine: inbound scenarios of docs/call-model.md section 3 (ring-all, IVR, abandoned, missed, busy).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallEngine } from '../../src/calls/engine.js';
import type { CallUpdate } from '../../src/calls/types.js';
import type { LegEvent } from '../../src/signals/types.js';
import { AGENTS, type Brief, brief, CUSTOMER, DID, fakeDirectory, Legs, ORG, QUEUE, T0 } from '../helpers/legs.js';

const IN = { direction: 'inbound', from: CUSTOMER, to: DID, customerNumber: CUSTOMER } as const;
const Q = QUEUE.id;

function engine() {
  return new CallEngine({ org: ORG, directory: fakeDirectory() });
}
function step(e: CallEngine, ev: LegEvent): Brief[] {
  return e.apply(ev).map(brief);
}
const iso = (ms: number) => new Date(ms).toISOString();

const ringAll = suite('calls: inbound ring-all');

ringAll(
  '3 agents: one ringing call view with the queue, 3 agent views, winner answered, losers answered_elsewhere',
  () => {
    const e = engine();
    const l = new Legs();
    assert.equal(step(e, l.customer('C')), [], 'customer leg in the IVR: nothing shown yet');
    l.tick();
    assert.equal(step(e, l.answer('C')), [], 'the IVR answering the customer keeps the call ringing');
    l.tick(5);
    assert.equal(step(e, l.agentLeg('L1', 'alice', 'C', Q)), [
      { aud: `call:${Q}`, state: 'ringing', queue: Q, ...IN },
      { aud: 'agent:alice', state: 'ringing', agent: 'alice', queue: Q, ...IN },
    ]);
    assert.equal(step(e, l.agentLeg('L2', 'bob', 'C', Q)), [
      { aud: 'agent:bob', state: 'ringing', agent: 'bob', queue: Q, ...IN },
    ]);
    assert.equal(step(e, l.agentLeg('L3', 'carol', 'C', Q)), [
      { aud: 'agent:carol', state: 'ringing', agent: 'carol', queue: Q, ...IN },
    ]);
    l.tick(6);
    const answeredAt = l.t;
    assert.equal(step(e, l.answer('L2')), [
      { aud: `call:${Q}`, state: 'answered', agent: 'bob', queue: Q, ...IN },
      { aud: 'agent:bob', state: 'answered', agent: 'bob', queue: Q, ...IN },
    ]);
    assert.equal(step(e, l.bridge('L2', 'C', 'C')), []);
    assert.equal(step(e, l.bridge('C', 'L2', 'C')), []);
    assert.equal(step(e, l.destroy('L1', 'LOSE_RACE', { durationSec: 6 })), [
      { aud: 'agent:alice', state: 'ended', outcome: 'answered_elsewhere', agent: 'alice', queue: Q, ...IN },
    ]);
    assert.equal(step(e, l.destroy('L3', 'LOSE_RACE', { durationSec: 6 })), [
      { aud: 'agent:carol', state: 'ended', outcome: 'answered_elsewhere', agent: 'carol', queue: Q, ...IN },
    ]);
    l.tick(25);
    const end = l.t;
    const cEnd = e.apply(l.destroy('C', 'NORMAL_CLEARING', { durationSec: 37, billingSec: 36 }));
    assert.equal(cEnd.map(brief), [
      { aud: `call:${Q}`, state: 'ended', outcome: 'answered', agent: 'bob', queue: Q, ...IN },
    ]);
    assert.equal(e.liveCalls, 1, 'bob is still on his leg');
    const bobEnd = e.apply(l.destroy('L2', 'NORMAL_CLEARING', { durationSec: 31, billingSec: 25 }));
    assert.equal(bobEnd.map(brief), [
      { aud: 'agent:bob', state: 'ended', outcome: 'answered', agent: 'bob', queue: Q, ...IN },
    ]);
    assert.equal(e.liveCalls, 0, 'released once every view has ended');

    const expectedCall: CallUpdate = {
      audience: { kind: 'call', queueId: Q },
      callId: 'C',
      org: ORG,
      state: 'ended',
      direction: 'inbound',
      from: { number: CUSTOMER },
      to: { number: DID },
      did: DID,
      agent: AGENTS.bob,
      queue: { id: Q, name: 'Sales' },
      customerNumber: CUSTOMER,
      startedAt: iso(T0),
      answeredAt: iso(answeredAt),
      endedAt: iso(end),
      outcome: 'answered',
      hangupCause: 'NORMAL_CLEARING',
      durationSec: 37,
      billingSec: 36,
      receivedAt: cEnd[0].receivedAt,
    };
    assert.equal(cEnd[0], expectedCall);
    assert.equal(bobEnd[0].durationSec, 31);
    assert.equal(bobEnd[0].billingSec, 25);
    assert.equal(bobEnd[0].answeredAt, iso(answeredAt));
    assert.equal(bobEnd[0].callId, 'C', 'every audience sees the root leg id');
    assert.equal(bobEnd[0].audience, { kind: 'agent', username: 'bob' });
  },
);

ringAll('exactly one call-view update per state, whatever the order of the last DESTROYs', () => {
  const e = engine();
  const l = new Legs();
  const all: CallUpdate[] = [];
  for (const ev of [
    l.customer('C'),
    l.answer('C'),
    l.agentLeg('L1', 'alice', 'C', Q),
    l.agentLeg('L2', 'bob', 'C', Q),
    l.agentLeg('L3', 'carol', 'C', Q),
    l.answer('L3'),
    l.bridge('L3', 'C', 'C'),
    l.bridge('C', 'L3', 'C'),
    l.destroy('L1', 'LOSE_RACE'),
    l.destroy('L2', 'LOSE_RACE'),
    l.destroy('L3', 'NORMAL_CLEARING', { durationSec: 20, billingSec: 14 }),
    l.destroy('C', 'NORMAL_CLEARING'),
  ])
    all.push(...e.apply(ev));
  const callViews = all.filter((u) => u.audience.kind === 'call');
  assert.equal(
    callViews.map((u) => u.state),
    ['ringing', 'answered', 'ended'],
  );
  assert.ok(callViews.every((u) => u.queue?.id === Q && u.queue.name === 'Sales'));
  assert.equal(callViews[1].agent?.username, 'carol');
  assert.equal(callViews[2].outcome, 'answered');
  const perAgent = (u: string) =>
    all
      .filter((x) => x.audience.kind === 'agent' && x.audience.username === u)
      .map((x) => `${x.state}/${x.outcome ?? ''}`);
  assert.equal(perAgent('alice'), ['ringing/', 'ended/answered_elsewhere']);
  assert.equal(perAgent('bob'), ['ringing/', 'ended/answered_elsewhere']);
  assert.equal(perAgent('carol'), ['ringing/', 'answered/', 'ended/answered']);
  assert.equal(e.liveCalls, 0);
  assert.equal(all.length, 10);
});

ringAll('a loser destroyed with ORIGINATOR_CANCEL after another agent answered is answered_elsewhere', () => {
  const e = engine();
  const l = new Legs();
  for (const ev of [
    l.customer('C'),
    l.agentLeg('L1', 'alice', 'C', Q),
    l.agentLeg('L2', 'bob', 'C', Q),
    l.answer('L1'),
  ])
    e.apply(ev);
  assert.equal(
    step(e, l.destroy('L2', 'ORIGINATOR_CANCEL')).map((b) => b.outcome),
    ['answered_elsewhere'],
  );
});

ringAll('one agent rung by a queue: the ringing call view names no agent (the queue may ring others)', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  assert.equal(step(e, l.agentLeg('L1', 'alice', 'C', Q))[0], { aud: `call:${Q}`, state: 'ringing', queue: Q, ...IN });
});

ringAll('one agent with two devices: the view is the furthest of the legs, ended only when both are', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  assert.equal(
    step(e, l.agentLeg('D1', 'alice', 'C', Q)).map((b) => b.aud),
    [`call:${Q}`, 'agent:alice'],
  );
  assert.equal(step(e, l.agentLeg('D2', 'alice', 'C', Q)), [], 'second device: same view');
  assert.equal(
    step(e, l.answer('D2')).map((b) => `${b.aud} ${b.state}`),
    [`call:${Q} answered`, 'agent:alice answered'],
  );
  assert.equal(step(e, l.destroy('D1', 'LOSE_RACE')), [], 'the other device losing does not end her view');
  assert.equal(
    step(e, l.destroy('D2', 'NORMAL_CLEARING', { durationSec: 9, billingSec: 5 })).map(
      (b) => `${b.aud} ${b.state} ${b.outcome}`,
    ),
    ['agent:alice ended answered'],
  );
});

const ivr = suite('calls: IVR');

ivr('the IVR answering the customer leg keeps the call ringing; a far party leg answering answers it', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  assert.equal(step(e, l.answer('C')), []);
  assert.equal(step(e, l.bridge('C', 'X', 'X')), [], 'root bridged: still not answered');
  const withAgent = engine();
  const m = new Legs();
  withAgent.apply(m.customer('C'));
  withAgent.apply(m.answer('C'));
  assert.equal(
    step(withAgent, m.agentLeg('L1', 'alice', 'C')).map((b) => b.state),
    ['ringing', 'ringing'],
  );
  assert.equal(step(withAgent, m.answer('C')), [], 'another ANSWER of the root changes nothing');
});

ivr('a call that ends in the IVR before any agent is rung is shown once, ended missed', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  e.apply(l.answer('C'));
  assert.equal(step(e, l.destroy('C', 'NORMAL_CLEARING', { durationSec: 12, billingSec: 12 })), [
    { aud: 'call', state: 'ended', outcome: 'missed', ...IN },
  ]);
  assert.equal(e.liveCalls, 0);
});

const abandoned = suite('calls: abandoned');

abandoned('customer hangs up while agents ring: call view abandoned, each agent missed', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  e.apply(l.answer('C'));
  assert.equal(step(e, l.agentLeg('L1', 'alice', 'C', Q)).length, 2);
  assert.equal(step(e, l.agentLeg('L2', 'bob', 'C', Q)).length, 1);
  assert.equal(step(e, l.agentLeg('L3', 'carol', 'C', Q)).length, 1);
  l.tick(20);
  assert.equal(step(e, l.destroy('C', 'ORIGINATOR_CANCEL', { durationSec: 30, billingSec: 28 })), [
    { aud: `call:${Q}`, state: 'ended', outcome: 'abandoned', queue: Q, ...IN },
  ]);
  for (const a of ['alice', 'bob', 'carol'] as const) {
    const leg = { alice: 'L1', bob: 'L2', carol: 'L3' }[a];
    assert.equal(step(e, l.destroy(leg, 'ORIGINATOR_CANCEL')), [
      { aud: `agent:${a}`, state: 'ended', outcome: 'missed', agent: a, queue: Q, ...IN },
    ]);
  }
  assert.equal(e.liveCalls, 0);
});

const direct = suite('calls: direct call (no queue)');

direct('missed: the only agent is named on the call view; NO_ANSWER → missed for both', () => {
  const e = engine();
  const l = new Legs();
  assert.equal(step(e, l.customer('C')), []);
  assert.equal(step(e, l.agentLeg('L', 'alice', 'C')), [
    { aud: 'call', state: 'ringing', agent: 'alice', ...IN },
    { aud: 'agent:alice', state: 'ringing', agent: 'alice', ...IN },
  ]);
  l.tick(30);
  assert.equal(step(e, l.destroy('L', 'NO_ANSWER', { durationSec: 30 })), [
    { aud: 'agent:alice', state: 'ended', outcome: 'missed', agent: 'alice', ...IN },
  ]);
  assert.equal(step(e, l.destroy('C', 'NORMAL_CLEARING', { durationSec: 31, billingSec: 0 })), [
    { aud: 'call', state: 'ended', outcome: 'missed', agent: 'alice', ...IN },
  ]);
  assert.equal(e.liveCalls, 0);
});

direct('busy: USER_BUSY on the agent leg → busy for the agent and the call', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  e.apply(l.agentLeg('L', 'alice', 'C'));
  assert.equal(step(e, l.destroy('L', 'USER_BUSY')), [
    { aud: 'agent:alice', state: 'ended', outcome: 'busy', agent: 'alice', ...IN },
  ]);
  assert.equal(step(e, l.destroy('C', 'NORMAL_CLEARING')), [
    { aud: 'call', state: 'ended', outcome: 'busy', agent: 'alice', ...IN },
  ]);
});

direct('CALL_REJECTED counts as busy; one busy and one no-answer agent leg is missed', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C'));
  e.apply(l.agentLeg('L1', 'alice', 'C'));
  e.apply(l.agentLeg('L2', 'bob', 'C'));
  assert.equal(
    step(e, l.destroy('L1', 'CALL_REJECTED')).map((b) => b.outcome),
    ['busy'],
  );
  assert.equal(
    step(e, l.destroy('L2', 'NO_ANSWER')).map((b) => b.outcome),
    ['missed'],
  );
  assert.equal(
    step(e, l.destroy('C', 'NORMAL_CLEARING')).map((b) => `${b.outcome} ${b.agent ?? '-'}`),
    ['missed -'],
  );
});

direct('answered direct call: the agent who answered is on the call view; ended by the root DESTROY', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('C', { callerIdName: 'Nguyen Van A' }));
  const ring = e.apply(l.agentLeg('L', 'alice', 'C'));
  assert.equal(ring[0].from, { number: CUSTOMER, name: 'Nguyen Van A' });
  assert.equal(
    step(e, l.answer('L')).map((b) => `${b.aud} ${b.state} ${b.agent}`),
    ['call answered alice', 'agent:alice answered alice'],
  );
  assert.equal(
    step(e, l.destroy('L', 'NORMAL_CLEARING')).map((b) => `${b.aud} ${b.state} ${b.outcome}`),
    ['agent:alice ended answered'],
  );
  assert.equal(e.liveCalls, 1);
  assert.equal(
    step(e, l.destroy('C', 'NORMAL_CLEARING')).map((b) => `${b.aud} ${b.state} ${b.outcome}`),
    ['call ended answered'],
  );
  assert.equal(e.liveCalls, 0);
});

ringAll.run();
ivr.run();
abandoned.run();
direct.run();
