// Issue 15 item 12: REST wrap-ups have the socket's per-agent limit, and later wrap-ups of one call replace an
// earlier one not sent yet (the last note wins, one write). 300 POSTs of one agent for its own call (AntCRM's writes
// down, so nothing is sent): most are 429 rate_limited, and the call has one pending wrap-up, with the last note.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView } from '../../src/contract.js';
import { waitFor } from '../helpers/wait.js';
import { queueAgents, startWritebackStack, type WritebackStack } from './writeback-fixture.js';

const t = suite<{ s: WritebackStack }>('write-back: REST wrap-up limit');
t.before(async (ctx) => {
  ctx.s = await startWritebackStack({ env: { WEBHOOK_URLS: '', WEBHOOK_SECRET: '' } });
});
t.after(async (ctx) => {
  await ctx.s?.close();
});

t('300 POSTs: limited (429) like the socket; at most one pending write for the call, the last note', async ({ s }) => {
  const { sim } = s;
  const { queueId, agents } = queueAgents(sim);
  const [a] = agents;
  const agent = await s.client('agent', { agent: a });
  const customer = sim.data.customerNumbers({ withContact: true, multiple: false })[2];
  const { callId } = await sim.scenarios.inboundQueueCall({
    customer,
    queueId,
    agents: [a],
    answeredBy: a,
    ringMs: 80,
    talkMs: 80,
  });
  await agent.waitCall((v: CallView) => v.callId === callId && v.state === 'ended');
  sim.faults.crmWrites.down = true;
  const path = `/api/calls/${encodeURIComponent(callId)}/wrapup`;
  const statuses: number[] = [];
  let lastAccepted = '';
  for (let i = 0; i < 300; i++) {
    const note = `ghi chú ${i}`;
    const r = await s.api('agent', path, { method: 'POST', body: { note }, extra: { agent: a } });
    statuses.push(r.status);
    if (r.status === 202) lastAccepted = note;
  }
  const limited = statuses.filter((x) => x === 429).length;
  const accepted = statuses.filter((x) => x === 202).length;
  assert.is(accepted + limited, 300, `only 202 and 429: ${[...new Set(statuses)].join(',')}`);
  assert.ok(limited >= 200, `${limited} of 300 limited`);
  // Writes of the call: its wrap-ups (no ticket: it was answered). One pending, carrying the last accepted note (one
  // caught in flight by a later one is superseded at its next attempt).
  await waitFor(async () => ((await s.api('admin', '/api/outbox')).body as { pending: number }).pending === 1, {
    what: 'one pending write for the call',
    timeoutMs: 5_000,
  });
  sim.faults.crmWrites.down = false;
  const ticket = await waitFor(() => sim.crm.tickets().find((x) => x.ticketIdApiRing === callId), {
    what: 'the wrap-up written',
    timeoutMs: 15_000,
  });
  assert.ok(ticket.summary.endsWith(lastAccepted), `the last note wins: ${ticket.summary.slice(-40)}`);
  assert.is(sim.crm.tickets().filter((x) => x.ticketIdApiRing === callId).length, 1, 'one write');
});

t.run();
