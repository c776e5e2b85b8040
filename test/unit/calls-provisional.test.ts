// Call engine: an agent leg the switch rang, created without a link (docs/call-model.md section 4, "legs linked late"):
// it is a call TO the agent (rule 1), and it joins the one live customer call from its caller number at CREATE,
// provisionally (rule 2); a later explicit link confirms it, or moves the leg to the call it names.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallEngine } from '../../src/calls/engine.js';
import type { CallUpdate } from '../../src/calls/types.js';
import { PlacedCallsRegistry } from '../../src/dial/placed.js';
import { brief, CUSTOMER, DID, fakeDirectory, Legs, ORG, QUEUE, T0 } from '../helpers/legs.js';

const Q = QUEUE.id;

function engine(extra: Partial<ConstructorParameters<typeof CallEngine>[0]> = {}) {
  return new CallEngine({ org: ORG, directory: fakeDirectory(), ...extra });
}

const noLink = { otherLegId: undefined };
const of = (us: CallUpdate[], aud: string) => us.filter((u) => brief(u).aud === aud);

const join = suite('calls: an unlinked agent leg joins the one customer call from its number');

join(
  'the ringing agent sees the inbound customer at once, on the customer call; the late link changes nothing visible',
  () => {
    const e = engine();
    const l = new Legs();
    e.apply(l.customer('A'));
    e.apply(l.tick().answer('A', { direction: 'inbound' }));
    const ring = e.apply(l.tick().agentLeg('LA', 'alice', 'A', Q, noLink));
    const pop = of(ring, 'agent:alice')[0];
    assert.ok(pop, JSON.stringify(ring.map(brief)));
    assert.equal(brief(pop), {
      aud: 'agent:alice',
      state: 'ringing',
      direction: 'inbound',
      from: CUSTOMER,
      to: DID,
      agent: 'alice',
      queue: Q,
      customerNumber: CUSTOMER,
    });
    assert.is(pop.callId, 'A');
    assert.is(of(ring, `call:${Q}`)[0]?.callId, 'A', 'the admins see the customer call ringing');
    const answered = e.apply(l.tick().answer('LA', { otherLegId: 'A' }));
    assert.ok(
      answered.every((u) => u.callId === 'A' && u.hangupCause !== 'BRIDGE_MERGED'),
      JSON.stringify(answered.map(brief)),
    );
    assert.is(of(answered, 'agent:alice')[0]?.state, 'answered');
    e.apply(l.tick(30).destroy('A', 'NORMAL_CLEARING', { direction: 'inbound', billingSec: 30 }));
    const end = e.apply(l.destroy('LA', 'NORMAL_CLEARING', { billingSec: 30 }));
    assert.is(of(end, 'agent:alice')[0]?.outcome, 'answered');
    assert.is(e.stats().merged, 0);
    assert.is(e.liveCalls, 0);
  },
);

join('a CREATE with its own Call-ID as Other-Leg-Call-ID (origination-uuid fallback) joins the same way', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('A'));
  const ring = e.apply(l.tick().agentLeg('LA', 'alice', 'A', Q, { otherLegId: 'LA' }));
  assert.equal(
    ring.map((u) => u.callId),
    ['A', 'A'],
  );
  assert.is(of(ring, 'agent:alice')[0]?.from.number, CUSTOMER);
});

join('two live customer calls from that number: no guess; the leg alone is still a call to the agent (inbound)', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('A'));
  e.apply(l.tick().customer('B'));
  const ring = e.apply(l.tick().agentLeg('LA', 'alice', 'A', Q, noLink));
  const pop = of(ring, 'agent:alice')[0];
  assert.is(pop?.callId, 'LA');
  assert.equal(brief(pop!), {
    aud: 'agent:alice',
    state: 'ringing',
    direction: 'inbound',
    from: CUSTOMER,
    to: '8001',
    agent: 'alice',
    queue: Q,
    customerNumber: CUSTOMER,
  });
  // The explicit link merges as before.
  const merged = e.apply(l.tick().answer('LA', { otherLegId: 'B' }));
  assert.is(e.stats().merged, 1, JSON.stringify(merged.map(brief)));
});

join('a lone agent leg rung from an extension is internal', () => {
  const e = engine();
  const l = new Legs();
  const ring = e.apply(
    l.agentLeg('LB', 'bob', 'X', undefined, { ...noLink, callerIdNumber: '8001', callerIdName: 'Alice Tran' }),
  );
  const pop = of(ring, 'agent:bob')[0];
  assert.equal(brief(pop!), {
    aud: 'agent:bob',
    state: 'ringing',
    direction: 'internal',
    from: '8001',
    to: '8002',
    agent: 'bob',
  });
});

join('a click-to-call first leg is not joined and stays outbound', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('A'));
  const ring = e.apply(
    l.tick().agentLeg('c2c-0123456789abcdef0123456789abcdef-0a1b2c3d4e', 'alice', 'A', undefined, {
      ...noLink,
      authorizingType: 'clicktocall',
    }),
  );
  const pop = of(ring, 'agent:alice')[0];
  assert.is(pop?.callId, 'c2c-0123456789abcdef0123456789abcdef-0a1b2c3d4e');
  assert.is(pop?.direction, 'outbound');
  assert.is(pop?.to.number, CUSTOMER);
});

join('a leg placed by the bridge is not joined', () => {
  const e = engine({ placed: { isPlaced: (agent, number) => agent === 'alice' && number === CUSTOMER } });
  const l = new Legs();
  e.apply(l.customer('A'));
  const ring = e.apply(l.tick().agentLeg('LA', 'alice', 'A', undefined, noLink));
  assert.is(of(ring, 'agent:alice')[0]?.callId, 'LA');
  assert.is(of(ring, 'agent:alice')[0]?.direction, 'outbound');
});

join(
  'the customer calling back while the click-to-call the bridge placed to them is live: the callback is joined',
  () => {
    // One dial places one agent leg: the click-to-call's own leg took the placement, so alice's leg rung by the queue
    // for the customer's inbound call (same agent, same number, inside the placement's window) is that call's.
    const clock = { now: () => T0, setTimeout: () => 0, clearTimeout: () => undefined };
    const placed = new PlacedCallsRegistry({ clock });
    placed.record('alice', CUSTOMER);
    const e = engine({ placed });
    const l = new Legs();
    const dial = e.apply(l.agentLeg('C1', 'alice', 'C1', undefined, noLink)); // the device leg of the API click-to-call
    assert.is(of(dial, 'agent:alice')[0]?.direction, 'outbound', 'the placed leg is the click-to-call');
    e.apply(l.tick().answer('C1'));
    e.apply(l.tick().customer('A'));
    const ring = e.apply(l.tick().agentLeg('LA', 'alice', 'A', Q, noLink));
    const pop = of(ring, 'agent:alice').find((u) => u.state === 'ringing');
    assert.ok(pop, JSON.stringify(ring.map(brief)));
    assert.is(pop.callId, 'A', 'on the customer call');
    assert.is(pop.direction, 'inbound');
    assert.is(pop.from.number, CUSTOMER);
  },
);

join(
  'a wrong guess: the later link names another call; the leg moves there, its view on the first call ends BRIDGE_MERGED',
  () => {
    const e = engine();
    const l = new Legs();
    e.apply(l.customer('A'));
    e.apply(l.tick().agentLeg('LA', 'alice', 'A', Q, noLink)); // joins A (the only candidate)
    e.apply(l.tick().customer('B'));
    e.apply(l.tick().agentLeg('LB', 'bob', 'B', Q)); // B is shown (bob rung)
    const moved = e.apply(l.tick().answer('LA', { otherLegId: 'B' }));
    const gone = moved.find((u) => u.callId === 'A' && u.audience.kind === 'agent' && u.audience.username === 'alice');
    assert.ok(gone, JSON.stringify(moved.map((u) => [u.callId, brief(u)])));
    assert.is(gone.state, 'ended');
    assert.is(gone.hangupCause, 'BRIDGE_MERGED');
    assert.is(gone.mergedInto, 'B');
    assert.is(gone.outcome, undefined);
    const onB = moved.find((u) => u.callId === 'B' && u.audience.kind === 'agent' && u.audience.username === 'alice');
    assert.is(onB?.state, 'answered');
    // A is the customer's call still waiting (no agent leg, no queue left): it ends missed without alice; B is answered.
    const endA = e.apply(l.tick().destroy('A', 'ORIGINATOR_CANCEL', { direction: 'inbound' }));
    assert.ok(
      !endA.some((u) => u.audience.kind === 'agent' && u.audience.username === 'alice'),
      'nothing more for alice on A',
    );
    assert.is(endA.find((u) => u.audience.kind === 'call')?.outcome, 'missed');
    e.apply(l.tick().destroy('LB', 'LOSE_RACE'));
    e.apply(l.tick().destroy('B', 'NORMAL_CLEARING', { direction: 'inbound' }));
    const endLA = e.apply(l.destroy('LA', 'NORMAL_CLEARING', { billingSec: 3 }));
    assert.is(endLA.find((u) => u.audience.kind === 'agent')?.outcome, 'answered');
    assert.is(e.liveCalls, 0);
  },
);

join('an agent leg with Owner-ID of no known agent, or an ended customer call, is not joined', () => {
  const e = engine();
  const l = new Legs();
  e.apply(l.customer('A'));
  e.apply(l.tick().destroy('A', 'ORIGINATOR_CANCEL', { direction: 'inbound' }));
  const ring = e.apply(l.tick().agentLeg('LA', 'alice', 'A', Q, noLink));
  assert.is(of(ring, 'agent:alice')[0]?.callId, 'LA');
});

join(
  'the match is an index, not a scan: thousands of live calls, each agent leg finds its own; the index empties',
  () => {
    const e = engine();
    const l = new Legs();
    const n = 5_000;
    const number = (i: number) => `09${String(i).padStart(8, '0')}`;
    for (let i = 0; i < n; i++) e.apply(l.customer(`C${i}`, { callerIdNumber: number(i), from: number(i) }));
    assert.is(e.memory().customerCalls, n, 'every live customer call is findable by its number');
    const started = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const ring = e.apply(l.agentLeg(`L${i}`, 'alice', `C${i}`, Q, { ...noLink, callerIdNumber: number(i) }));
      assert.is(of(ring, 'agent:alice')[0]?.callId, `C${i}`);
    }
    const cpuMs = (process.cpuUsage(started).user + process.cpuUsage(started).system) / 1000;
    // Not a timing assertion: printed for the record (a scan made this quadratic: ~25 M root checks here).
    if (process.env.SHOW_TIMES) console.log({ agentLegs: n, cpuMs });
    for (let i = 0; i < n; i++) e.apply(l.destroy(`C${i}`, 'ORIGINATOR_CANCEL', { direction: 'inbound' }));
    assert.is(e.memory().customerCalls, 0, 'a customer leg destroyed leaves the index');
    for (let i = 0; i < n; i++) e.apply(l.destroy(`L${i}`, 'ORIGINATOR_CANCEL'));
    assert.is(e.liveCalls, 0);
    assert.is(e.memory().customerCalls, 0);
  },
);

join.run();
