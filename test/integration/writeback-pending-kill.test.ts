// Issue 15 item 6: a missed call that ends while its contact lookup is still in flight (AntCRM answering in 1.8 s,
// CRM_BUDGET_MS 150) is enqueued at the end, not held in memory: SIGKILL 250 ms after the end, restart on the same
// DATA_DIR → its ticket is written (with the contact's id, resolved by the delivery).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.js';
import { type BridgeProc, readyz, startBridge } from '../cluster/helpers.js';
import { connectClient } from '../helpers/clients.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';
import { JWT_SECRET, queueAgents, writebackEnv } from './writeback-fixture.js';

const t = suite<{ sim: Simulator; dataDir: string; procs: BridgeProc[] }>('write-back: a pending contact at SIGKILL');
t.before(async (ctx) => {
  ctx.sim = await startSimulator({ historySeedCount: 0 });
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'antring-writeback-pending-'));
  ctx.procs = [];
});
t.after(async (ctx) => {
  for (const p of ctx.procs) p.kill('SIGKILL');
  await Promise.all(ctx.procs.map((p) => p.exit));
  await ctx.sim?.close();
  if (ctx.dataDir) rmSync(ctx.dataDir, { recursive: true, force: true });
});

t('slow CRM, SIGKILL 250 ms after the end, restart on the same DATA_DIR → the ticket is written', async (ctx) => {
  const { sim, dataDir } = ctx;
  const env = { ...writebackEnv(sim, dataDir), CRM_BUDGET_MS: '150', LOG_LEVEL: 'info' };
  const admin = signToken({ sub: 'admin', org: sim.credentials.accountId, role: 'admin' }, { secret: JWT_SECRET });
  const first = await startBridge('first', env);
  ctx.procs.push(first);
  await waitFor(async () => (await readyz(first.url)) === 200, { what: 'the first bridge ready', timeoutMs: 15_000 });
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

  const second = await startBridge('second', env);
  ctx.procs.push(second);
  await waitFor(() => sim.crm.tickets().some((x) => x.ticketIdApiRing === callId), {
    what: 'the ticket written after the restart',
    timeoutMs: 25_000,
  });
  const tickets = sim.crm.tickets().filter((x) => x.ticketIdApiRing === callId);
  assert.is(tickets.length, 1, 'one ticket');
  assert.ok((tickets[0].contact as { id?: string } | undefined)?.id, 'the delivery resolved the contact: its id');
});

t.run();
