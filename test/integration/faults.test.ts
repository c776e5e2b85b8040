// Faults the upstream can throw, for each signal protocol: tokens expiring every 2 s during a stream of calls,
// the socket dropped mid-call, 1,000 malformed frames, a slow CRM.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Stack, startStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

for (const protocol of ['socketio', 'blackhole'] as const) {
  const tokens = suite<{ stack: Stack }>(`2-second tokens during a stream of calls (${protocol})`);
  tokens.before(async (ctx) => {
    ctx.stack = await startStack({ protocol, tokenLifetimeMs: 2000, expireFormat: 'ttl-s' });
  });
  tokens.after(async (ctx) => ctx.stack?.close());
  tokens('no call is lost while the token expires every 2 s', async ({ stack }) => {
    const { sim } = stack;
    const admin = await stack.client('admin');
    const queue = sim.data.queues[0];
    const agents = sim.data.agents.filter((a) => queue.agents.includes(a.userId)).map((a) => a.username);
    const numbers = sim.data.customerNumbers({});
    const tokensBefore = sim.stats().authTokenRequests;
    const callIds: string[] = [];
    const started = Date.now();
    // ~7 s of traffic: more than three token lifetimes.
    for (let i = 0; Date.now() - started < 7000; i++) {
      const r = await sim.scenarios.inboundQueueCall({
        customer: numbers[i % numbers.length],
        queueId: queue.id,
        agents: [agents[i % agents.length]],
        answeredBy: agents[i % agents.length],
        ringMs: 60,
        talkMs: 60,
      });
      callIds.push(r.callId);
    }
    await waitFor(() => callIds.every((id) => admin.calls.some((v) => v.callId === id && v.state === 'ended')), {
      what: 'every call ended on the admin socket',
      timeoutMs: 10_000,
    }).catch((err) => {
      const missing = callIds.filter((id) => !admin.calls.some((v) => v.callId === id && v.state === 'ended'));
      throw new Error(`${missing.length}/${callIds.length} calls lost: ${err}`);
    });
    assert.ok(callIds.length >= 10, `a real stream (${callIds.length} calls)`);
    assert.ok(sim.stats().authTokenRequests - tokensBefore >= 3, 'the token was refreshed several times');
    for (const id of callIds) {
      const states = admin.calls.filter((v) => v.callId === id).map((v) => v.state);
      assert.ok(states.includes('ringing') && states.includes('answered'), `call ${id} delivered whole: ${states}`);
    }
  });
  tokens.run();

  const drops = suite<{ stack: Stack }>(`faults (${protocol})`);
  drops.before(async (ctx) => {
    ctx.stack = await startStack({ protocol, crmBudgetMs: 100 });
  });
  drops.after(async (ctx) => ctx.stack?.close());

  drops('the socket dropped mid-call: the later states are still delivered', async ({ stack }) => {
    const { sim, bridge } = stack;
    const queue = sim.data.queues[0];
    const [a] = sim.data.agents.filter((x) => queue.agents.includes(x.userId)).map((x) => x.username);
    const agent = await stack.client('agent', { agent: a });
    const customer = sim.data.customerNumbers({ withContact: true })[2];
    const running = sim.scenarios.inboundQueueCall({
      customer,
      queueId: queue.id,
      agents: [a],
      answeredBy: a,
      ringMs: 4000,
      talkMs: 300,
    });
    const pop = await agent.waitCall((v) => v.state === 'ringing' && v.from.number === customer);
    const reconnects = bridge.status().reconnects;
    const connections = sim.stats().signals.connectionsTotal;
    assert.ok(sim.faults.signal.dropAll() >= 1, 'a socket was dropped');
    await waitFor(() => bridge.status().reconnects > reconnects && bridge.status().signal === 'live', {
      what: 'reconnected and live again',
    });
    assert.ok(sim.stats().signals.connectionsTotal > connections, 'a new upstream connection');
    await sim.faults.signal.waitForSubscriptions(4);
    await running;
    const answered = await agent.waitCall(
      (v) => v.callId === pop.callId && v.state === 'answered',
      'answered after the drop',
    );
    const ended = await agent.waitCall((v) => v.callId === pop.callId && v.state === 'ended', 'ended after the drop');
    assert.ok(answered.seq > pop.seq && ended.seq > answered.seq);
    assert.is(ended.outcome, 'answered');
  });

  drops('1,000 malformed or odd frames, then a normal call still pops', async ({ stack }) => {
    const { sim, bridge } = stack;
    const queue = sim.data.queues[0];
    const [a] = sim.data.agents.filter((x) => queue.agents.includes(x.userId)).map((x) => x.username);
    const agent = await stack.client('agent', { agent: a });
    const sent = sim.faults.signal.malformedFrames(1000);
    assert.ok(sent >= 1000, `sent ${sent} frames`);
    const customer = sim.data.customerNumbers({ withContact: true })[3];
    await sim.scenarios.inboundQueueCall({
      customer,
      queueId: queue.id,
      agents: [a],
      answeredBy: a,
      ringMs: 50,
      talkMs: 50,
    });
    const pop = await agent.waitCall((v) => v.state === 'ringing' && v.from.number === customer);
    assert.is(pop.contactStatus, 'found');
    assert.is(bridge.status().signal, 'live');
  });

  drops('a slow CRM: the pop is sent within the budget, the contact follows with a higher seq', async ({ stack }) => {
    const { sim } = stack;
    const queue = sim.data.queues[0];
    const [a] = sim.data.agents.filter((x) => queue.agents.includes(x.userId)).map((x) => x.username);
    const agent = await stack.client('agent', { agent: a });
    sim.faults.crm.delayMs = 800;
    try {
      const customer = sim.data.customerNumbers({ withContact: true })[4];
      const running = sim.scenarios.inboundQueueCall({
        customer,
        queueId: queue.id,
        agents: [a],
        answeredBy: a,
        ringMs: 2000,
        talkMs: 50,
      });
      const pop = await agent.waitCall((v) => v.state === 'ringing' && v.from.number === customer);
      assert.is(pop.contactStatus, 'pending');
      assert.is(pop.contact, null);
      const withContact = await agent.waitCall(
        (v) => v.callId === pop.callId && v.contactStatus === 'found',
        'the contact later',
      );
      assert.is(withContact.state, 'ringing', 'the same state again');
      assert.ok(withContact.seq > pop.seq);
      assert.ok(withContact.contact?.name);
      await running;
    } finally {
      sim.faults.crm.delayMs = 0;
    }
  });

  drops('a failing CRM gives contactStatus "error", never a lost pop', async ({ stack }) => {
    const { sim } = stack;
    const queue = sim.data.queues[0];
    const [a] = sim.data.agents.filter((x) => queue.agents.includes(x.userId)).map((x) => x.username);
    const agent = await stack.client('agent', { agent: a });
    sim.faults.crm.fail = true;
    try {
      const customer = sim.data.customerNumbers({ withContact: true })[5];
      await sim.scenarios.inboundQueueCall({
        customer,
        queueId: queue.id,
        agents: [a],
        answeredBy: a,
        ringMs: 50,
        talkMs: 50,
      });
      const pop = await agent.waitCall((v) => v.state === 'ringing' && v.from.number === customer);
      const settled = await agent.waitCall(
        (v) => v.callId === pop.callId && v.contactStatus === 'error',
        'error status',
      );
      assert.is(settled.contact, null);
    } finally {
      sim.faults.crm.fail = false;
    }
  });

  drops.run();
}
