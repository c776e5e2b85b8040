// AntCRM write-back against the simulator (contract §7.2): a missed call → one ticket with the contact's id and a
// later `call` message with crm ids; an unknown caller → one lead, and the next call pops it; the agent's wrap-up →
// the ticket carries the note (socket and REST); another agent's wrap-up refused; GET /api/outbox for admins only.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView, WrapupResult } from '../../src/contract.js';
import { waitFor } from '../helpers/wait.js';
import { queueAgents, startWritebackStack, type WritebackStack } from './writeback-fixture.js';

const t = suite<{ s: WritebackStack }>('AntCRM write-back');
t.before(async (ctx) => {
  ctx.s = await startWritebackStack();
});
t.after(async (ctx) => ctx.s?.close());

t('a missed customer call → one ticket with the contact id; the ended call is sent again with crm', async ({ s }) => {
  const { sim } = s;
  const admin = await s.client('admin');
  const { queueId, agents } = queueAgents(sim);
  const customer = sim.data.customerNumbers({ withContact: true, multiple: false })[0];
  const record = sim.data.expectedContacts(customer)[0];
  const contactId = record.customerId || record.leadId;
  const { callId } = await sim.scenarios.inboundQueueCall({
    customer,
    queueId,
    agents: agents.slice(0, 2),
    answeredBy: null,
    ringMs: 150,
  });
  const tickets = await waitFor(
    () => {
      const found = sim.crm.tickets().filter((x) => x.ticketIdApiRing === callId);
      return found.length ? found : undefined;
    },
    { what: 'the ticket of the missed call' },
  );
  assert.is(tickets.length, 1);
  const ticket = tickets[0];
  assert.equal(ticket.contact, { id: contactId });
  assert.is(ticket.priority, 'Medium');
  assert.is(ticket.SLA, '');
  assert.match(ticket.title, /^\[Phone\] Cuộc gọi nhỡ từ \d{4} \d{3} \d{3}/);
  assert.ok(ticket.summary.includes(agents[0]) && ticket.summary.includes(agents[1]), ticket.summary);
  const withCrm = await admin.waitCall(
    (v) => v.callId === callId && v.crm?.status === 'written',
    'the ended call with crm',
  );
  assert.is(withCrm.state, 'ended');
  assert.is(withCrm.crm?.ticketId, String(ticket.TicketId));
  const ended = admin.calls.filter((v) => v.callId === callId && v.state === 'ended');
  assert.ok(
    ended.every((v, i) => i === 0 || v.seq > ended[i - 1].seq),
    'higher seq',
  );
  // A webhook per state change, none for the crm re-send.
  await waitFor(() => sim.webhooks.deliveries().some((d) => d.callId === callId && d.type === 'call.ended'), {
    what: 'the call.ended webhook',
  });
  assert.is(sim.webhooks.deliveries().filter((d) => d.callId === callId && d.type === 'call.ended').length, 1);
});

t('an unknown caller → one lead per number; the next call from that number pops it', async ({ s }) => {
  const { sim } = s;
  const { queueId, agents } = queueAgents(sim);
  const number = sim.data.customerNumbers({ withContact: false, mobile: true })[0];
  const agent = await s.client('agent', { agent: agents[0] });
  const first = await sim.scenarios.inboundQueueCall({
    customer: number,
    queueId,
    agents: [agents[0]],
    answeredBy: agents[0],
    ringMs: 100,
    talkMs: 100,
  });
  const firstPop = await agent.waitCall(
    (v) => v.callId === first.callId && v.state === 'ringing' && v.contactStatus !== 'pending',
  );
  assert.is(firstPop.contactStatus, 'not_found');
  const leads = await waitFor(
    () => {
      const l = sim.crm.leads().filter((x) => (x as { customerIdApiRing?: string }).customerIdApiRing === number);
      return l.length ? l : undefined;
    },
    { what: 'the lead' },
  );
  assert.is(leads.length, 1);
  assert.is(leads[0].contactType, 'lead');
  assert.is(leads[0].sourceContact, 'AntRing');
  // The call's later message carries the lead id.
  await agent.waitCall((v) => v.callId === first.callId && v.crm?.leadId === leads[0].leadId, 'the crm lead id');
  const second = await sim.scenarios.inboundQueueCall({
    customer: number,
    queueId,
    agents: [agents[0]],
    answeredBy: agents[0],
    ringMs: 100,
    talkMs: 50,
  });
  const pop = await agent.waitCall((v) => v.callId === second.callId && v.state === 'ringing');
  assert.is(pop.contactStatus, 'found', 'popped at once from the cache that learned the lead');
  assert.is(pop.contact?.id, leads[0].leadId);
  await agent.waitCall((v) => v.callId === second.callId && v.state === 'ended');
  const outbox = await s.api('admin', '/api/outbox');
  assert.is(outbox.status, 200);
  assert.is(
    sim.crm.leads().filter((x) => (x as { customerIdApiRing?: string }).customerIdApiRing === number).length,
    1,
    'still one lead',
  );
});

t(
  'wrap-up: the answering agent (socket) → the ticket carries the note; another agent refused (403); admin edit → PUT',
  async ({ s }) => {
    const { sim } = s;
    const { queueId, agents } = queueAgents(sim);
    const [a, b] = agents;
    const customer = sim.data.customerNumbers({ withContact: true, multiple: false })[1];
    const agentA = await s.client('agent', { agent: a });
    const { callId } = await sim.scenarios.inboundQueueCall({
      customer,
      queueId,
      agents: [a, b],
      answeredBy: a,
      ringMs: 100,
      talkMs: 100,
    });
    await agentA.waitCall((v: CallView) => v.callId === callId && v.state === 'ended');
    const note = 'Khách hỏi giá gói cước doanh nghiệp, hẹn gọi lại thứ Hai.';
    const ack = (await agentA.socket
      .timeout(5000)
      .emitWithAck('wrapup', { callId, note, disposition: 'callback' })) as WrapupResult;
    assert.equal(ack, { status: 'accepted' });
    const ticket = await waitFor(() => sim.crm.tickets().find((x) => x.ticketIdApiRing === callId), {
      what: 'the wrap-up ticket',
    });
    assert.ok(ticket.summary.includes(`[callback] ${note}`), ticket.summary);
    assert.match(ticket.title, /^\[Phone\] Cuộc gọi từ /);
    await agentA.waitCall(
      (v) => v.callId === callId && v.crm?.status === 'written' && v.crm.ticketId === String(ticket.TicketId),
      'crm on the agent view',
    );

    const refused = await s.api('agent', `/api/calls/${encodeURIComponent(callId)}/wrapup`, {
      method: 'POST',
      body: { note: 'not mine' },
      extra: { agent: b },
    });
    assert.is(refused.status, 403);
    assert.is((refused.body as { error: string }).error, 'forbidden');
    const unknown = await s.api('admin', '/api/calls/no-such-call/wrapup', { method: 'POST', body: { note: 'x' } });
    assert.is(unknown.status, 404);
    const bad = await s.api('agent', `/api/calls/${encodeURIComponent(callId)}/wrapup`, {
      method: 'POST',
      body: { note: '' },
      extra: { agent: a },
    });
    assert.is(bad.status, 400);
    assert.is((bad.body as { error: string }).error, 'invalid_body');
    const long = 'ư'.repeat(2000);
    const edit = await s.api('admin', `/api/calls/${encodeURIComponent(callId)}/wrapup`, {
      method: 'POST',
      body: { note: long },
    });
    assert.is(edit.status, 202);
    assert.equal(edit.body, { status: 'accepted' });
    await waitFor(() => sim.crm.tickets().find((x) => x.ticketIdApiRing === callId && x.summary.includes(long)), {
      what: 'the edited ticket',
    });
    assert.is(
      sim.crm.tickets().filter((x) => x.ticketIdApiRing === callId).length,
      1,
      'updated with PUT, not a second ticket',
    );
  },
);

t('socket wrapup goes through the per-socket throttle; a bad body is invalid_body', async ({ s }) => {
  const agent = await s.client('agent', { agent: 'lan.nguyen' });
  const acks = await Promise.all(
    Array.from(
      { length: 30 },
      () => agent.socket.timeout(5000).emitWithAck('wrapup', { callId: 'x', note: '' }) as Promise<WrapupResult>,
    ),
  );
  const codes = acks.map((a) => ('error' in a ? a.error : a.status));
  assert.ok(codes.includes('invalid_body'), codes.join());
  assert.ok(codes.includes('rate_limited'), codes.join());
});

t('GET /api/outbox: admins only, the contract shape', async ({ s }) => {
  const r = await s.api('admin', '/api/outbox');
  assert.is(r.status, 200);
  const body = r.body as Record<string, unknown>;
  assert.equal(Object.keys(body).sort(), ['delivered', 'failed', 'failures', 'oldestPendingSec', 'pending']);
  assert.ok((body.delivered as number) > 0);
  assert.is((await s.api('supervisor', '/api/outbox', { extra: { queues: ['*'] } })).status, 403);
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  assert.match(metrics, /antring_bridge_outbox_deliveries\{state="delivered"\} [1-9]/);
  assert.match(metrics, /antring_bridge_outbox_attempts_total\{target="antcrm.ticket"\} [1-9]/);
});

t.run();
