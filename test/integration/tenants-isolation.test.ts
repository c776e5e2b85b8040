// Three simulated AntRing accounts behind one bridge (contract §8): each tenant's sockets and REST answers carry its
// own calls and nothing of the others; a JWT of an unknown org is refused; a tenant with wrong credentials is `down`
// in /readyz while the others pop; the operator's routes; a reload that adds, removes and changes tenants while the
// untouched tenant's sockets stay connected; a bad file changes nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView } from '../../src/contract.js';
import { connectError } from '../helpers/clients.js';
import { waitFor } from '../helpers/wait.js';
import { entryOf, type SimTenant, startSims, startTenantsBridge, type TenantsHarness } from './tenants-fixture.js';

const test = suite('tenants: isolation, operators, reload');
const ctx: { sims: SimTenant[]; h: TenantsHarness } = {} as never;
const org = (i: number) => ctx.sims[i].org;

type Ready = { status: string; tenants: { accountId: string; state: string; reason?: string }[] };
const readyz = async () => (await (await fetch(`${ctx.h.url}/readyz`)).json()) as Ready;
const stateOf = async (i: number) => (await readyz()).tenants.find((t) => t.accountId === org(i));

async function ringOnce(i: number): Promise<string> {
  const sim = ctx.sims[i].sim;
  const queue = sim.data.queues[0];
  const agent = sim.data.agents.find((a) => queue.agents.includes(a.userId) && a.username === 'lan.nguyen');
  assert.ok(agent, 'lan.nguyen is in the first queue of every simulated account');
  const r = await sim.scenarios.inboundQueueCall({
    customer: sim.data.customerNumbers({})[0],
    queueId: queue.id,
    agents: ['lan.nguyen'],
    answeredBy: 'lan.nguyen',
    ringMs: 50,
    talkMs: 50,
  });
  return r.callId;
}

test.before(async () => {
  ctx.sims = await startSims(4);
  // A (upper-case id in the file), B, C (wrong secret); D is added by the reload.
  ctx.h = await startTenantsBridge((env) => [
    entryOf(ctx.sims[0], env, { upper: true, name: 'Công ty A', devices: true }),
    entryOf(ctx.sims[1], env),
    entryOf(ctx.sims[2], env, { wrongSecret: true }),
  ]);
  await waitFor(async () => (await stateOf(0))?.state === 'up' && (await stateOf(1))?.state === 'up', {
    what: 'tenants A and B up',
    timeoutMs: 15_000,
  });
});

test.after(async () => {
  await ctx.h?.close();
  await Promise.all((ctx.sims ?? []).map((s) => s.sim.close()));
});

test('a tenant with wrong credentials is down (auth_failed) while the others are up; /readyz is 200', async () => {
  await waitFor(async () => (await stateOf(2))?.reason === 'auth_failed', { what: 'C down', timeoutMs: 10_000 });
  const r = await fetch(`${ctx.h.url}/readyz`);
  assert.is(r.status, 200);
  const body = (await r.json()) as Ready;
  assert.equal(
    body.tenants.map((t) => [t.accountId, t.state]),
    [
      [org(0), 'up'],
      [org(1), 'up'],
      [org(2), 'down'],
    ],
  );
});

test('a JWT of an org that is not a tenant is refused: socket and REST `forbidden`', async () => {
  const e = await connectError(ctx.h.url, ctx.h.token('ffff0000ffff0000ffff0000ffff0000', 'admin'));
  assert.is(e.message, 'forbidden');
  const r = await ctx.h.get('/api/calls', ctx.h.token('ffff0000ffff0000ffff0000ffff0000', 'admin'));
  assert.is(r.status, 403);
});

test('each tenant gets its own calls, on sockets and REST, and nothing of the others', async () => {
  const adminA = await ctx.h.client(org(0).toUpperCase(), 'admin');
  const adminB = await ctx.h.client(org(1), 'admin');
  const agentA = await ctx.h.client(org(0), 'agent', { agent: 'lan.nguyen' });
  const agentB = await ctx.h.client(org(1), 'agent', { agent: 'lan.nguyen' });
  const callA = await ringOnce(0);
  await adminA.waitCall((v) => v.callId === callA && v.state === 'ended', 'A ended on A admin');
  await agentA.waitCall((v) => v.callId === callA, 'A call on A agent');
  const callB = await ringOnce(1);
  await adminB.waitCall((v) => v.callId === callB && v.state === 'ended', 'B ended on B admin');
  await agentB.waitCall((v) => v.callId === callB, 'B call on B agent');
  const orgsOf = (calls: CallView[]) => [...new Set(calls.map((v) => v.org))];
  assert.equal(orgsOf(adminA.calls), [org(0)]);
  assert.equal(orgsOf(agentA.calls), [org(0)]);
  assert.equal(orgsOf(adminB.calls), [org(1)]);
  assert.equal(orgsOf(agentB.calls), [org(1)]);
  assert.not.ok(adminB.calls.some((v) => v.callId === callA));
  assert.not.ok(agentB.calls.some((v) => v.callId === callA));
});

test("click-to-call dials with the caller's own tenant's devices only", async () => {
  const dial = (i: number) =>
    fetch(`${ctx.h.url}/api/click-to-call`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ctx.h.token(org(i), 'agent', { agent: 'lan.nguyen' })}`,
      },
      body: JSON.stringify({ number: '0934890883' }),
    });
  const placed = () => ctx.sims.map((s) => s.sim.stats().clickToCallRequests);
  const before = placed();
  const a = await dial(0);
  assert.is(a.status, 202, await a.text());
  const b = await dial(1);
  assert.is(b.status, 409, "B has no devices: A's are not used");
  assert.is(((await b.json()) as { error: string }).error, 'device_offline');
  const after = placed();
  assert.equal(
    after.map((n, i) => n - before[i]),
    [1, 0, 0, 0],
    "only A's AntRing placed a call",
  );
});

test('REST of each tenant is its own: dashboards and history from its own AntRing account', async () => {
  for (const i of [0, 1]) {
    const admin = ctx.h.token(org(i), 'admin');
    const dash = await waitFor(
      async () => {
        const r = await ctx.h.get('/api/dashboard', admin);
        return r.status === 200 ? (r.body as { org: string }) : undefined;
      },
      { what: `tenant ${i}'s dashboard`, timeoutMs: 10_000 },
    );
    assert.is(dash.org, org(i));
  }
  const history = async (i: number) => {
    const r = await ctx.h.get('/api/history?limit=100', ctx.h.token(org(i), 'admin'));
    assert.is(r.status, 200);
    return JSON.stringify(r.body);
  };
  const historyRequests = (i: number) => ctx.sims[i].sim.stats().rest.routes['GET /call/histories'] ?? 0;
  const before = [historyRequests(0), historyRequests(1)];
  await history(0);
  assert.equal([historyRequests(0), historyRequests(1)], [before[0] + 1, before[1]], "A's history from A's AntRing");
  await history(1);
  assert.equal([historyRequests(0), historyRequests(1)], [before[0] + 1, before[1] + 1], "B's from B's");
});

test('the operator: GET /api/tenants, every outbox; no call data, no socket; other roles may not', async () => {
  const op = ctx.h.operatorToken();
  const r = await ctx.h.get('/api/tenants', op);
  assert.is(r.status, 200);
  const list = r.body as { accountId: string; name?: string; upstream: { state: string }; sockets: number }[];
  assert.equal(
    list.map((t) => t.accountId),
    [org(0), org(1), org(2)],
  );
  assert.is(list[0].name, 'Công ty A');
  assert.not.ok(JSON.stringify(list).includes(ctx.sims[0].sim.credentials.appSecret), 'no secret');
  const outbox = await ctx.h.get('/api/outbox', op);
  assert.is(outbox.status, 200);
  assert.is((outbox.body as { tenants: unknown[] }).tenants.length, 3);
  assert.is((await ctx.h.get('/api/calls', op)).status, 403);
  assert.is((await connectError(ctx.h.url, op)).message, 'forbidden');
  assert.is((await ctx.h.get('/api/tenants', ctx.h.token(org(0), 'admin'))).status, 403);
  assert.is((await ctx.h.get('/api/tenants', 'not-a-token')).status, 401);
});

test('a bad file on reload changes nothing and says why (422 invalid_tenants)', async () => {
  ctx.h.writeTenants([{ accountId: org(0), antring: { appId: 'x', appSecret: { env: 'NOPE_NOT_SET' } } }]);
  const r = await ctx.h.post('/api/tenants/reload', ctx.h.operatorToken());
  assert.is(r.status, 422);
  const body = r.body as { error: string; problems: string[] };
  assert.is(body.error, 'invalid_tenants');
  assert.ok(
    body.problems.some((p) => p.includes('NOPE_NOT_SET is not set')),
    body.problems.join('\n'),
  );
  assert.ok(
    body.problems.some((p) => p.includes('antring.domain')),
    body.problems.join('\n'),
  );
  const list = (await ctx.h.get('/api/tenants', ctx.h.operatorToken())).body as unknown[];
  assert.is(list.length, 3);
});

test('reload: adds D, removes B (its sockets get tenant_removed), changes C; A is untouched', async () => {
  const adminA = await ctx.h.client(org(0), 'admin');
  const adminB = await ctx.h.client(org(1), 'admin');
  let aDisconnects = 0;
  adminA.socket.on('disconnect', () => aDisconnects++);
  const ended: unknown[] = [];
  adminB.socket.on('session_expired', (e) => ended.push(e));
  const env = ctx.h.env;
  ctx.h.writeTenants([
    entryOf(ctx.sims[0], env, { upper: true, name: 'Công ty A', devices: true }),
    entryOf(ctx.sims[2], env), // credentials fixed
    entryOf(ctx.sims[3], env),
  ]);
  const r = await ctx.h.post('/api/tenants/reload', ctx.h.operatorToken());
  assert.is(r.status, 200);
  assert.equal(r.body, { added: [org(3)], removed: [org(1)], changed: [org(2)], unchanged: 1 });
  await waitFor(() => ended.length === 1 && adminB.socket.disconnected, { what: 'B ended', timeoutMs: 5000 });
  assert.equal(ended, [{ code: 'tenant_removed' }]);
  await waitFor(async () => (await stateOf(2))?.state === 'up' && (await stateOf(3))?.state === 'up', {
    what: 'C and D up',
    timeoutMs: 15_000,
  });
  assert.is((await connectError(ctx.h.url, ctx.h.token(org(1), 'admin'))).message, 'forbidden');
  // A: the same socket still receives its calls.
  const callA = await ringOnce(0);
  await adminA.waitCall((v) => v.callId === callA && v.state === 'ended', 'A call after the reload');
  assert.is(aDisconnects, 0);
  const adminD = await ctx.h.client(org(3), 'admin');
  const callD = await ringOnce(3);
  await adminD.waitCall((v) => v.callId === callD && v.state === 'ended', 'D call');
  assert.not.ok(adminA.calls.some((v) => v.callId === callD));
});

test('a changed tenant restarts alone: its sockets stay connected, counted, and get its calls', async () => {
  const adminA = await ctx.h.client(org(0), 'admin');
  let disconnects = 0;
  adminA.socket.on('disconnect', () => disconnects++);
  const env = ctx.h.env;
  ctx.h.writeTenants([
    entryOf(ctx.sims[0], env, { name: 'Công ty A (renamed)', devices: true }),
    entryOf(ctx.sims[2], env),
    entryOf(ctx.sims[3], env),
  ]);
  const r = await ctx.h.post('/api/tenants/reload', ctx.h.operatorToken());
  assert.equal(r.body, { added: [], removed: [], changed: [org(0)], unchanged: 2 });
  await waitFor(async () => (await stateOf(0))?.state === 'up', { what: 'A up again', timeoutMs: 15_000 });
  const callA = await ringOnce(0);
  await adminA.waitCall((v) => v.callId === callA && v.state === 'ended', 'A call after its restart');
  assert.is(disconnects, 0);
  const list = (await ctx.h.get('/api/tenants', ctx.h.operatorToken())).body as {
    accountId: string;
    name?: string;
    sockets: number;
  }[];
  const a = list.find((t) => t.accountId === org(0));
  assert.is(a?.name, 'Công ty A (renamed)');
  assert.ok((a?.sockets ?? 0) >= 1, 'its sockets are still counted');
});

test.run();
