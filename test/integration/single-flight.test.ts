// 100 simultaneous pops for one number cause exactly one CRM request (counted by the simulator).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Stack, startStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const t = suite<{ stack: Stack }>('CRM single-flight');
t.before(async (ctx) => {
  ctx.stack = await startStack({ protocol: 'blackhole', crmBudgetMs: 2000 });
});
t.after(async (ctx) => ctx.stack?.close());

t('100 simultaneous calls from one number: one CRM request, 100 pops with the contact', async ({ stack }) => {
  const { sim } = stack;
  const admin = await stack.client('admin');
  const number = sim.data.customerNumbers({ withContact: true, legacy: false, multiple: false })[6];
  sim.faults.crm.delayMs = 300; // all 100 lookups overlap the first one
  try {
    const before = sim.stats().crmRequests;
    const queue = sim.data.queues[0];
    const agent = sim.data.agents.find((a) => queue.agents.includes(a.userId))!.username;
    const runs = Array.from({ length: 100 }, () =>
      sim.scenarios.inboundQueueCall({
        customer: number,
        queueId: queue.id,
        agents: [agent],
        answeredBy: agent,
        ringMs: 500,
        talkMs: 50,
      }),
    );
    await Promise.all(runs);
    // 100 calls from one number: an agent leg whose CREATE is linked late (issue 9) cannot be told apart among them,
    // so its call is shown on its own callId (merged on the link, docs/call-model.md): pops are counted by callId
    // shown, not by the customer legs' ids. Exactly 100: no phantom call.
    const pops = () =>
      new Set(
        admin.calls
          .filter((v) => v.state === 'ringing' && v.from.number === number && v.contactStatus === 'found')
          .map((v) => v.callId),
      );
    await waitFor(() => pops().size >= 100, { what: '100 pops with the contact', timeoutMs: 15_000 });
    await waitFor(() => admin.calls.filter((v) => v.from.number === number && v.state === 'ended').length >= 100, {
      what: '100 calls ended',
      timeoutMs: 15_000,
    });
    assert.is(pops().size, 100, 'one pop per call, no phantom call');
    assert.is(sim.stats().crmRequests - before, 1, 'exactly one CRM request');
  } finally {
    sim.faults.crm.delayMs = 0;
  }
});

t.run();
