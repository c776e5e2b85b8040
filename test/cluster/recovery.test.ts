// Issue 18 in a cluster (3 bridge processes, a real Redis, two upstream holders): exactly one AntBot event + alarm per
// recovery although both holders see every missed call and every node's worker may take its jobs; also when the node
// whose attempt created the event (AntBot's answer lost) is SIGKILLed before the alarm exists.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { callbackEnv } from '../integration/recovery-fixture.js';
import { type ClusterFixture, startCluster } from './fixture.js';

const t = suite<{ fx?: ClusterFixture }>('cluster: missed-call recovery');
t.before(async (ctx) => {
  ctx.fx = await startCluster(3, (sim) => ({ ...callbackEnv(sim), LOG_LEVEL: 'info' }));
});
t.after(async (ctx) => {
  await ctx.fx?.close();
});

function queueOf(fx: ClusterFixture) {
  const queue = fx.sim.data.queues[0]!;
  return {
    queueId: queue.id,
    agents: fx.sim.data.agents.filter((a) => queue.agents.includes(a.userId)).map((a) => a.username),
  };
}

const mine = (fx: ClusterFixture, number: string) => ({
  events: () => fx.sim.antbot.calendar.events().filter((e) => e.title.includes(number)),
  alarms: () => fx.sim.antbot.calendar.alarms().filter((a) => a.alarm_phonenumber === number),
});

t('a missed call seen by both holders → one recovery, exactly one event and one alarm', async ({ fx }) => {
  if (!fx) return;
  const number = '0934890611';
  const { queueId, agents } = queueOf(fx);
  fx.sim.antbot.calendar.scriptOutcome(number, { disposition: 'NOANSWER' });
  await fx.sim.scenarios.inboundQueueCall({
    customer: number,
    queueId,
    agents: [agents[0]!],
    answeredBy: null,
    ringMs: 60,
  });
  const m = mine(fx, number);
  await waitFor(() => m.alarms().length > 0 || undefined, { what: 'the alarm', timeoutMs: 20_000 });
  // Every node's worker had its chance at the attempt (its logs), then count.
  await waitFor(() => fx.nodes.some((n) => n.lines.some((l) => l.msg === 'AntBot callback created')) || undefined, {
    what: 'the attempt recorded',
    timeoutMs: 20_000,
  });
  assert.is(m.events().length, 1);
  assert.is(m.alarms().length, 1);
});

t(
  'the node creating the callback dies after the event (answer lost) → another node: still one event, one alarm',
  async ({ fx }) => {
    if (!fx) return;
    const number = '0934890622';
    const { queueId, agents } = queueOf(fx);
    fx.sim.antbot.faults.loseAnswer = true;
    await fx.sim.scenarios.inboundQueueCall({
      customer: number,
      queueId,
      agents: [agents[0]!],
      answeredBy: null,
      ringMs: 60,
    });
    const m = mine(fx, number);
    await waitFor(() => m.events().length > 0 || undefined, { what: 'the event (answer lost)', timeoutMs: 20_000 });
    const creator = await waitFor(
      () =>
        fx.nodes.find((n) =>
          n.lines.some((l) => l.msg === 'outbox delivery will be retried' && l.target === 'antbot.callback'),
        ),
      { what: 'the node whose attempt failed', timeoutMs: 20_000 },
    );
    creator.kill('SIGKILL');
    await creator.exit;
    fx.sim.antbot.faults.loseAnswer = false;
    await waitFor(() => m.alarms().length > 0 || undefined, { what: 'the alarm from another node', timeoutMs: 45_000 });
    const others = fx.nodes.filter((n) => n !== creator);
    await waitFor(() => others.some((n) => n.lines.some((l) => l.msg === 'AntBot callback created')) || undefined, {
      what: 'the attempt recorded by another node',
      timeoutMs: 20_000,
    });
    assert.is(m.events().length, 1, 'one event');
    assert.is(m.alarms().length, 1, 'one alarm');
    assert.is(m.alarms()[0]!.event, m.events()[0]!.id);
  },
);

t.run();
