// Inbound scenarios emit exactly docs/call-model.md section 3: queue ring-all, abandoned, direct missed/busy/answered.
// Also the live state they move (agent statuses, queue counters, waiting calls, history).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dashboardBody } from '../../src/simulator/dashboard.js';
import { fromGregorian } from '../../src/simulator/kazoo-payload.js';
import { eventsOf, gatedDelay, harness, ownerOf, queueOf, steps } from './sim-fixture.js';

const t = suite('inbound scenarios');
const CUSTOMER = '0934890883';

t(
  'queue call ringing 3 agents: IVR answer first, winner ANSWER + BRIDGE both, losers LOSE_RACE, both hang up',
  async () => {
    const { engine, published, data } = harness();
    const queue = data.queues[0];
    const r = await engine.inboundQueueCall({
      customer: CUSTOMER,
      queueId: queue.id,
      agents: ['lan.nguyen', 'minh.tran', 'huong.le'],
      answeredBy: 'minh.tran',
      ringMs: 5000,
      talkMs: 20000,
    });
    const [C, L1, L2, L3] = r.legs;
    assert.is(r.callId, C);
    assert.is(r.legs.length, 4);
    assert.equal(steps(published, { [C]: 'C', [L1]: 'L1', [L2]: 'L2', [L3]: 'L3' }), [
      'C CREATE',
      'C ANSWER',
      'L1 CREATE',
      'L2 CREATE',
      'L3 CREATE',
      'L2 ANSWER',
      'L2 BRIDGE',
      'C BRIDGE',
      'L1 DESTROY LOSE_RACE',
      'L3 DESTROY LOSE_RACE',
      'C DESTROY NORMAL_CLEARING',
      'L2 DESTROY NORMAL_CLEARING',
    ]);
    const [cCreate] = eventsOf(published, C, 'CREATE');
    assert.is(cCreate['Call-Direction'], 'inbound');
    assert.is(cCreate['Caller-ID-Number'], CUSTOMER);
    assert.is(cCreate['Callee-ID-Number'], data.org.did);
    assert.is(cCreate.To, `${data.org.did}@${data.org.realm}`);
    assert.is(cCreate.Request, `${data.org.did}@${data.org.realm}`);
    assert.is(ownerOf(cCreate), undefined);
    assert.not.ok('Other-Leg-Call-ID' in cCreate);
    const agents = ['lan.nguyen', 'minh.tran', 'huong.le'].map((u) => data.agents.find((a) => a.username === u)!);
    [L1, L2, L3].forEach((leg, i) => {
      const [c] = eventsOf(published, leg, 'CREATE');
      assert.is(c['Call-Direction'], 'outbound');
      assert.is(c['Other-Leg-Call-ID'], C);
      assert.is(ownerOf(c), agents[i].userId);
      assert.is(queueOf(c), queue.id);
      assert.is(c['Caller-ID-Number'], CUSTOMER);
      assert.is(c['Callee-ID-Number'], agents[i].ext[0]);
    });
    const [wBridge] = eventsOf(published, L2, 'BRIDGE');
    assert.is(wBridge['Other-Leg-Call-ID'], C);
    assert.is(wBridge['Bridge-ID'], C);
    const [cBridge] = eventsOf(published, C, 'BRIDGE');
    assert.is(cBridge['Other-Leg-Call-ID'], L2);
    const [wEnd] = eventsOf(published, L2, 'DESTROY');
    assert.is(wEnd['Duration-Seconds'], '25');
    assert.is(wEnd['Billing-Seconds'], '20');
    assert.is(wEnd['Ringing-Seconds'], '5');
    const [loser] = eventsOf(published, L1, 'DESTROY');
    assert.is(loser['Billing-Seconds'], '0');
    // Timestamps follow the scenario clock even with an instant delay.
    const ts = published.map((p) => fromGregorian(p.Timestamp as number));
    assert.ok(
      ts.every((x, i) => i === 0 || x >= ts[i - 1]),
      'timestamps never go back',
    );
    assert.ok(ts.at(-1)! - ts[0] >= 25_000);
    assert.is(new Set(published.map((p) => p['Msg-ID'])).size, published.length, 'unique Msg-IDs');
  },
);

t('agent hangs up first: the agent leg is destroyed first', async () => {
  const { engine, published } = harness();
  const r = await engine.inboundQueueCall({
    customer: CUSTOMER,
    agents: ['lan.nguyen'],
    hangupBy: 'agent',
    ringMs: 10,
    talkMs: 10,
  });
  const [C, L] = r.legs;
  assert.equal(steps(published, { [C]: 'C', [L]: 'L' }).slice(-2), [
    'L DESTROY NORMAL_CLEARING',
    'C DESTROY NORMAL_CLEARING',
  ]);
});

t('abandoned: customer hangs up while agents ring; every agent leg ORIGINATOR_CANCEL', async () => {
  const { engine, published, state } = harness();
  const r = await engine.inboundQueueCall({
    customer: CUSTOMER,
    agents: ['lan.nguyen', 'tuan.pham'],
    answeredBy: null,
    ringMs: 8000,
  });
  const [C, L1, L2] = r.legs;
  assert.equal(steps(published, { [C]: 'C', [L1]: 'L1', [L2]: 'L2' }), [
    'C CREATE',
    'C ANSWER',
    'L1 CREATE',
    'L2 CREATE',
    'C DESTROY ORIGINATOR_CANCEL',
    'L1 DESTROY ORIGINATOR_CANCEL',
    'L2 DESTROY ORIGINATOR_CANCEL',
  ]);
  const d = dashboardBody(state);
  assert.is(d.queue.abandoned, 1);
  assert.is(d.queue.offered, 1);
  assert.is(d.queue.handled, 0);
  const [h] = state.historyBetween(0, Number.MAX_SAFE_INTEGER);
  assert.is(h.call_id, C);
  assert.is(h.status_detail, 'IVR');
  assert.is(h.queue_stat[0].status, 'abandoned');
  assert.is(h.queue_stat[0].misses.length, 2);
  // abandon: true says the same
  const again = harness();
  await again.engine.inboundQueueCall({ customer: CUSTOMER, agents: ['lan.nguyen'], abandon: true });
  assert.ok(steps(again.published, {}).some((s) => s.endsWith('DESTROY ORIGINATOR_CANCEL')));
});

t('direct call missed: no IVR answer, no Queue-ID, L NO_ANSWER then C', async () => {
  const { engine, published } = harness();
  const r = await engine.directCall({ customer: CUSTOMER, agent: 'huong.le', result: 'missed' });
  const [C, L] = r.legs;
  assert.equal(steps(published, { [C]: 'C', [L]: 'L' }), [
    'C CREATE',
    'L CREATE',
    'L DESTROY NO_ANSWER',
    'C DESTROY NORMAL_CLEARING',
  ]);
  const [lc] = eventsOf(published, L, 'CREATE');
  assert.is(lc['Other-Leg-Call-ID'], C);
  assert.is(queueOf(lc), undefined);
  assert.ok(ownerOf(lc));
});

t('direct call busy: L USER_BUSY', async () => {
  const { engine, published } = harness();
  const r = await engine.directCall({ customer: CUSTOMER, agent: 'huong.le', result: 'busy' });
  const [C, L] = r.legs;
  assert.equal(steps(published, { [C]: 'C', [L]: 'L' }), [
    'C CREATE',
    'L CREATE',
    'L DESTROY USER_BUSY',
    'C DESTROY NORMAL_CLEARING',
  ]);
});

t('direct call answered', async () => {
  const { engine, published, state } = harness();
  const r = await engine.directCall({
    customer: CUSTOMER,
    agent: 'huong.le',
    result: 'answered',
    ringMs: 3000,
    talkMs: 40000,
  });
  const [C, L] = r.legs;
  assert.equal(steps(published, { [C]: 'C', [L]: 'L' }), [
    'C CREATE',
    'L CREATE',
    'L ANSWER',
    'L BRIDGE',
    'C BRIDGE',
    'C DESTROY NORMAL_CLEARING',
    'L DESTROY NORMAL_CLEARING',
  ]);
  assert.is(eventsOf(published, L, 'DESTROY')[0]['Billing-Seconds'], '40');
  const [h] = state.historyBetween(0, Number.MAX_SAFE_INTEGER);
  assert.is(h.status_detail, 'SUCCESS');
  assert.is(h.direction, 'to_ab');
  assert.is(h.billing_seconds, 40);
  assert.match(h.recording, /\.mp3$/);
});

t('statuses and counters move as the call runs (dashboard computed from live state)', async () => {
  const gate = gatedDelay();
  const { engine, state, data } = harness({ delay: gate.delay, wrapupMs: 60_000 });
  const statusOf = (u: string) => dashboardBody(state).agent.status_details.find((s) => s.username === u)?.status;
  const queue = data.queues[0];
  const running = engine.inboundQueueCall({
    customer: CUSTOMER,
    queueId: queue.id,
    agents: ['lan.nguyen', 'minh.tran'],
    answeredBy: 'lan.nguyen',
  });
  const next = async (n: number) => {
    for (let i = 0; i < 100 && gate.count < n; i++) await new Promise((r) => setImmediate(r));
    assert.is(gate.count, n, 'the scenario is waiting');
  };
  await next(1);
  gate.open(); // IVR
  await next(1);
  assert.is(dashboardBody(state).queue.waiting_call_logs.length, 1, 'waiting in the queue');
  assert.is(dashboardBody(state).queue.waiting_call_logs[0].caller_id_number, CUSTOMER);
  gate.open(); // queue music
  await next(1);
  assert.is(statusOf('lan.nguyen'), 'ringing');
  assert.is(statusOf('minh.tran'), 'ringing');
  gate.open(); // ringing
  await next(1);
  assert.is(statusOf('lan.nguyen'), 'connected');
  assert.is(statusOf('minh.tran'), 'ready');
  assert.is(dashboardBody(state).agent.connected, 1);
  assert.is(dashboardBody(state).queue.waiting_call_logs.length, 0);
  gate.open(); // talk
  await running;
  const d = dashboardBody(state);
  assert.is(statusOf('lan.nguyen'), 'wrapup');
  assert.is(d.agent.wrapup, 1);
  assert.is(d.queue.handled, 1);
  assert.is(d.agent.logged_out, 1, 'the offline agent');
  assert.not.ok(
    d.agent.status_details.some((s) => s.username === 'duc.hoang'),
    'logged-out agents are not listed',
  );
  assert.is(d.agent.logged_in, 5);
});

t('invalid scenarios are refused with ScenarioError', async () => {
  const { engine } = harness();
  const refuse = async (p: Promise<unknown>, re: RegExp) => {
    try {
      await p;
      assert.unreachable('should refuse');
    } catch (err) {
      assert.is((err as Error).name, 'ScenarioError');
      assert.match((err as Error).message, re);
    }
  };
  await refuse(engine.inboundQueueCall({ customer: CUSTOMER, agents: ['nobody'] }), /unknown agent/);
  await refuse(
    engine.inboundQueueCall({ customer: CUSTOMER, agents: ['lan.nguyen', 'minh.tran', 'huong.le', 'tuan.pham'] }),
    /1 to 3/,
  );
  await refuse(
    engine.inboundQueueCall({ customer: CUSTOMER, agents: ['lan.nguyen'], answeredBy: 'minh.tran' }),
    /not among/,
  );
  await refuse(
    engine.inboundQueueCall({ customer: CUSTOMER, agents: ['lan.nguyen'], queueId: 'nope' }),
    /unknown queue/,
  );
});

t.run();
