// Issue 15 item 6: a missed call that ends while its contact lookup is still in flight (AntCRM answering in 1.8 s,
// CRM_BUDGET_MS 150) is enqueued at the end, not held in memory: SIGKILL 250 ms after the end, restart on the same
// DATA_DIR → its ticket is written (with the contact's id, resolved by the delivery).
import * as assert from 'uvu/assert';
import { connectClient } from '../helpers/clients.js';
import { processSuite, startReady, startTracked } from '../helpers/process-suite.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';
import { JWT_SECRET, queueAgents, writebackEnv } from './writeback-fixture.js';

const t = processSuite('write-back: a pending contact at SIGKILL', 'antring-writeback-pending-');

t('slow CRM, SIGKILL 250 ms after the end, restart on the same DATA_DIR → the ticket is written', async (ctx) => {
  const { sim, dataDir } = ctx;
  const env = { ...writebackEnv(sim, dataDir), CRM_BUDGET_MS: '150', LOG_LEVEL: 'info' };
  const admin = signToken({ sub: 'admin', org: sim.credentials.accountId, role: 'admin' }, { secret: JWT_SECRET });
  const first = await startReady(ctx, 'first', env, { what: 'the first bridge ready', timeoutMs: 15_000 });
  const client = await connectClient(first.url, admin);
  const { queueId, agents } = queueAgents(sim);
  const customer = sim.data.customerNumbers({ withContact: true, multiple: false })[0];
  sim.faults.crm.delayMs = 1800;
  const { callId } = await sim.scenarios.inboundQueueCall({
    customer,
    queueId,
    agents: [agents[0]],
    answeredBy: null,
    ivrMs: 50,
    queueMs: 50,
    ringMs: 80,
  });
  await waitFor(() => client.calls.some((v) => v.callId === callId && v.state === 'ended'), {
    what: 'the call ended',
  });
  const ended = client.calls.find((v) => v.callId === callId && v.state === 'ended');
  assert.is(ended?.contactStatus, 'pending', 'the lookup is still in flight at the end');
  client.close();
  // The moment: 250 ms after the end, the CRM's 1.8 s answer still to come.
  await new Promise((r) => setTimeout(r, 250));
  first.kill('SIGKILL');
  assert.is((await first.exit).signal, 'SIGKILL');
  assert.is(sim.crm.tickets().length, 0, 'nothing written before the kill');

  await startTracked(ctx, 'second', env);
  await waitFor(() => sim.crm.tickets().some((x) => x.ticketIdApiRing === callId), {
    what: 'the ticket written after the restart',
    timeoutMs: 25_000,
  });
  const tickets = sim.crm.tickets().filter((x) => x.ticketIdApiRing === callId);
  assert.is(tickets.length, 1, 'one ticket');
  assert.ok((tickets[0].contact as { id?: string } | undefined)?.id, 'the delivery resolved the contact: its id');
});

t.run();
