import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { entryOf, type SimTenant, startSims, startTenantsBridge, type TenantsHarness } from './tenants-fixture.js';
const test = suite('scratch');
const ctx: { sims: SimTenant[]; h: TenantsHarness } = {} as never;
test.before(async () => {
  ctx.sims = await startSims(1);
  ctx.h = await startTenantsBridge((env) => [entryOf(ctx.sims[0], env, { devices: true })]);
  await waitFor(async () => ((await (await fetch(`${ctx.h.url}/readyz`)).json()) as any).tenants[0].state === 'up', { timeoutMs: 15000 });
});
test.after(async () => { await ctx.h?.close(); await ctx.sims[0].sim.close(); });
test('c2c then inbound from the same number', async () => {
  const org = ctx.sims[0].org;
  const admin = await ctx.h.client(org, 'admin');
  const wait = process.env.LIVE === '1';
  const r = await fetch(`${ctx.h.url}/api/click-to-call`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.h.token(org, 'agent', { agent: 'lan.nguyen' })}` }, body: JSON.stringify({ number: '0934890883' }) });
  assert.is(r.status, 202);
  const phase = process.env.PHASE ?? 'answered';
  if (!wait) await waitFor(() => admin.calls.some((v) => v.state === phase), { timeoutMs: 30000 });
  const sim = ctx.sims[0].sim;
  const queue = sim.data.queues[0];
  const res = await sim.scenarios.inboundQueueCall({ customer: sim.data.customerNumbers({})[0], queueId: queue.id, agents: ['lan.nguyen'], answeredBy: 'lan.nguyen', ringMs: 50, talkMs: 50 });
  try {
    await admin.waitCall((v) => v.callId === res.callId && v.state === 'ended', 'inbound');
  } finally {
    console.log(JSON.stringify(admin.calls.map((v) => [v.callId, v.state, v.direction, v.from?.number, v.to?.number, (v as any).hangupCause, (v as any).mergedInto]), null, 0));
  }
});
test.run();
