// The product's core path, for each signal protocol: a queue call ringing three agents pops on all three with
// the caller's CRM contact; when one answers, the two others get `answered_elsewhere`; the queue's supervisor
// sees one call; nobody else sees anything.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView } from '../../src/contract.js';
import { connectClient } from '../helpers/clients.js';
import { JWT_SECRET, type Stack, startStack } from '../helpers/stack.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';

for (const protocol of ['socketio', 'blackhole'] as const) {
  const t = suite<{ stack: Stack }>(`ring-all (${protocol})`);
  t.before(async (ctx) => {
    ctx.stack = await startStack({ protocol });
  });
  t.after(async (ctx) => {
    await ctx.stack?.close();
  });

  t(
    'three agents ringing get three pops; one answers; the others get answered_elsewhere; the supervisor sees one call',
    async ({ stack }) => {
      const { sim } = stack;
      const queue = sim.data.queues[0];
      const [a, b, c, d] = sim.data.agents.filter((ag) => queue.agents.includes(ag.userId)).map((ag) => ag.username);
      assert.ok(a && b && c && d, 'the seed has a queue with at least four agents');
      const customer = sim.data.customerNumbers({ withContact: true, multiple: false, legacy: false })[0];

      const agentA = await stack.client('agent', { agent: a });
      const agentB = await stack.client('agent', { agent: b });
      const agentC = await stack.client('agent', { agent: c });
      const agentD = await stack.client('agent', { agent: d });
      const supervisor = await stack.client('supervisor', { queues: [queue.id] });
      const otherSupervisor = await stack.client('supervisor', { queues: ['some-other-queue'] });
      const admin = await stack.client('admin');
      const wallboard = await stack.client('wallboard', { queues: ['*'] });
      const foreignToken = signToken(
        { sub: 'x', org: 'another-org', role: 'admin' },
        { secret: JWT_SECRET, ttlSec: 60 },
      );
      const foreign = await connectClient(stack.url, foreignToken, { expectError: true });

      const done = sim.scenarios.inboundQueueCall({
        customer,
        queueId: queue.id,
        agents: [a, b, c],
        answeredBy: b,
        ringMs: 300,
        talkMs: 300,
      });
      const { callId } = await done;

      const endedFor = (cl: typeof agentA) =>
        cl.waitCall((v) => v.callId === callId && v.state === 'ended', `ended for ${protocol}`);
      await Promise.all([endedFor(agentA), endedFor(agentB), endedFor(agentC), endedFor(supervisor), endedFor(admin)]);

      for (const [cl, name] of [
        [agentA, a],
        [agentB, b],
        [agentC, c],
      ] as const) {
        const mine = cl.calls.filter((v) => v.callId === callId);
        const ringing = mine.find((v) => v.state === 'ringing' && v.contact);
        assert.ok(ringing, `${name} got a pop with the contact`);
        assert.is(ringing!.contactStatus, 'found');
        assert.is(ringing!.direction, 'inbound');
        assert.is(ringing!.from.number, customer);
        assert.is(ringing!.agent?.username, name);
        assert.is(ringing!.queue?.id, queue.id);
        assert.ok(ringing!.queue?.name, 'the queue has its name');
        assertSeqIncreasing(mine);
        assert.ok(
          mine.every((v) => v.agent?.username === name),
          `${name} sees only its own leg`,
        );
      }
      assert.is(agentA.latest(callId)!.outcome, 'answered_elsewhere');
      assert.is(agentC.latest(callId)!.outcome, 'answered_elsewhere');
      assert.ok(agentB.calls.some((v) => v.callId === callId && v.state === 'answered'));
      assert.is(agentB.latest(callId)!.outcome, 'answered');
      assert.ok(
        !agentA.calls.some((v) => v.callId === callId && v.state === 'answered'),
        'a loser never sees answered',
      );

      const sup = supervisor.calls.filter((v) => v.callId === callId);
      assertSeqIncreasing(sup);
      const states = dedupeStates(sup);
      assert.equal(
        states,
        ['ringing', 'answered', 'ended'],
        'the supervisor sees one call: ringing → answered → ended',
      );
      assert.is(sup.find((v) => v.state === 'answered')!.agent?.username, b);
      assert.is(sup.at(-1)!.outcome, 'answered');
      assert.equal(dedupeStates(admin.calls.filter((v) => v.callId === callId)), ['ringing', 'answered', 'ended']);

      assert.is(agentD.calls.filter((v) => v.callId === callId).length, 0, 'an agent not rung sees nothing');
      assert.is(otherSupervisor.calls.length, 0, 'a supervisor of another queue sees nothing');
      assert.is(wallboard.calls.length, 0, 'a wallboard gets no call messages');
      assert.is(foreign.calls.length, 0, 'another org sees nothing');
      foreign.close();
    },
  );

  t('a client connecting while a call rings first receives that live call', async ({ stack }) => {
    const { sim } = stack;
    const queue = sim.data.queues[0];
    const [a] = sim.data.agents.filter((ag) => queue.agents.includes(ag.userId)).map((ag) => ag.username);
    const customer = sim.data.customerNumbers({ withContact: true })[1];
    const admin = await stack.client('admin');
    const running = sim.scenarios.inboundQueueCall({
      customer,
      queueId: queue.id,
      agents: [a],
      answeredBy: a,
      ringMs: 1500,
      talkMs: 100,
    });
    const first = await admin.waitCall((v) => v.state === 'ringing' && v.from.number === customer);
    const late = await stack.client('agent', { agent: a });
    const replayed = await late.waitCall((v) => v.callId === first.callId, 'the live call on connect');
    assert.is(replayed.state, 'ringing');
    assert.is(late.calls[0].callId, first.callId, 'the live call comes first');
    await running;
    await late.waitCall((v) => v.callId === first.callId && v.state === 'ended');
  });

  t.run();
}

function assertSeqIncreasing(views: CallView[]): void {
  for (let i = 1; i < views.length; i++) {
    assert.ok(views[i].seq > views[i - 1].seq, `seq strictly increasing (${views.map((v) => v.seq).join(',')})`);
    assert.is(views[i].id, `${views[i].callId}:${views[i].seq}`);
  }
}

/** States in order, collapsing repeats (a late contact re-sends the same state). */
function dedupeStates(views: CallView[]): string[] {
  const out: string[] = [];
  for (const v of views) if (out.at(-1) !== v.state) out.push(v.state);
  return out;
}

export { waitFor };
