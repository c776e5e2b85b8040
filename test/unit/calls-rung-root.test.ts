// Call engine: an agent leg the switch rang that is the root of its call (no link, its caller's leg never seen: the
// customer waited in the queue while the bridge restarted). Its ANSWER is the agent talking to the caller: `answered`
// at once, for the agent and for supervisors (issue 15 item 1); issue 9's rules stay (IVR answers, click-to-call).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallEngine } from '../../src/calls/engine.js';
import type { CallUpdate } from '../../src/calls/types.js';
import { brief, CUSTOMER, fakeDirectory, Legs, ORG, QUEUE } from '../helpers/legs.js';

const Q = QUEUE.id;
const noLink = { otherLegId: undefined };
const of = (us: CallUpdate[], aud: string) => us.filter((u) => brief(u).aud === aud);
const iso = (ms: number) => new Date(ms).toISOString();

function engine(extra: Partial<ConstructorParameters<typeof CallEngine>[0]> = {}) {
  return new CallEngine({ org: ORG, directory: fakeDirectory(), ...extra });
}

const rung = suite('calls: a rung agent leg as root, answered');

rung('inbound from a customer, queue agent leg: answered at its ANSWER for the agent and the supervisors', () => {
  const e = engine();
  const l = new Legs();
  const ring = e.apply(l.agentLeg('LA', 'alice', 'X', Q, noLink));
  assert.is(of(ring, 'agent:alice')[0]?.state, 'ringing');
  assert.is(of(ring, 'agent:alice')[0]?.direction, 'inbound');
  l.tick(4);
  const at = l.t;
  const ans = e.apply(l.answer('LA'));
  const sup = of(ans, `call:${Q}`)[0];
  const own = of(ans, 'agent:alice')[0];
  assert.ok(sup && own, JSON.stringify(ans.map(brief)));
  assert.equal(brief(sup), {
    aud: `call:${Q}`,
    state: 'answered',
    agent: 'alice',
    queue: Q,
    direction: 'inbound',
    from: CUSTOMER,
    to: '8001',
    customerNumber: CUSTOMER,
  });
  assert.is(sup.answeredAt, iso(at));
  assert.is(own.state, 'answered');
  assert.is(own.answeredAt, iso(at));
  l.tick(30);
  const end = e.apply(l.destroy('LA', 'NORMAL_CLEARING', { durationSec: 34, billingSec: 30 }));
  assert.equal(
    end.map((u) => `${brief(u).aud} ${u.state} ${u.outcome}`),
    [`call:${Q} ended answered`, 'agent:alice ended answered'],
  );
  assert.is(e.liveCalls, 0);
});

rung('the same agent leg refused or not picked up stays ringing and ends missed / busy', () => {
  for (const [cause, outcome] of [
    ['NO_ANSWER', 'missed'],
    ['USER_BUSY', 'busy'],
  ] as const) {
    const e = engine();
    const l = new Legs();
    e.apply(l.agentLeg('LA', 'alice', 'X', undefined, noLink));
    const end = e.apply(l.tick(20).destroy('LA', cause));
    assert.equal(
      end.map((u) => `${brief(u).aud} ${u.state} ${u.outcome}`),
      [`call ended ${outcome}`, `agent:alice ended ${outcome}`],
    );
  }
});

rung('rung from an extension (the caller agent leg not seen): internal, answered at its ANSWER', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.agentLeg('LB', 'bob', 'X', undefined, { ...noLink, callerIdNumber: '8001', callerIdName: 'Alice Tran' }));
  const ans = e.apply(l.tick(3).answer('LB'));
  assert.equal(
    ans.map((u) => `${brief(u).aud} ${u.state} ${u.direction}`),
    ['call answered internal', 'agent:bob answered internal'],
  );
});

rung('a click-to-call first leg (Kazoo marker, or placed by the bridge): the agent picking up answers nothing', () => {
  const marked = engine();
  const l = new Legs();
  marked.apply(
    l.agentLeg('c2c-0123456789abcdef0123456789abcdef-0a1b2c3d4e', 'alice', 'X', undefined, {
      ...noLink,
      authorizingType: 'clicktocall',
    }),
  );
  assert.equal(marked.apply(l.tick(3).answer('c2c-0123456789abcdef0123456789abcdef-0a1b2c3d4e')), []);

  const placed = engine({ placed: { isPlaced: (agent, number) => agent === 'alice' && number === CUSTOMER } });
  const p = new Legs();
  placed.apply(p.agentLeg('LA', 'alice', 'X', undefined, noLink));
  assert.equal(placed.apply(p.tick(3).answer('LA')), []);
});

rung(
  'an agent leg rung by a queue with the customer leg seen keeps the customer call: the IVR answer counts for nothing',
  () => {
    const e = engine();
    const l = new Legs();
    e.apply(l.customer('C'));
    assert.equal(e.apply(l.tick().answer('C', { direction: 'inbound' })), []);
    const ring = e.apply(l.tick().agentLeg('LA', 'alice', 'C', Q, noLink));
    assert.is(of(ring, `call:${Q}`)[0]?.state, 'ringing');
    const ans = e.apply(l.tick(2).answer('LA'));
    assert.is(of(ans, `call:${Q}`)[0]?.state, 'answered');
    assert.is(of(ans, `call:${Q}`)[0]?.callId, 'C');
  },
);

rung.run();
