// Call engine: outbound click-to-call and internal calls (docs/call-model.md section 3).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallEngine } from '../../src/calls/engine.js';
import type { CallUpdate } from '../../src/calls/types.js';
import type { LegEvent } from '../../src/signals/types.js';
import { AGENTS, type Brief, brief, DID, fakeDirectory, Legs, ORG, OWNER, T0 } from '../helpers/legs.js';

const CUST = '0912345678';
const OUT = { direction: 'outbound', from: '8001', to: CUST, customerNumber: CUST } as const;

function engine() {
  return new CallEngine({ org: ORG, directory: fakeDirectory() });
}
function step(e: CallEngine, ev: LegEvent): Brief[] {
  return e.apply(ev).map(brief);
}
const iso = (ms: number) => new Date(ms).toISOString();

/** Click-to-call steps 1–3: A rings alice's device, she picks up, B dials the customer. */
function clickToCall(e: CallEngine, l: Legs): CallUpdate[] {
  // What cb_clicktocall sets on its originate (issue 9): without it, the leg is a call TO the agent.
  const first = e.apply(
    l.ev('CHANNEL_CREATE', 'A', {
      direction: 'outbound',
      ownerId: OWNER.alice,
      callerIdNumber: CUST,
      callerIdName: CUST,
      calleeIdNumber: '8001',
      authorizingType: 'clicktocall',
    }),
  );
  l.tick(3);
  assert.equal(e.apply(l.answer('A')), [], 'the agent picking up her own phone does not answer the call');
  assert.equal(
    e.apply(
      l.ev('CHANNEL_CREATE', 'B', {
        direction: 'outbound',
        otherLegId: 'A',
        callerIdNumber: DID,
        calleeIdNumber: CUST,
      }),
    ),
    [],
    'the far leg adds nothing visible',
  );
  return first;
}

const c2c = suite('calls: outbound click-to-call');

c2c('ringing with to = customer, answered when the customer answers, ended by the agent leg', () => {
  const e = engine();
  const l = new Legs();
  const first = clickToCall(e, l);
  assert.equal(first.map(brief), [
    { aud: 'call', state: 'ringing', agent: 'alice', ...OUT },
    { aud: 'agent:alice', state: 'ringing', agent: 'alice', ...OUT },
  ]);
  assert.equal(first[1].from, { number: '8001', name: 'Alice Tran' });
  assert.equal(first[1].to, { number: CUST });
  assert.equal(first[1].did, undefined);
  assert.equal(first[1].callId, 'A');
  assert.equal(first[1].startedAt, iso(T0));
  l.tick(8);
  const answeredAt = l.t;
  const ans = e.apply(l.answer('B'));
  assert.equal(ans.map(brief), [
    { aud: 'call', state: 'answered', agent: 'alice', ...OUT },
    { aud: 'agent:alice', state: 'answered', agent: 'alice', ...OUT },
  ]);
  assert.equal(ans[1].answeredAt, iso(answeredAt));
  assert.equal(step(e, l.bridge('B', 'A', 'A')), []);
  assert.equal(step(e, l.bridge('A', 'B', 'A')), []);
  l.tick(60);
  assert.equal(
    step(e, l.destroy('B', 'NORMAL_CLEARING', { durationSec: 68, billingSec: 60 })),
    [],
    'the agent leg is still up',
  );
  const end = e.apply(l.destroy('A', 'NORMAL_CLEARING', { durationSec: 71, billingSec: 68 }));
  assert.equal(end.map(brief), [
    { aud: 'call', state: 'ended', outcome: 'answered', agent: 'alice', ...OUT },
    { aud: 'agent:alice', state: 'ended', outcome: 'answered', agent: 'alice', ...OUT },
  ]);
  assert.equal(end[1].durationSec, 71);
  assert.equal(end[1].billingSec, 68);
  assert.equal(end[1].agent, AGENTS.alice);
  assert.equal(e.liveCalls, 0);
});

for (const [cause, outcome] of [
  ['USER_BUSY', 'busy'],
  ['CALL_REJECTED', 'busy'],
  ['NO_ANSWER', 'missed'],
  ['NO_USER_RESPONSE', 'missed'],
  ['UNALLOCATED_NUMBER', 'failed'],
  ['INVALID_NUMBER_FORMAT', 'failed'],
] as const) {
  c2c(`far leg ${cause} → ${outcome}`, () => {
    const e = engine();
    const l = new Legs();
    clickToCall(e, l);
    l.tick(10);
    assert.equal(step(e, l.destroy('B', cause, { durationSec: 10 })), []);
    assert.equal(step(e, l.destroy('A', 'NORMAL_CLEARING', { durationSec: 13, billingSec: 10 })), [
      { aud: 'call', state: 'ended', outcome, agent: 'alice', ...OUT },
      { aud: 'agent:alice', state: 'ended', outcome, agent: 'alice', ...OUT },
    ]);
    assert.equal(e.liveCalls, 0);
  });
}

c2c('the agent does not pick up her own phone: missed by the root leg cause', () => {
  const e = engine();
  const l = new Legs();
  e.apply(
    l.ev('CHANNEL_CREATE', 'A', {
      direction: 'outbound',
      ownerId: OWNER.alice,
      callerIdNumber: CUST,
      calleeIdNumber: '8001',
      authorizingType: 'clicktocall',
    }),
  );
  assert.equal(
    step(e, l.destroy('A', 'NO_ANSWER')).map((b) => `${b.aud} ${b.state} ${b.outcome}`),
    ['call ended missed', 'agent:alice ended missed'],
  );
});

c2c('dialled from the device: root inbound, far number = Callee-ID-Number → outbound', () => {
  const e = engine();
  const l = new Legs();
  assert.equal(
    step(
      e,
      l.ev('CHANNEL_CREATE', 'X', {
        direction: 'inbound',
        ownerId: OWNER.alice,
        callerIdNumber: '8001',
        calleeIdNumber: CUST,
        request: CUST,
      }),
    ),
    [
      { aud: 'call', state: 'ringing', agent: 'alice', ...OUT },
      { aud: 'agent:alice', state: 'ringing', agent: 'alice', ...OUT },
    ],
  );
  e.apply(l.ev('CHANNEL_CREATE', 'Y', { direction: 'outbound', otherLegId: 'X', calleeIdNumber: CUST }));
  assert.equal(
    step(e, l.answer('Y')).map((b) => `${b.aud} ${b.state}`),
    ['call answered', 'agent:alice answered'],
  );
});

const internal = suite('calls: internal');

function internalStart(e: CallEngine, l: Legs): { x: Brief[]; y: Brief[] } {
  const x = step(
    e,
    l.ev('CHANNEL_CREATE', 'X', {
      direction: 'inbound',
      ownerId: OWNER.alice,
      callerIdNumber: '8001',
      callerIdName: 'Alice Tran',
      calleeIdNumber: '8002',
    }),
  );
  const y = step(
    e,
    l.ev('CHANNEL_CREATE', 'Y', {
      direction: 'outbound',
      ownerId: OWNER.bob,
      otherLegId: 'X',
      callerIdNumber: '8001',
      calleeIdNumber: '8002',
    }),
  );
  return { x, y };
}
const INT = { direction: 'internal', from: '8001', to: '8002' } as const;

internal('both agents get views, direction internal, no customer number', () => {
  const e = engine();
  const l = new Legs();
  const { x, y } = internalStart(e, l);
  assert.equal(x, [
    { aud: 'call', state: 'ringing', agent: 'alice', ...INT },
    { aud: 'agent:alice', state: 'ringing', agent: 'alice', ...INT },
  ]);
  assert.equal(
    y,
    [
      { aud: 'call', state: 'ringing', ...INT },
      { aud: 'agent:bob', state: 'ringing', agent: 'bob', ...INT },
    ],
    'two agents involved: the ringing call view names none',
  );
  assert.equal(step(e, l.answer('Y')), [
    { aud: 'call', state: 'answered', agent: 'bob', ...INT },
    { aud: 'agent:alice', state: 'answered', agent: 'alice', ...INT },
    { aud: 'agent:bob', state: 'answered', agent: 'bob', ...INT },
  ]);
  assert.equal(step(e, l.bridge('Y', 'X', 'X')), []);
  assert.equal(step(e, l.bridge('X', 'Y', 'X')), []);
  assert.equal(step(e, l.destroy('Y', 'NORMAL_CLEARING')), [
    { aud: 'agent:bob', state: 'ended', outcome: 'answered', agent: 'bob', ...INT },
  ]);
  assert.equal(step(e, l.destroy('X', 'NORMAL_CLEARING')), [
    { aud: 'call', state: 'ended', outcome: 'answered', agent: 'bob', ...INT },
    { aud: 'agent:alice', state: 'ended', outcome: 'answered', agent: 'alice', ...INT },
  ]);
  assert.equal(e.liveCalls, 0);
});

internal('callee does not answer: missed for the callee, the caller and the call', () => {
  const e = engine();
  const l = new Legs();
  internalStart(e, l);
  assert.equal(
    step(e, l.destroy('Y', 'NO_ANSWER')).map((b) => `${b.aud} ${b.state} ${b.outcome}`),
    ['agent:bob ended missed'],
  );
  assert.equal(
    step(e, l.destroy('X', 'NORMAL_CLEARING')).map((b) => `${b.aud} ${b.state} ${b.outcome}`),
    ['call ended missed', 'agent:alice ended missed'],
  );
});

internal('callee rejects: busy', () => {
  const e = engine();
  const l = new Legs();
  internalStart(e, l);
  assert.equal(
    step(e, l.destroy('Y', 'CALL_REJECTED')).map((b) => b.outcome),
    ['busy'],
  );
  assert.equal(
    step(e, l.destroy('X', 'NORMAL_CLEARING')).map((b) => b.outcome),
    ['busy', 'busy'],
  );
});

c2c(
  'a click-to-call without Kazoo markers, not known as placed: outbound once the switch places the customer leg from the agent leg',
  () => {
    const e = engine();
    const l = new Legs();
    // AntRing's API click-to-call: the device leg carries Authorizing-Type `device` like any rung leg.
    const ring = e.apply(
      l.ev('CHANNEL_CREATE', 'A', {
        direction: 'outbound',
        ownerId: OWNER.alice,
        callerIdNumber: CUST,
        calleeIdNumber: '8001',
      }),
    );
    assert.is(ring[1]?.direction, 'inbound', 'until then it looks like a call to the agent');
    assert.is(ring[1]?.customerNumber, CUST);
    // Nothing tells it from an agent picking up a caller whose leg was not seen (issue 15): shown answered.
    assert.equal(
      step(e, l.tick(3).answer('A')).map((b) => `${b.aud} ${b.state} ${b.direction}`),
      ['call answered inbound', 'agent:alice answered inbound'],
    );
    const far = e.apply(
      l.tick().ev('CHANNEL_CREATE', 'B', {
        direction: 'outbound',
        otherLegId: 'A',
        callerIdNumber: DID,
        calleeIdNumber: CUST,
      }),
    );
    assert.equal(
      far.map(brief),
      [
        { aud: 'call', state: 'answered', agent: 'alice', ...OUT },
        { aud: 'agent:alice', state: 'answered', agent: 'alice', ...OUT },
      ],
      'corrected to outbound in a later seq; the state shown never goes backwards',
    );
    l.tick(4);
    assert.equal(step(e, l.destroy('B', 'USER_BUSY')), []);
    assert.equal(
      step(e, l.destroy('A', 'NORMAL_CLEARING', { billingSec: 5 })).map(
        (b) => `${b.aud} ${b.state} ${b.outcome} ${b.direction}`,
      ),
      ['call ended busy outbound', 'agent:alice ended busy outbound'],
      'the agent picking up was not the customer answering: the outcome is the far leg’s',
    );
  },
);

c2c.run();
internal.run();
