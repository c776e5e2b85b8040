// Click-to-call and internal scenarios (docs/call-model.md section 3), key styles, observers, close(), demo traffic.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRandom } from '../../src/simulator/history.js';
import { ScenarioAbortedError } from '../../src/simulator/scenarios.js';
import { waitFor } from '../helpers/wait.js';
import { eventsOf, harness, ownerOf, queueOf, steps } from './sim-fixture.js';

const t = suite('outbound and internal scenarios');
const NUMBER = '0912345678';

t(
  'click-to-call answered: the agent device rings first, then the customer; BRIDGE on both; DESTROY on both',
  async () => {
    const { engine, published, data, state } = harness();
    const agent = data.agents[0];
    const r = await engine.clickToCall({
      agent: agent.username,
      number: NUMBER,
      result: 'answered',
      ringMs: 4000,
      talkMs: 30000,
    });
    const [A, B] = r.legs;
    assert.is(r.callId, A);
    assert.equal(steps(published, { [A]: 'A', [B]: 'B' }), [
      'A CREATE',
      'A ANSWER',
      'B CREATE',
      'B ANSWER',
      'B BRIDGE',
      'A BRIDGE',
      'B DESTROY NORMAL_CLEARING',
      'A DESTROY NORMAL_CLEARING',
    ]);
    const [a] = eventsOf(published, A, 'CREATE');
    assert.is(a['Call-Direction'], 'outbound');
    assert.is(ownerOf(a), agent.userId);
    assert.not.ok('Other-Leg-Call-ID' in a);
    assert.is(a['Caller-ID-Number'], NUMBER, 'the phone shows the customer number');
    assert.is(a['Callee-ID-Number'], agent.ext[0]);
    const [b] = eventsOf(published, B, 'CREATE');
    assert.is(b['Call-Direction'], 'outbound');
    assert.is(b['Other-Leg-Call-ID'], A);
    assert.is(ownerOf(b), undefined);
    assert.is(b['Callee-ID-Number'], NUMBER);
    assert.is(b['Caller-ID-Number'], data.org.did);
    assert.is(eventsOf(published, B, 'BRIDGE')[0]['Other-Leg-Call-ID'], A);
    assert.is(eventsOf(published, A, 'BRIDGE')[0]['Other-Leg-Call-ID'], B);
    assert.is(eventsOf(published, B, 'DESTROY')[0]['Billing-Seconds'], '30');
    const [h] = state.historyBetween(0, Number.MAX_SAFE_INTEGER);
    assert.equal(
      [h.direction, h.status_detail, h.did_number, h.callee.number, h.caller.username],
      ['from_ab', 'SUCCESS', null, NUMBER, agent.username],
    );
  },
);

for (const [result, cause, status] of [
  ['busy', 'USER_BUSY', 'BUSY'],
  ['missed', 'NO_ANSWER', 'CANCELLED'],
  ['failed', 'UNALLOCATED_NUMBER', 'UNSUCCESS'],
] as const) {
  t(`click-to-call ${result}: B DESTROY ${cause}, then A`, async () => {
    const { engine, published, state } = harness();
    const r = await engine.clickToCall({ agent: 'minh.tran', number: NUMBER, result });
    const [A, B] = r.legs;
    assert.equal(steps(published, { [A]: 'A', [B]: 'B' }), [
      'A CREATE',
      'A ANSWER',
      'B CREATE',
      `B DESTROY ${cause}`,
      'A DESTROY NORMAL_CLEARING',
    ]);
    assert.is(state.historyBetween(0, Number.MAX_SAFE_INTEGER)[0].status_detail, status);
  });
}

t(
  'internal call: X CREATE inbound (owner X) → Y CREATE outbound (owner Y, Other-Leg X) → Y ANSWER → BRIDGE → DESTROYs',
  async () => {
    const { engine, published, data, state } = harness();
    const [x, y] = [data.agents[0], data.agents[1]];
    const r = await engine.internalCall({ from: x.username, to: y.username });
    const [X, Y] = r.legs;
    assert.equal(steps(published, { [X]: 'X', [Y]: 'Y' }), [
      'X CREATE',
      'Y CREATE',
      'Y ANSWER',
      'Y BRIDGE',
      'X BRIDGE',
      'X DESTROY NORMAL_CLEARING',
      'Y DESTROY NORMAL_CLEARING',
    ]);
    const [xc] = eventsOf(published, X, 'CREATE');
    assert.is(xc['Call-Direction'], 'inbound');
    assert.is(ownerOf(xc), x.userId);
    assert.is(xc['Callee-ID-Number'], y.ext[0]);
    assert.is(xc['Caller-ID-Number'], x.ext[0]);
    const [yc] = eventsOf(published, Y, 'CREATE');
    assert.is(yc['Call-Direction'], 'outbound');
    assert.is(ownerOf(yc), y.userId);
    assert.is(yc['Other-Leg-Call-ID'], X);
    assert.is(queueOf(yc), undefined);
    assert.is(state.historyBetween(0, Number.MAX_SAFE_INTEGER)[0].class, 'one_one');
    assert.is(state.agentStatus(x).status, 'ready', 'statuses balanced after the call (no wrap-up configured)');
    assert.is(state.agentStatus(y).status, 'ready');
  },
);

t('internal call missed: Y NO_ANSWER', async () => {
  const { engine, published } = harness();
  const r = await engine.internalCall({ from: 'lan.nguyen', to: 'thao.vo', result: 'missed' });
  const [X, Y] = r.legs;
  assert.equal(steps(published, { [X]: 'X', [Y]: 'Y' }), [
    'X CREATE',
    'Y CREATE',
    'Y DESTROY NO_ANSWER',
    'X DESTROY NORMAL_CLEARING',
  ]);
});

t('snake_case deployments: same sequence with snake keys', async () => {
  const { engine, published } = harness({ keyStyle: 'snake' });
  const r = await engine.directCall({ customer: NUMBER, agent: 'lan.nguyen', result: 'missed' });
  assert.equal(
    published.map((p) => p.event_name),
    ['CHANNEL_CREATE', 'CHANNEL_CREATE', 'CHANNEL_DESTROY', 'CHANNEL_DESTROY'],
  );
  assert.is(published[1].other_leg_call_id, r.callId);
  assert.is(published[2].hangup_cause, 'NO_ANSWER');
  assert.ok((published[1].custom_channel_vars as Record<string, unknown>).owner_id);
});

t('observers see each event with its call id; stats count events and deliveries', async () => {
  const { engine } = harness();
  const seen: string[] = [];
  const off = engine.observe((e) => seen.push(`${e.callId === e.legId ? 'root' : 'leg'} ${e.name}`));
  const r = await engine.directCall({ customer: NUMBER, agent: 'lan.nguyen', result: 'busy' });
  off();
  await engine.directCall({ customer: NUMBER, agent: 'lan.nguyen', result: 'busy' });
  assert.equal(seen, ['root CHANNEL_CREATE', 'leg CHANNEL_CREATE', 'leg CHANNEL_DESTROY', 'root CHANNEL_DESTROY']);
  assert.ok(r.callId);
  const s = engine.stats();
  assert.equal([s.started, s.completed, s.events, s.delivered, s.active], [2, 2, 8, 8, 0]);
});

t('close() aborts running scenarios (real timers) and refuses new ones', async () => {
  const { engine, published } = harness({ delay: undefined });
  const running = engine.inboundQueueCall({ customer: NUMBER, agents: ['lan.nguyen'], ringMs: 60_000, talkMs: 60_000 });
  await waitFor(() => published.length >= 1, { what: 'the first leg' });
  engine.close();
  engine.close();
  try {
    await running;
    assert.unreachable('aborted');
  } catch (err) {
    assert.instance(err, ScenarioAbortedError);
  }
  try {
    await engine.directCall({ customer: NUMBER, agent: 'lan.nguyen', result: 'missed' });
    assert.unreachable('refused');
  } catch (err) {
    assert.instance(err, ScenarioAbortedError);
  }
  assert.is(engine.stats().aborted, 1);
});

t('demo traffic: a realistic mix of calls from the seed, stopped by stopTraffic()', async () => {
  const { engine, published, data } = harness({ random: seededRandom(42) });
  engine.startTraffic({ callsPerMinute: 6000 });
  assert.ok(engine.trafficRunning);
  await waitFor(() => engine.stats().completed >= 60, { what: '60 calls', timeoutMs: 20_000 });
  engine.stopTraffic();
  assert.not.ok(engine.trafficRunning);
  const causes = new Set(published.map((p) => p['Hangup-Cause']).filter(Boolean));
  for (const c of ['LOSE_RACE', 'NORMAL_CLEARING', 'ORIGINATOR_CANCEL', 'NO_ANSWER'])
    assert.ok(causes.has(c), `some ${c}`);
  assert.ok(
    published.some((p) => queueOf(p)),
    'queue calls',
  );
  const roots = published.filter((p) => p['Event-Name'] === 'CHANNEL_CREATE' && !p['Other-Leg-Call-ID']);
  const callers = new Set(roots.filter((p) => !ownerOf(p)).map((p) => p['Caller-ID-Number'] as string));
  assert.ok(
    [...callers].some((n) => data.expectedContacts(n).length === 0),
    'unknown callers',
  );
  assert.ok(
    [...callers].some((n) => data.expectedContacts(n).length > 1),
    'callers matching several records',
  );
  assert.ok(
    [...callers].some((n) => data.customerNumbers({ legacy: true }).includes(n)),
    'legacy-stored callers',
  );
  assert.ok(
    roots.some((p) => ownerOf(p) && p['Call-Direction'] === 'outbound'),
    'click-to-calls',
  );
  assert.ok(
    roots.some((p) => ownerOf(p) && p['Call-Direction'] === 'inbound'),
    'internal calls',
  );
  const after = engine.stats().started;
  await waitFor(() => engine.stats().active === 0, { what: 'running calls to finish' });
  assert.is(engine.stats().started, after, 'no call started after stopTraffic()');
  engine.close();
});

t(
  'demo traffic: the first call starts at once and rings the focus agent, from a customer with one contact',
  async () => {
    const { engine, published, data } = harness({ random: seededRandom(7) });
    engine.startTraffic({ callsPerMinute: 0.001 });
    await waitFor(() => engine.stats().completed >= 1, { what: 'the first call' });
    engine.stopTraffic();
    const root = published[0];
    const agentLeg = published.find((p) => p['Other-Leg-Call-ID'] === root['Call-ID'])!;
    assert.is(ownerOf(agentLeg), data.agents[0].userId);
    assert.is(data.expectedContacts(root['Caller-ID-Number'] as string).length, 1);
    assert.is(engine.stats().started, 1, 'nothing else yet at that rate');
    engine.close();
  },
);

t.run();
