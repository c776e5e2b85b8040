// Call engine: two live calls linked late merge into one (docs/call-model.md): bounds and bookkeeping after it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallEngine } from '../../src/calls/engine.js';
import { fakeDirectory, Legs, ORG, QUEUE } from '../helpers/legs.js';

const Q = QUEUE.id;

function engine(extra: Partial<ConstructorParameters<typeof CallEngine>[0]> = {}) {
  return new CallEngine({ org: ORG, directory: fakeDirectory(), ...extra });
}

const merge = suite('calls: merge of calls linked late');

merge(
  'the merged call counts as just updated: the maxCalls eviction takes the least recently updated other call',
  () => {
    const e = engine({ maxCalls: 3 });
    const l = new Legs();
    e.apply(l.customer('A'));
    e.apply(l.tick().agentLeg('LA', 'alice', 'A', Q));
    e.apply(l.tick().customer('X'));
    e.apply(l.tick().agentLeg('LX', 'bob', 'X', Q));
    e.apply(l.tick().customer('B'));
    e.apply(l.tick().agentLeg('LB', 'carol', 'B', Q));
    // B's agent leg bridges to A's customer leg: B joins A (A was shown first and keeps its callId).
    const merged = e.apply(l.tick().bridge('LB', 'A', 'A'));
    assert.ok(merged.some((u) => u.callId === 'B' && u.hangupCause === 'BRIDGE_MERGED'));
    assert.equal(e.stats().merged, 1);
    assert.equal(e.liveCalls, 2);
    e.apply(l.tick().customer('C'));
    // The fourth call evicts the least recently updated one: X (A was updated by the merge just now).
    const evicted = e.apply(l.tick().customer('D'));
    assert.equal([...new Set(evicted.map((u) => u.callId))], ['X']);
    assert.equal(e.stats().forgotten, 1);
    // A is still live: its end is a normal update, not a lost track.
    const end = e.apply(l.tick().destroy('A', 'NORMAL_CLEARING'));
    assert.ok(end.length > 0, 'A still live');
    assert.ok(
      end.every((u) => u.callId === 'A' && u.hangupCause !== 'BRIDGE_LOST_TRACK'),
      JSON.stringify(end.map((u) => [u.callId, u.hangupCause])),
    );
  },
);

merge('a merged call over maxLegsPerCall drops its destroyed non-root legs (their ids remembered)', () => {
  const e = engine({ maxLegsPerCall: 3 });
  const l = new Legs();
  e.apply(l.customer('A'));
  e.apply(l.tick().agentLeg('LA1', 'alice', 'A', Q));
  e.apply(l.tick().destroy('LA1', 'NO_ANSWER'));
  e.apply(l.tick().agentLeg('LA2', 'alice', 'A', Q));
  e.apply(l.tick().customer('B'));
  e.apply(l.tick().agentLeg('LB1', 'bob', 'B', Q));
  e.apply(l.tick().destroy('LB1', 'NO_ANSWER'));
  e.apply(l.tick().agentLeg('LB2', 'bob', 'B', Q));
  assert.equal(e.memory().legs, 6);
  e.apply(l.tick().bridge('LB2', 'A', 'A'));
  assert.equal(e.stats().merged, 1);
  assert.equal(e.liveCalls, 1);
  // 6 legs, limit 3: the two destroyed agent legs go; the roots A, B and the live LA2, LB2 stay.
  assert.equal(e.memory().legs, 4);
  // The dropped legs' late events are ignored, not a new call.
  assert.equal(e.apply(l.tick().destroy('LB1', 'NO_ANSWER')), []);
  assert.equal(e.liveCalls, 1);
});

merge('facts of a dropped leg survive a later merge: an agent who answered keeps the call answered', () => {
  const e = engine({ maxLegsPerCall: 2 });
  const l = new Legs();
  e.apply(l.customer('A'));
  e.apply(l.tick().agentLeg('LA', 'alice', 'A', Q));
  e.apply(l.tick().answer('LA'));
  e.apply(l.tick(30).destroy('LA', 'NORMAL_CLEARING', { billingSec: 30, durationSec: 31 }));
  // Alice's leg is dropped for bob's (maxLegsPerCall 2); bob's leg then links to another live call.
  e.apply(l.tick().agentLeg('LB', 'bob', 'A', Q));
  e.apply(l.tick().customer('Z'));
  e.apply(l.tick().agentLeg('LZ', 'carol', 'Z', Q));
  // Bob does not answer; his leg's DESTROY names a leg of the other call (no answer implied by it).
  e.apply(l.tick().destroy('LB', 'NO_ANSWER', { otherLegId: 'LZ' }));
  assert.equal(e.stats().merged, 1);
  e.apply(l.tick().destroy('LZ', 'NO_ANSWER'));
  const end = e.apply(l.tick().destroy('A', 'NORMAL_CLEARING'));
  const call = end.find((u) => u.audience.kind === 'call' && u.callId === 'A');
  assert.ok(call, JSON.stringify(end.map((u) => [u.callId, u.audience, u.state])));
  assert.equal(call.state, 'ended');
  assert.equal(call.outcome, 'answered');
});

merge.run();
