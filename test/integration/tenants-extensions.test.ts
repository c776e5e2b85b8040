// Extensions through createBridge (BridgeDeps.extensions): each tenant's extension sees its own tenant's call
// updates, emits and end, in order, and nothing of the other tenant; it starts with its tenant and stops with it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Extension } from '../../src/tenants/extensions.js';
import { waitFor } from '../helpers/wait.js';
import { entryOf, type SimTenant, startSims, startTenantsBridge, type TenantsHarness } from './tenants-fixture.js';

const test = suite('tenants: extensions');
const ctx: { sims: SimTenant[]; h: TenantsHarness; seen: Map<string, string[]> } = {} as never;

function recorder(org: string): Extension {
  const log = (s: string) => ctx.seen.get(org)?.push(s) ?? ctx.seen.set(org, [s]);
  return {
    name: 'recorder',
    onTenantStart: (t) => void log(`start:${t.org}`),
    onCallUpdate: (u, t) => void log(`update:${t.org}:${u.org}:${u.callId}`),
    onCallEmitted: (v, _u, t) => void log(`emitted:${t.org}:${v.org}:${v.callId}:${v.state}`),
    onCallEnded: (u, t) => void log(`ended:${t.org}:${u.callId}`),
    onTenantStop: (t) => void log(`stop:${t.org}`),
  };
}

test.before(async () => {
  ctx.seen = new Map();
  ctx.sims = await startSims(2);
  ctx.h = await startTenantsBridge((env) => ctx.sims.map((s) => entryOf(s, env)), {
    extensions: (org) => [recorder(org)],
  });
});

test.after(async () => {
  await ctx.h?.close();
  await Promise.all((ctx.sims ?? []).map((s) => s.sim.close()));
});

test('each tenant’s extension sees its own calls, and stops with it', async () => {
  const [a, b] = ctx.sims;
  assert.equal(ctx.seen.get(a.org), [`start:${a.org}`]);
  const queue = a.sim.data.queues[0];
  const agent = a.sim.data.agents.find((x) => queue.agents.includes(x.userId))!.username;
  const { callId } = await a.sim.scenarios.inboundQueueCall({
    customer: a.sim.data.customerNumbers({})[0],
    queueId: queue.id,
    agents: [agent],
    answeredBy: agent,
    ringMs: 50,
    talkMs: 50,
  });
  await waitFor(() => ctx.seen.get(a.org)?.includes(`ended:${a.org}:${callId}`), { what: 'the end of the call' });
  const seen = ctx.seen.get(a.org)!;
  assert.ok(seen.includes(`update:${a.org}:${a.org}:${callId}`));
  assert.ok(seen.some((s) => s.startsWith(`emitted:${a.org}:${a.org}:${callId}:`)));
  assert.ok(seen.indexOf(`update:${a.org}:${a.org}:${callId}`) < seen.indexOf(`ended:${a.org}:${callId}`));
  assert.not.ok(
    (ctx.seen.get(b.org) ?? []).some((s) => s.includes(callId)),
    'the other tenant’s extension saw nothing of it',
  );
  ctx.h.writeTenants([entryOf(a, ctx.h.env)]);
  await ctx.h.post('/api/tenants/reload', ctx.h.operatorToken());
  await waitFor(() => ctx.seen.get(b.org)?.includes(`stop:${b.org}`), {
    what: 'the removed tenant’s extension stopped',
  });
});

test.run();
