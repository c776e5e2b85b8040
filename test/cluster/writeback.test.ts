// The write-back in a cluster (3 bridge processes, a real Redis, two upstream holders): one ticket per missed call
// although both holders see every call; a wrap-up sent to any node finds the call and its rights (Redis); a node
// SIGKILLed while AntCRM is down and deliveries are pending → another node delivers them, each ticket once.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { type ClusterFixture, startCluster } from './fixture.js';
import { pool } from './helpers.js';

const t = suite<{ fx?: ClusterFixture }>('cluster: write-back from the Redis outbox');
t.before(async (ctx) => {
  ctx.fx = await startCluster(3, { ANTCRM_WRITEBACK: 'tickets,leads,wrapup' });
});
t.after(async (ctx) => {
  await ctx.fx?.close();
});

async function api(
  url: string,
  token: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

function queueOf(fx: ClusterFixture) {
  const queue = fx.sim.data.queues[0]!;
  return {
    queueId: queue.id,
    agents: fx.sim.data.agents.filter((a) => queue.agents.includes(a.userId)).map((a) => a.username),
  };
}

t('missed calls with two upstream holders → exactly one ticket each; wrap-up on any node', async ({ fx }) => {
  if (!fx) return;
  const { sim, nodes } = fx;
  const { queueId, agents } = queueOf(fx);
  const customers = sim.data.customerNumbers({ withContact: true, multiple: false });
  const admin = await fx.client('admin', nodes[2]!, 'admin');
  const callIds: string[] = [];
  await pool(8, 4, async (k) => {
    callIds.push(
      (
        await sim.scenarios.inboundQueueCall({
          customer: customers[k % customers.length]!,
          queueId,
          agents: [agents[0]!, agents[1]!],
          answeredBy: null,
          ringMs: 60,
        })
      ).callId,
    );
  });
  await waitFor(() => callIds.every((id) => sim.crm.tickets().some((x) => x.ticketIdApiRing === id)), {
    what: 'a ticket per call',
    timeoutMs: 20_000,
  });
  // Give a second writer (the standby holder) every chance to show up: wait for every call's crm re-send too.
  await waitFor(() => callIds.every((id) => admin.calls.some((v) => v.callId === id && v.crm?.status === 'written')), {
    what: 'crm on every call',
    timeoutMs: 20_000,
  });
  for (const id of callIds)
    assert.is(sim.crm.tickets().filter((x) => x.ticketIdApiRing === id).length, 1, `one ticket for ${id}`);
  const total = await api(nodes[1]!.url, admin.token, '/api/outbox');
  assert.is(total.status, 200);
  assert.is(total.body.pending, 0);

  // Wrap-up on a node: the rights come from Redis (an agent rung may, nobody answered), the ticket is updated (PUT).
  const id = callIds[0]!;
  const agentToken = fx.token('agent', { agent: agents[1] });
  for (const [i, n] of nodes.entries()) {
    const r = await api(n.url, agentToken, `/api/calls/${encodeURIComponent(id)}/wrapup`, {
      note: `gọi lại khách (node ${i})`,
    });
    assert.is(r.status, 202, `node ${i}: ${JSON.stringify(r.body)}`);
  }
  const other = sim.data.agents.find((a) => !agents.slice(0, 2).includes(a.username))!.username;
  const refused = await api(
    nodes[0]!.url,
    fx.token('agent', { agent: other }),
    `/api/calls/${encodeURIComponent(id)}/wrapup`,
    { note: 'x' },
  );
  assert.is(refused.status, 403);
  await waitFor(() => sim.crm.tickets().find((x) => x.ticketIdApiRing === id && x.summary.includes('(node 2)')), {
    what: 'the last wrap-up written',
    timeoutMs: 20_000,
  });
  assert.is(sim.crm.tickets().filter((x) => x.ticketIdApiRing === id).length, 1, 'wrap-ups updated the one ticket');
});

t('a node SIGKILLed with deliveries pending → another node delivers them, each ticket once', async ({ fx }) => {
  if (!fx) return;
  const { sim, nodes } = fx;
  const { queueId, agents } = queueOf(fx);
  const customers = sim.data.customerNumbers({ withContact: true, multiple: false });
  const admin = fx.token('admin');
  const before = sim.crm.tickets().length;
  sim.faults.crmWrites.down = true;
  const callIds: string[] = [];
  for (let k = 0; k < 4; k++) {
    callIds.push(
      (
        await sim.scenarios.inboundQueueCall({
          customer: customers[(k + 3) % customers.length]!,
          queueId,
          agents: [agents[2]!],
          answeredBy: null,
          ringMs: 60,
        })
      ).callId,
    );
  }
  const live = nodes.filter((n) => !n.exited);
  await waitFor(async () => Number((await api(live[2]!.url, admin, '/api/outbox')).body.pending) >= callIds.length, {
    what: 'the tickets pending',
    timeoutMs: 15_000,
  });
  assert.is(sim.crm.tickets().length, before, 'nothing written while AntCRM is down');
  const victim = nodes.find((n) => n.holdsUpstream() && !n.exited)!;
  victim.kill('SIGKILL');
  assert.is((await victim.exit).signal, 'SIGKILL');
  sim.faults.crmWrites.down = false;
  const survivor = nodes.find((n) => !n.exited)!;
  // Retries back off (1 s, 5 s, 30 s…): within the third retry at most.
  await waitFor(() => callIds.every((id) => sim.crm.tickets().some((x) => x.ticketIdApiRing === id)), {
    what: 'the tickets delivered by another node',
    timeoutMs: 45_000,
    intervalMs: 100,
  });
  await waitFor(async () => Number((await api(survivor.url, admin, '/api/outbox')).body.pending) === 0, {
    what: 'nothing pending',
    timeoutMs: 10_000,
  });
  for (const id of callIds)
    assert.is(sim.crm.tickets().filter((x) => x.ticketIdApiRing === id).length, 1, `one ticket for ${id}`);
});

t.run();
