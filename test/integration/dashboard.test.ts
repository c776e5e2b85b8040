// The dashboard end to end: the real bridge polling the simulator's dashboard/queues/agents (DASHBOARD_POLL_MS=250),
// Socket.IO clients of every role and GET /api/dashboard. Sent on connect and on change, never on an unchanged poll;
// wallboards get customer numbers masked and no customer names; agents get nothing.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Dashboard, ErrorBody } from '../../src/contract.js';
import { dashboardRoutes } from '../../src/dashboard/routes.js';
import { maskNumber } from '../../src/fanout/redact.js';
import { createHttpApp } from '../../src/http/app.js';
import type { RecordingClient } from '../helpers/clients.js';
import { captureLogger } from '../helpers/logs.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const POLL_MS = 250;

interface Ctx {
  stack: Stack;
  sup: RecordingClient;
  wall: RecordingClient;
  admin: RecordingClient;
  agent: RecordingClient;
  scenario?: Promise<unknown>;
}

const withoutAt = (d: Dashboard) => ({ ...d, at: undefined });

/** The test reads the dashboard or the error body, after asserting the status: both shapes' fields, typed. */
type Answer = Dashboard & ErrorBody;

async function getDashboard(stack: Stack, token?: string): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${stack.url}/api/dashboard`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as Answer };
}

const dashboardRequests = (stack: Stack) => stack.sim.stats().rest.routes['GET /call/dashboard'] ?? 0;

const e2e = suite<Ctx>('dashboard through the real bridge');

e2e.before(async (ctx) => {
  try {
    ctx.stack = await startStack({ env: { DASHBOARD_POLL_MS: String(POLL_MS) } });
    const admin = ctx.stack.token('admin');
    await waitFor(async () => (await getDashboard(ctx.stack, admin)).status === 200, {
      what: 'a first dashboard',
      timeoutMs: 10_000,
    });
  } catch (err) {
    // uvu does not print a failing before hook: say why the suite failed.
    console.error('dashboard suite setup failed:', err);
    if (ctx.stack)
      console.error(
        ctx.stack.logs.lines
          .filter((l) => /"level":(40|50|60)/.test(l))
          .slice(-20)
          .join('\n'),
      );
    throw err;
  }
});

e2e.after(async (ctx) => {
  await ctx.stack?.close();
  await ctx.scenario;
});

e2e('supervisors, wallboards and admins get the dashboard on connect; agents do not', async (ctx) => {
  const { stack } = ctx;
  ctx.sup = await stack.client('supervisor', { queues: ['*'] });
  ctx.wall = await stack.client('wallboard', { queues: ['*'] });
  ctx.admin = await stack.client('admin');
  ctx.agent = await stack.client('agent', { agent: 'lan.nguyen' });
  for (const [name, c] of [
    ['supervisor', ctx.sup],
    ['wallboard', ctx.wall],
    ['admin', ctx.admin],
  ] as const) {
    await waitFor(() => c.dashboards.length >= 1, { what: `the ${name}'s dashboard on connect` });
  }
  const d = ctx.sup.dashboards[0];
  assert.is(d.org, stack.org);
  assert.is(d.stale, false);
  assert.ok(Date.parse(d.at) > Date.now() - 60_000, 'a recent time');
  // What the simulator holds: 6 agents, one of them offline; 2 queues; nothing waiting yet.
  const sim = stack.sim.data;
  assert.is(d.agents.loggedIn, sim.agents.filter((a) => a.device.online).length);
  assert.is(d.agents.loggedOut, sim.agents.filter((a) => !a.device.online).length);
  assert.is(d.agents.ready, d.agents.loggedIn);
  assert.equal(
    d.agents.details.map((x) => x.username),
    sim.agents
      .filter((a) => a.device.online)
      .map((a) => a.username)
      .sort(),
  );
  const lan = d.agents.details.find((x) => x.username === 'lan.nguyen')!;
  assert.is(lan.name, 'Nguyễn Thị Lan');
  assert.is(lan.status, 'ready');
  assert.ok(lan.since && Date.parse(lan.since) < Date.now());
  assert.equal(
    d.queues.map((q) => [q.id, q.agents, q.waiting]).sort(),
    sim.queues.map((q) => [q.id, q.agents.length, 0]).sort(),
  );
  assert.equal(d.waitingCalls, []);
  assert.is(d.totals.waiting, 0);
  assert.equal(withoutAt(ctx.admin.dashboards[0]), withoutAt(d));
  assert.equal(withoutAt(ctx.wall.dashboards[0]), withoutAt(d), 'nothing to redact yet');
  assert.is(ctx.agent.dashboards.length, 0);
});

e2e('an unchanged poll emits nothing', async (ctx) => {
  const { stack } = ctx;
  const counts = [ctx.sup, ctx.wall, ctx.admin].map((c) => c.dashboards.length);
  const base = dashboardRequests(stack);
  // +4 requests seen by the simulator: at least three complete rounds answered in between.
  await waitFor(() => dashboardRequests(stack) >= base + 4, { what: 'three more dashboard polls', timeoutMs: 10_000 });
  assert.equal(
    [ctx.sup, ctx.wall, ctx.admin].map((c) => c.dashboards.length),
    counts,
  );
  assert.is(ctx.agent.dashboards.length, 0);
});

e2e('a change in AntRing reaches supervisors, wallboards and admins once; agents never', async (ctx) => {
  const { stack } = ctx;
  const before = [ctx.sup, ctx.wall, ctx.admin].map((c) => c.dashboards.length);
  stack.sim.faults.devices.setPaused('lan.nguyen', true);
  for (const [i, c] of [ctx.sup, ctx.wall, ctx.admin].entries()) {
    await waitFor(() => c.dashboards.length > before[i] && c.dashboards.at(-1)!.agents.paused === 1, {
      what: 'the paused agent',
    });
  }
  const d = ctx.sup.dashboards.at(-1)!;
  assert.is(d.agents.details.find((x) => x.username === 'lan.nguyen')!.status, 'paused');
  assert.is(d.agents.ready, d.agents.loggedIn - 1);
  // One emission for one change, even after more polls.
  const base = dashboardRequests(stack);
  await waitFor(() => dashboardRequests(stack) >= base + 4, { what: 'three more dashboard polls', timeoutMs: 10_000 });
  assert.equal(
    [ctx.sup, ctx.wall, ctx.admin].map((c) => c.dashboards.length),
    before.map((n) => n + 1),
  );

  stack.sim.faults.devices.setOnline('minh.tran', false);
  await waitFor(() => ctx.wall.dashboards.at(-1)!.agents.loggedOut === 2, {
    what: 'the logged-out agent on the wallboard',
  });
  assert.not.ok(ctx.wall.dashboards.at(-1)!.agents.details.some((x) => x.username === 'minh.tran'));
  stack.sim.faults.devices.setOnline('minh.tran', true);
  stack.sim.faults.devices.setPaused('lan.nguyen', false);
  await waitFor(
    () => ctx.sup.dashboards.at(-1)!.agents.paused === 0 && ctx.sup.dashboards.at(-1)!.agents.loggedOut === 1,
    { what: 'back to normal' },
  );
  assert.is(ctx.agent.dashboards.length, 0, 'an agent never receives the dashboard');
});

e2e('a waiting call: full for supervisors, masked number and no customer name for wallboards', async (ctx) => {
  const { stack } = ctx;
  const sim = stack.sim;
  const number = sim.data.customerNumbers({ withContact: true, multiple: false, mobile: true })[0];
  const crmNames = sim.data.expectedContacts(number).map((r) => r.name);
  assert.ok(crmNames.length > 0);
  const customerName = 'Khách Hàng Bí Mật';
  const queue = sim.data.queues[0];
  const agentName = sim.data.agents.find((a) => a.username === 'minh.tran')!.name;
  const other = sim.data.queues.find((q) => q.id !== queue.id)!;
  // Queue-scoped readers (contract §7.1): of the other queue, and of this one.
  const supOther = await stack.client('supervisor', { queues: [other.id] });
  const wallOther = await stack.client('wallboard', { queues: [other.id] });
  const supThis = await stack.client('supervisor', { queues: [queue.id] });
  // Stays in the queue for a minute (the simulator's close() aborts it).
  ctx.scenario = sim.scenarios
    .inboundQueueCall({
      customer: number,
      customerName,
      queueId: queue.id,
      agents: ['minh.tran'],
      ivrMs: 0,
      queueMs: 60_000,
    })
    .catch(() => undefined);

  const full = await waitFor(() => ctx.sup.dashboards.find((d) => d.waitingCalls.length === 1), {
    what: 'the waiting call on the supervisor',
  });
  const wall = await waitFor(() => ctx.wall.dashboards.find((d) => d.waitingCalls.length === 1), {
    what: 'the waiting call on the wallboard',
  });
  const w = full.waitingCalls[0];
  assert.is(w.number, number);
  assert.is(w.queueId, queue.id);
  assert.ok(w.since && Math.abs(Date.parse(w.since) - Date.now()) < 30_000);
  assert.is(full.totals.waiting, 1);
  assert.is(full.queues.find((q) => q.id === queue.id)!.waiting, 1);
  assert.is(full.queues.find((q) => q.id !== queue.id)!.waiting, 0);

  assert.equal(wall.waitingCalls, [{ ...w, number: maskNumber(number) }]);
  assert.is(wall.waitingCalls[0].number.slice(-3), number.slice(-3));
  assert.equal(wall.agents, full.agents, 'agent names stay');
  assert.ok(wall.agents.details.some((a) => a.name === agentName));
  assert.equal(wall.totals, full.totals);
  assert.equal(wall.queues, full.queues);
  for (const d of [...ctx.wall.dashboards, (await getDashboard(stack, stack.token('wallboard'))).body as Dashboard]) {
    const text = JSON.stringify(d);
    assert.not.ok(text.includes(number.slice(0, -3)), 'no unmasked customer number');
    const rest = text.replace(/"(org|at|since|id|queueId|callId)":"[^"]*"/g, '');
    assert.not.ok(/\d{4,}/.test(rest), `no 4-digit run: ${rest}`);
    assert.not.ok(text.includes(customerName), 'no caller id name');
    for (const n of crmNames) assert.not.ok(text.includes(n), `no CRM name (${n})`);
  }
  // Supervisors never get the customer name either (the contract's Dashboard has no field for it).
  assert.not.ok(JSON.stringify(full).includes(customerName));
  assert.is(ctx.agent.dashboards.length, 0);

  // Scoping: the other queue's readers see none of this queue's waiting calls, on the socket and on REST.
  const since = Date.parse(full.at);
  const online = new Set(sim.data.agents.filter((a) => a.device.online).map((a) => a.username));
  const membersOf = (q: typeof queue) =>
    sim.data.agents
      .filter((a) => q.agents.includes(a.userId) && online.has(a.username))
      .map((a) => a.username)
      .sort();
  for (const [name, c] of [
    ['supervisor of the other queue', supOther],
    ['wallboard of the other queue', wallOther],
    ['supervisor of this queue', supThis],
  ] as const) {
    await waitFor(() => c.dashboards.some((d) => Date.parse(d.at) >= since), {
      what: `the ${name}'s dashboard after the change`,
    });
  }
  const restOther = (await getDashboard(stack, stack.token('supervisor', { queues: [other.id] }))).body as Dashboard;
  const restWallOther = (await getDashboard(stack, stack.token('wallboard', { queues: [other.id] }))).body as Dashboard;
  for (const d of [...supOther.dashboards, ...wallOther.dashboards, restOther, restWallOther]) {
    assert.equal(d.waitingCalls, [], 'no waiting call of another queue');
    assert.equal(
      d.queues.map((q) => q.id),
      [other.id],
    );
    assert.equal(
      d.agents.details.map((a) => a.username),
      membersOf(other),
    );
    assert.is(d.totals.scope, 'org');
    assert.not.ok(JSON.stringify(d).includes(number.slice(-7)), 'not even the masked number');
  }
  const mine = supThis.dashboards.find((d) => d.waitingCalls.length === 1)!;
  assert.equal(mine.waitingCalls, [w]);
  assert.equal(
    mine.agents.details.map((a) => a.username),
    membersOf(queue),
  );
  assert.equal(mine.totals, full.totals, 'totals stay org-wide');
  const restThis = (await getDashboard(stack, stack.token('supervisor', { queues: [queue.id] }))).body as Dashboard;
  assert.equal(restThis.waitingCalls, [w]);
  assert.equal(full.totals.scope, 'org');
});

e2e('GET /api/dashboard by role', async (ctx) => {
  const { stack } = ctx;
  const sup = await getDashboard(stack, stack.token('supervisor', { queues: ['*'] }));
  const admin = await getDashboard(stack, stack.token('admin'));
  const wall = await getDashboard(stack, stack.token('wallboard', { queues: ['*'] }));
  const agent = await getDashboard(stack, stack.token('agent', { agent: 'lan.nguyen' }));
  const anonymous = await getDashboard(stack);
  assert.is(sup.status, 200);
  assert.is(admin.status, 200);
  assert.is(wall.status, 200);
  assert.is(agent.status, 403);
  assert.equal(agent.body.error, 'forbidden');
  assert.is(typeof agent.body.message, 'string');
  assert.is(anonymous.status, 401);
  assert.is(anonymous.body.error, 'unauthorized');
  const latest = ctx.sup.dashboards.at(-1)!;
  assert.equal(withoutAt(sup.body), withoutAt(latest), 'the latest dashboard');
  assert.ok(Date.parse(sup.body.at) >= Date.parse(latest.at));
  assert.equal(withoutAt(admin.body), withoutAt(latest));
  const number = latest.waitingCalls[0].number;
  assert.is(wall.body.waitingCalls[0].number, maskNumber(number));
  assert.equal(
    { ...wall.body, at: undefined, waitingCalls: undefined },
    { ...withoutAt(latest), waitingCalls: undefined },
  );
});

e2e.run();

// ---- 503 before the first fetch: the route alone, on a real HTTP server ----
const unavailable = suite('GET /api/dashboard before any dashboard was fetched');

unavailable('503 upstream_unavailable (and still 403 for agents)', async () => {
  const logs = captureLogger('silent');
  const claims = (role: string) => ({
    sub: 'x',
    org: 'o1',
    role,
    queues: ['*'],
    agent: role === 'agent' ? 'a' : undefined,
    exp: 9e9,
  });
  const app = createHttpApp({
    logger: logs.logger,
    verifier: { verify: (t: string) => ({ ok: true, claims: claims(t) as never }) },
    readiness: { notReadyReasons: () => [] },
    liveCalls: { visibleTo: async () => [] },
    corsOrigins: [],
    apiRoutes: [dashboardRoutes({ latest: () => undefined })],
  });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/dashboard`;
    for (const role of ['supervisor', 'wallboard', 'admin']) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${role}` } });
      assert.is(res.status, 503, role);
      assert.is(((await res.json()) as { error: string }).error, 'upstream_unavailable');
    }
    const res = await fetch(url, { headers: { authorization: 'Bearer agent' } });
    assert.is(res.status, 403);
    assert.is(((await res.json()) as { error: string }).error, 'forbidden');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

unavailable.run();
