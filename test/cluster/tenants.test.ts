// Many tenants over a cluster (contract §8.5): 3 bridge processes + a real Redis + 6 simulated AntRing accounts in a
// tenants file. Every tenant's upstream is held by CLUSTER_UPSTREAM_NODES (2) nodes, spread (no node over
// ceil(2 × 6 / 3) + 1); SIGKILL of a node: its tenants go on on the others with no call or write-back (ticket) lost or
// doubled; a node that joins takes over about a third of the holds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectClient, type RecordingClient } from '../helpers/clients.js';
import { roleToken, signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';
import { entryOf, type SimTenant, startSims } from '../integration/tenants-fixture.js';
import { byCall, mode, signature } from './fixture.js';
import { type BridgeProc, killAll, startBridge, startRedis, type TestRedis } from './helpers.js';

const SECRET = 'cluster-tenants-secret-0123456789abcdef0123456789';
const TENANTS = 6;
const K = 2;
const CAP = Math.ceil((K * TENANTS) / 3) + 1;

interface Ctx {
  redis?: TestRedis;
  sims: SimTenant[];
  nodes: BridgeProc[];
  env: Record<string, string>;
  dir: string;
  file: string;
  entries: object[];
  clients: RecordingClient[];
}
const t = suite<Ctx>('cluster: tenants sharded over the nodes');

type Summary = { accountId: string; holders?: string[]; upstream: { state: string } };
const operator = () => signToken({ sub: 'ops', org: '*', role: 'operator' }, { secret: SECRET });
async function tenantsOf(node: BridgeProc): Promise<Summary[]> {
  const r = await fetch(`${node.url}/api/tenants`, {
    headers: { authorization: `Bearer ${operator()}` },
    signal: AbortSignal.timeout(2000),
  });
  return (await r.json()) as Summary[];
}

/** Per tenant, its holders as each live node reports them (they must agree); undefined while they do not. */
async function holders(nodes: BridgeProc[]): Promise<Map<string, string[]> | undefined> {
  const views = await Promise.all(nodes.filter((n) => !n.exited).map(tenantsOf));
  const out = new Map<string, string[]>();
  for (const view of views)
    for (const s of view) {
      const h = [...(s.holders ?? [])].sort().join();
      const seen = out.get(s.accountId);
      if (seen && seen.join() !== h) return undefined;
      out.set(s.accountId, h ? h.split(',') : []);
    }
  return out.size === TENANTS ? out : undefined;
}

const loads = (h: Map<string, string[]>, nodes: BridgeProc[]) =>
  nodes.map((n) => [...h.values()].filter((hs) => hs.includes(n.node)).length);

/** Every tenant held by K live nodes, AntRing seeing K subscriptions per account. */
async function settled(ctx: Ctx, live: BridgeProc[]): Promise<Map<string, string[]>> {
  const ids = new Set(live.map((n) => n.node));
  let last: Map<string, string[]> | undefined;
  await waitFor(
    async () => {
      last = await holders(live);
      return (
        last !== undefined &&
        [...last.values()].every((hs) => hs.length === K && hs.every((x) => ids.has(x))) &&
        ctx.sims.every((s) => s.sim.stats().signals.connections === K)
      );
    },
    { what: `every tenant held by ${K} live nodes`, timeoutMs: 30_000, intervalMs: 200 },
  ).catch((err: unknown) => {
    throw new Error(
      `${String(err)}: ${JSON.stringify(last && [...last])} subscriptions ${ctx.sims.map((s) => s.sim.stats().signals.connections)}`,
    );
  });
  return last as Map<string, string[]>;
}

t.before(async (ctx) => {
  ctx.redis = await startRedis();
  ctx.nodes = [];
  ctx.clients = [];
  if (!ctx.redis) return;
  ctx.sims = await startSims(TENANTS);
  ctx.dir = mkdtempSync(join(tmpdir(), 'antring-cluster-tenants-'));
  const secrets: Record<string, string> = {};
  const file = join(ctx.dir, 'tenants.json');
  // Every tenant writes a ticket per call to its own AntCRM (the outbox in Redis, under its org's keys).
  const entries = ctx.sims.map((s) => {
    const e = entryOf(s, secrets) as { antcrm: object };
    return { ...e, antcrm: { ...e.antcrm, writeback: ['tickets'] } };
  });
  writeFileSync(file, JSON.stringify(entries), { mode: 0o600 });
  ctx.file = file;
  ctx.entries = entries;
  ctx.env = {
    ...secrets,
    TENANTS_FILE: file,
    JWT_SECRET: SECRET,
    REDIS_URL: ctx.redis.url,
    CLUSTER_UPSTREAM_NODES: String(K),
    CLUSTER_LEASE_TTL_MS: '3000',
    CLUSTER_HEARTBEAT_TTL_MS: '2000',
    CRM_BUDGET_MS: '5000',
    SHUTDOWN_DRAIN_MS: '800',
    DASHBOARD_POLL_MS: '2000',
    DATA_DIR: join(ctx.dir, 'data'),
  };
  for (let i = 0; i < 3; i++) ctx.nodes.push(await startBridge(`node${i}`, ctx.env));
});

t.after(async (ctx) => {
  for (const c of ctx.clients ?? []) c.close();
  await killAll(ctx.nodes ?? []);
  await Promise.all((ctx.sims ?? []).map((s) => s.sim.close().catch(() => undefined)));
  await ctx.redis?.stop();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

t('every tenant has exactly CLUSTER_UPSTREAM_NODES holders, spread over the nodes', async (ctx) => {
  if (!ctx.redis) return;
  const h = await settled(ctx, ctx.nodes);
  const load = loads(h, ctx.nodes);
  console.log(JSON.stringify({ tenants: TENANTS, holdsPerNode: load, cap: CAP }));
  assert.is(
    load.reduce((a, b) => a + b, 0),
    K * TENANTS,
  );
  assert.ok(
    load.every((n) => n <= CAP),
    `no node holds more than ${CAP}: ${load}`,
  );
});

t('SIGKILL of a node: its tenants go on on the others, no call lost or doubled', async (ctx) => {
  if (!ctx.redis) return;
  const before = await settled(ctx, ctx.nodes);
  const load = loads(before, ctx.nodes);
  const victim = ctx.nodes[load.indexOf(Math.max(...load))]!;
  const survivors = ctx.nodes.filter((n) => n !== victim);
  const victimTenants = [...before].filter(([, hs]) => hs.includes(victim.node)).map(([org]) => org);
  // One admin per tenant, on a surviving node.
  const admins = await Promise.all(
    ctx.sims.map(async (s, i) => {
      const c = await connectClient(survivors[i % 2]!.url, roleToken('admin', { org: s.org, secret: SECRET }));
      ctx.clients.push(c);
      return { org: s.org, c };
    }),
  );
  const driven = new Map<string, string[]>(ctx.sims.map((s) => [s.org, []]));
  // Every other call is missed (nobody answers): a missed call writes a ticket to its tenant's AntCRM.
  const missed = new Set<string>();
  let stop = false;
  const traffic = ctx.sims.map(async (s) => {
    const queue = s.sim.data.queues[0]!;
    const agents = s.sim.data.agents.filter((a) => queue.agents.includes(a.userId)).map((a) => a.username);
    const customers = s.sim.data.customerNumbers({ withContact: true, multiple: false, legacy: false });
    for (let k = 0; !stop; k++) {
      const r = await s.sim.scenarios.inboundQueueCall({
        customer: customers[k % customers.length]!,
        queueId: queue.id,
        agents: [agents[0]!, agents[1]!],
        answeredBy: k % 2 ? null : agents[0]!,
        ivrMs: 0,
        queueMs: 5,
        ringMs: 150,
        talkMs: 250,
      });
      driven.get(s.org)!.push(r.callId);
      if (k % 2) missed.add(r.callId);
    }
  });
  let killedAt = 0;
  try {
    await waitFor(() => admins.every((a) => a.c.calls.some((v) => v.state === 'ended')), {
      what: 'traffic flowing in every tenant',
      timeoutMs: 20_000,
    });
    killedAt = Date.now();
    victim.kill('SIGKILL');
    await victim.exit;
    // Traffic goes on through the take-over and after it.
    await waitFor(() => Date.now() - killedAt > 4000, { what: 'traffic after the kill', timeoutMs: 10_000 });
  } finally {
    stop = true;
    await Promise.all(traffic);
  }
  await waitFor(
    () =>
      admins.every((a) =>
        driven.get(a.org)!.every((id) => a.c.calls.some((v) => v.callId === id && v.state === 'ended')),
      ),
    { what: 'every driven call to end on its tenant’s admin', timeoutMs: 30_000, intervalMs: 100 },
  ).catch((err: unknown) => {
    const missing = admins.map(
      (a) =>
        `${a.org}: ${driven.get(a.org)!.filter((id) => !a.c.calls.some((v) => v.callId === id && v.state === 'ended')).length}`,
    );
    throw new Error(`${String(err)}; calls without end per tenant: ${missing.join(', ')}`);
  });
  let lost = 0;
  let doubled = 0;
  let foreign = 0;
  for (const a of admins) {
    const calls = byCall(a.c.calls);
    const ids = driven.get(a.org)!;
    for (const id of calls.keys()) if (!ids.includes(id)) foreign++;
    for (const shape of [true, false]) {
      const of = ids.filter((id) => missed.has(id) === shape);
      const sigs = of.map((id) => signature(calls.get(id) ?? []));
      const expected = mode(sigs) ?? '';
      sigs.forEach((sg, k) => {
        const seqs = (calls.get(of[k]!) ?? []).map((v) => v.seq);
        if (new Set(seqs).size !== seqs.length || sg.length > expected.length) doubled++;
        else if (sg !== expected) lost++;
      });
    }
  }
  // Write-backs: one ticket per call in its own tenant's AntCRM, none lost or doubled by the kill.
  const ticketsOf = (org: string, id: string) =>
    ctx.sims
      .find((s) => s.org === org)!
      .sim.crm.tickets()
      .filter((x) => x.ticketIdApiRing === id).length;
  const missedOf = (org: string) => driven.get(org)!.filter((id) => missed.has(id));
  await waitFor(() => admins.every((a) => missedOf(a.org).every((id) => ticketsOf(a.org, id) > 0)), {
    what: 'a ticket for every call',
    timeoutMs: 30_000,
    intervalMs: 200,
  }).catch(() => undefined);
  let ticketsLost = 0;
  let ticketsDoubled = 0;
  for (const a of admins)
    for (const id of missedOf(a.org)) {
      const n = ticketsOf(a.org, id);
      if (n === 0) ticketsLost++;
      if (n > 1) ticketsDoubled++;
    }
  const after = await settled(ctx, survivors);
  console.log(
    JSON.stringify({
      killed: victim.name,
      itsTenants: victimTenants.length,
      calls: [...driven.values()].reduce((n, l) => n + l.length, 0),
      lost,
      doubled,
      foreign,
      tickets: missed.size,
      ticketsLost,
      ticketsDoubled,
      holdsPerSurvivor: loads(after, survivors),
    }),
  );
  assert.ok(victimTenants.length > 0, 'the victim held tenants');
  assert.is(foreign, 0, 'no tenant saw another tenant’s call');
  assert.is(lost, 0, 'no call lost');
  assert.is(doubled, 0, 'no call doubled');
  assert.is(ticketsLost, 0, 'no write-back lost');
  assert.is(ticketsDoubled, 0, 'no write-back doubled');
});

t('a node that joins takes over about a third of the holds', async (ctx) => {
  if (!ctx.redis) return;
  const live = ctx.nodes.filter((n) => !n.exited);
  const before = await settled(ctx, live);
  const joined = await startBridge('node3', ctx.env);
  ctx.nodes.push(joined);
  const all = [...live, joined];
  let after = await settled(ctx, all);
  await waitFor(
    async () => {
      after = await settled(ctx, all);
      return loads(after, [joined])[0]! > 0;
    },
    { what: 'the joined node to hold tenants', timeoutMs: 20_000, intervalMs: 200 },
  );
  const moved = [...after].filter(([org, hs]) => hs.join() !== before.get(org)!.join()).length;
  const load = loads(after, all);
  console.log(JSON.stringify({ joined: joined.name, holdsPerNode: load, tenantsMoved: moved }));
  assert.ok(load[2]! >= 3 && load[2]! <= CAP, `the joined node holds about a third of ${K * TENANTS}: ${load}`);
  assert.ok(moved <= load[2]!, 'only the joined node’s share moved');
});

t('a reload on one node is applied by every node (removed, then added back)', async (ctx) => {
  if (!ctx.redis) return;
  const live = ctx.nodes.filter((n) => !n.exited);
  const [first, second] = live as [BridgeProc, BridgeProc];
  const last = ctx.sims[TENANTS - 1]!.sim.credentials.accountId;
  const listed = async () => Promise.all(live.map(async (n) => (await tenantsOf(n)).map((s) => s.accountId)));
  const reloadOn = async (n: BridgeProc) => {
    const r = await fetch(`${n.url}/api/tenants/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator()}` },
      signal: AbortSignal.timeout(10_000),
    });
    assert.is(r.status, 200);
    return (await r.json()) as { added: string[]; removed: string[] };
  };
  writeFileSync(ctx.file, JSON.stringify(ctx.entries.slice(0, -1)), { mode: 0o600 });
  assert.equal((await reloadOn(first)).removed, [last], 'the node told removes the tenant');
  await waitFor(async () => (await listed()).every((orgs) => orgs.length === TENANTS - 1 && !orgs.includes(last)), {
    what: 'every node to have removed the tenant',
    timeoutMs: 20_000,
    intervalMs: 200,
  });
  writeFileSync(ctx.file, JSON.stringify(ctx.entries), { mode: 0o600 });
  assert.equal((await reloadOn(second)).added, [last], 'another node told adds it back');
  await waitFor(async () => (await listed()).every((orgs) => orgs.length === TENANTS && orgs.includes(last)), {
    what: 'every node to have added it back',
    timeoutMs: 20_000,
    intervalMs: 200,
  });
  await settled(ctx, live);
});

t.run();
