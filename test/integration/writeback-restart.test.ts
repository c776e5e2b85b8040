// Fault test (contract §7.2 "durable"): AntCRM's writes and the webhook endpoint are down while calls are missed; the
// bridge (its own process) is SIGKILLed and started again on the same DATA_DIR → every ticket, the lead and every
// webhook are delivered, each ticket once, each webhook-id processed once.
import * as assert from 'uvu/assert';
import { connectClient } from '../helpers/clients.js';
import { processSuite, startReady, startTracked } from '../helpers/process-suite.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';
import { JWT_SECRET, queueAgents, writebackEnv } from './writeback-fixture.js';

const t = processSuite('write-back across SIGKILL and restart', 'antring-writeback-kill-');

async function outbox(url: string, token: string): Promise<{ pending: number; delivered: number; failed: number }> {
  const r = await fetch(`${url}/api/outbox`, { headers: { authorization: `Bearer ${token}` } });
  return (await r.json()) as { pending: number; delivered: number; failed: number };
}

t(
  'AntCRM and the endpoint down, SIGKILL, restart on the same DATA_DIR → everything delivered, each ticket once',
  async (ctx) => {
    const { sim, dataDir } = ctx;
    const env = { ...writebackEnv(sim, dataDir), LOG_LEVEL: 'info' };
    const admin = signToken({ sub: 'admin', org: sim.credentials.accountId, role: 'admin' }, { secret: JWT_SECRET });
    sim.faults.crmWrites.down = true;
    sim.faults.webhooks.status = 503;
    const first = await startReady(ctx, 'first', env, { what: 'the first bridge ready', timeoutMs: 15_000 });
    const client = await connectClient(first.url, admin);
    const { queueId, agents } = queueAgents(sim);
    const known = sim.data.customerNumbers({ withContact: true, multiple: false }).slice(0, 3);
    const unknown = sim.data.customerNumbers({ withContact: false, mobile: true })[1];
    const callIds: string[] = [];
    for (const customer of [...known, unknown]) {
      callIds.push(
        (await sim.scenarios.inboundQueueCall({ customer, queueId, agents: [agents[0]], answeredBy: null, ringMs: 80 }))
          .callId,
      );
    }
    await waitFor(() => callIds.every((id) => client.calls.some((v) => v.callId === id && v.state === 'ended')), {
      what: 'the calls ended',
    });
    client.close();
    // 4 tickets + 1 lead + 2 webhooks (ringing, ended) per call, accepted and tried while everything is down.
    await waitFor(
      async () => (await outbox(first.url, admin)).pending >= 4 + 1 + 8 && sim.webhooks.stats().failed >= 1,
      { what: 'the deliveries pending', timeoutMs: 10_000 },
    );
    assert.is(sim.crm.tickets().length, 0, 'nothing written yet');
    first.kill('SIGKILL');
    assert.is((await first.exit).signal, 'SIGKILL');

    sim.faults.crmWrites.down = false;
    sim.faults.webhooks.status = null;
    const second = await startTracked(ctx, 'second', env);
    await waitFor(async () => (await outbox(second.url, admin)).pending === 0, {
      what: 'every delivery done after the restart',
      timeoutMs: 15_000,
    });
    const o = await outbox(second.url, admin);
    assert.is(o.failed, 0);
    for (const id of callIds)
      assert.is(sim.crm.tickets().filter((x) => x.ticketIdApiRing === id).length, 1, `one ticket for ${id}`);
    assert.is(sim.crm.tickets().length, callIds.length);
    assert.is(
      sim.crm.leads().filter((l) => (l as { customerIdApiRing?: string }).customerIdApiRing === unknown).length,
      1,
      'one lead',
    );
    const hooks = sim.webhooks.deliveries();
    for (const id of callIds) {
      assert.equal(
        hooks
          .filter((d) => d.callId === id)
          .map((d) => d.type)
          .sort(),
        ['call.ended', 'call.ringing'],
        `webhooks of ${id}`,
      );
    }
    assert.is(new Set(hooks.map((d) => d.id)).size, hooks.length, 'each webhook-id processed once');
  },
);

t.run();
