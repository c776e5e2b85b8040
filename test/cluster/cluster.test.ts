// Three bridge processes, one Redis, one simulator: 500 calls over clients spread on the nodes; an upstream holder is
// SIGKILLed mid-stream; a client drops for 2 s and recovers on another node. Exactly once, in seq order, nothing extra.

import { io } from 'socket.io-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView } from '../../src/contract.js';
import { waitFor } from '../helpers/wait.js';
import { byCall, type ClusterFixture, mode, type Rec, session, signature, startCluster } from './fixture.js';
import { pool, readyz } from './helpers.js';

const CALLS = 500;
const KILL_AFTER = 200;
const CONCURRENCY = 10;

const t = suite<{ fx?: ClusterFixture }>('cluster: three bridges, one Redis');
t.before(async (ctx) => {
  ctx.fx = await startCluster(3);
});
t.after(async (ctx) => {
  await ctx.fx?.close();
});

t(
  '500 calls; SIGKILL of an upstream holder mid-stream; every client gets every message once, in order, and nothing else',
  async ({ fx }) => {
    if (!fx) return;
    const { sim, nodes } = fx;
    const holders = nodes.filter((n) => n.holdsUpstream());
    assert.is(holders.length, 2, 'two nodes hold the upstream');
    assert.is(nodes.filter((n) => !n.holdsUpstream()).length, 1, 'the third node does not subscribe');
    await waitFor(() => sim.stats().signals.connections === 2 || undefined, {
      what: 'two upstream subscriptions at AntRing',
    }).catch(() => {
      throw new Error(`AntRing sees ${JSON.stringify(sim.stats().signals)}`);
    });
    const victim = holders[0]!;
    const survivors = nodes.filter((n) => n !== victim);
    const [s1, s2] = survivors as [typeof victim, typeof victim];

    const queue = sim.data.queues[0]!;
    const qAgents = sim.data.agents.filter((ag) => queue.agents.includes(ag.userId)).map((ag) => ag.username);
    const [a, b, c, d] = qAgents as [string, string, string, string];
    const idle = sim.data.agents.map((ag) => ag.username).find((u) => !qAgents.includes(u) || u === qAgents[4]);
    assert.ok(a && b && c && d && idle, 'the seed has a queue with four agents and another agent');
    const customers = sim.data.customerNumbers({ withContact: true, multiple: false, legacy: false });

    // Each audience twice, once on each surviving node; some clients on the victim too (they only must not break anything).
    const watched: Rec[] = [];
    for (const [i, node] of [s1, s2].entries()) {
      for (const ag of [a, b, c, d]) watched.push(await fx.client(`agent ${ag} @${i}`, node, 'agent', { agent: ag }));
      watched.push(await fx.client(`admin @${i}`, node, 'admin'));
      watched.push(await fx.client(`supervisor @${i}`, node, 'supervisor', { queues: [queue.id] }));
    }
    const idleClient = await fx.client(`agent ${idle} (no calls)`, s2, 'agent', { agent: idle });
    const otherSupervisor = await fx.client('supervisor of another queue', s1, 'supervisor', {
      queues: ['no-such-queue'],
    });
    for (const ag of [a, c]) await fx.client(`agent ${ag} @victim`, victim, 'agent', { agent: ag });
    await fx.client('admin @victim', victim, 'admin');

    const shapeOf = new Map<string, 'A' | 'B'>();
    let done = 0;
    let killedAt = 0;
    const started = Date.now();
    await pool(CALLS, CONCURRENCY, async (i) => {
      const shape = i % 2 === 0 ? 'A' : 'B';
      const r = await sim.scenarios.inboundQueueCall({
        customer: customers[i % customers.length]!,
        queueId: queue.id,
        agents: shape === 'A' ? [a, b] : [c, d],
        answeredBy: shape === 'A' ? a : d,
        ivrMs: 0,
        queueMs: 5,
        ringMs: 40,
        talkMs: 40,
      });
      shapeOf.set(r.callId, shape);
      if (++done === KILL_AFTER) {
        victim.kill('SIGKILL');
        killedAt = Date.now();
      }
    });
    const driveMs = Date.now() - started;
    assert.is(shapeOf.size, CALLS);

    const sees = (r: Rec, callId: string): boolean => {
      const shape = shapeOf.get(callId)!;
      if (r.name.startsWith('admin') || r.name.startsWith('supervisor')) return true;
      const ag = r.name.split(' ')[1]!;
      return shape === 'A' ? ag === a || ag === b : ag === c || ag === d;
    };
    // Wait until every watched client has the end of every call it should see.
    await waitFor(
      () =>
        watched.every((r) => {
          const ended = new Set(r.calls.filter((v) => v.state === 'ended').map((v) => v.callId));
          return [...shapeOf.keys()].every((id) => !sees(r, id) || ended.has(id));
        }),
      { what: 'every watched client to see every call end', timeoutMs: 60_000, intervalMs: 100 },
    ).catch((err: unknown) => {
      const missing = watched.map((r) => {
        const ended = new Set(r.calls.filter((v) => v.state === 'ended').map((v) => v.callId));
        return `${r.name}: ${[...shapeOf.keys()].filter((id) => sees(r, id) && !ended.has(id)).length} calls without end`;
      });
      // Which calls, what each node logged of them, and what the clients got (seq, state, agent).
      const ids = new Set(
        watched.flatMap((r) => {
          const ended = new Set(r.calls.filter((v) => v.state === 'ended').map((v) => v.callId));
          return [...shapeOf.keys()].filter((id) => sees(r, id) && !ended.has(id));
        }),
      );
      const detail = [...ids].map((id) =>
        [
          `call ${id} (${shapeOf.get(id)}), killed at ${killedAt}`,
          ...watched
            .filter((r) => sees(r, id))
            .map(
              (r) =>
                `  ${r.name}: ${JSON.stringify(
                  byCall(r.calls)
                    .get(id)
                    ?.map((v) => [v.seq, v.state]),
                )}`,
            ),
          ...nodes.map(
            (n) =>
              `  ${n.name}${n === victim ? ' (victim)' : ''}: ${JSON.stringify(n.lines.filter((l) => JSON.stringify(l).includes(id)).map((l) => [l.msg, l.time, l.republish]))}`,
          ),
        ].join('\n'),
      );
      throw new Error(`${String(err)}\n${missing.join('\n')}\n${detail.join('\n')}`);
    });

    // Expected sequence of states per (client kind, shape): the common one; every call must match it exactly.
    let messages = 0;
    let duplicates = 0;
    let losses = 0;
    let outOfOrder = 0;
    const problems: string[] = [];
    for (const r of watched) {
      const calls = byCall(r.calls);
      messages += r.calls.length;
      for (const [id, views] of calls) {
        if (!shapeOf.has(id)) problems.push(`${r.name} got an unknown call ${id}`);
        else if (!sees(r, id)) problems.push(`${r.name} got call ${id} it must not see`);
        const seqs = views.map((v) => v.seq);
        if (new Set(seqs).size !== seqs.length) duplicates++;
        for (let k = 1; k < seqs.length; k++) if (seqs[k]! <= seqs[k - 1]!) outOfOrder++;
      }
      for (const shape of ['A', 'B'] as const) {
        const ids = [...shapeOf].filter(([id, s]) => s === shape && sees(r, id)).map(([id]) => id);
        if (!ids.length) continue;
        const sigs = ids.map((id) => signature(calls.get(id) ?? []));
        const expected = mode(sigs)!;
        ids.forEach((id, k) => {
          if (sigs[k] === expected) return;
          const got = calls.get(id) ?? [];
          if (got.length > expected.split(',').length) duplicates++;
          else losses++;
          if (problems.length < 20) problems.push(`${r.name} ${shape} ${id}: got [${sigs[k]}] expected [${expected}]`);
        });
      }
      if (r.name.startsWith('agent')) {
        const ag = r.name.split(' ')[1];
        for (const v of r.calls) if (v.agent?.username !== ag) problems.push(`${r.name} got another agent's leg`);
      }
    }
    const takeovers = survivors.flatMap((n) => n.lines.filter((l) => l.msg === 'took over a call'));
    const firstTakeover = survivors
      .flatMap((n) => n.lines.filter((l) => l.msg === 'took over a call' || l.msg === 'upstream lease acquired'))
      .map((l) => Number(l.time))
      .filter((x) => x >= killedAt)
      .sort((x, y) => x - y)[0];
    // The lease of the dead holder is taken by the third node: two subscriptions again.
    await waitFor(() => survivors.every((n) => n.holdsUpstream()), {
      what: 'both survivors holding the upstream',
      timeoutMs: 15_000,
    });
    await waitFor(() => sim.stats().signals.connections === 2, {
      what: 'two upstream subscriptions again',
      timeoutMs: 15_000,
    });
    const newHolder = survivors.find((n) =>
      n.lines.some((l) => l.msg === 'upstream lease acquired' && Number(l.time) >= killedAt),
    );
    const leaseMs = newHolder
      ? Math.min(...newHolder.lines.filter((l) => l.msg === 'upstream lease acquired').map((l) => Number(l.time))) -
        killedAt
      : null;
    console.log(
      JSON.stringify({
        calls: CALLS,
        driveMs,
        watchedClients: watched.length,
        messages,
        duplicates,
        losses,
        outOfOrder,
        takenOverCalls: takeovers.length,
        republished: takeovers.reduce((s, l) => s + Number(l.republish ?? 0), 0),
        failoverMs: firstTakeover ? firstTakeover - killedAt : null,
        newUpstreamHolder: newHolder?.name ?? null,
        leaseTakenAfterMs: leaseMs,
      }),
    );
    if (problems.length) {
      const ids = new Set(problems.map((p) => /([a-z0-9]{20})/.exec(p)?.[1]).filter(Boolean));
      for (const id of ids) {
        console.log(
          id,
          JSON.stringify(
            watched[0] &&
              byCall(watched.find((r) => r.name.startsWith('admin'))!.calls)
                .get(id!)
                ?.map((v) => [v.seq, v.state]),
          ),
        );
        for (const n of nodes)
          console.log(
            ' ',
            n.name,
            n === victim ? '(victim)' : '',
            JSON.stringify(
              n.lines.filter((l) => JSON.stringify(l).includes(id!)).map((l) => [l.msg, l.time, l.republish]),
            ),
          );
      }
      for (const n of nodes)
        console.log(
          'LOG',
          n.name,
          JSON.stringify(
            n.lines
              .filter((l) => Number(l.level) >= 40 || /signal|subscri|lease|reconnect/i.test(String(l.msg)))
              .slice(0, 40)
              .map((l) => [l.msg, l.time, l.err ?? l.state ?? '']),
          ),
        );
      console.log(
        'killedAt',
        killedAt,
        'new holder lines',
        JSON.stringify(
          nodes.map((n) => n.lines.filter((l) => /lease/.test(String(l.msg))).map((l) => [n.name, l.msg, l.time])),
        ),
      );
    }
    assert.equal(problems, []);
    assert.is(duplicates, 0, 'no duplicates');
    assert.is(losses, 0, 'no losses');
    assert.is(outOfOrder, 0, 'seq strictly increasing per call');
    assert.is(idleClient.calls.length, 0, 'an agent in no call gets nothing');
    assert.is(otherSupervisor.calls.length, 0, 'a supervisor of another queue gets nothing');
    assert.ok(newHolder, 'the third node took the free upstream lease');
    // Dashboards: every supervisor/admin has one; a change is emitted once cluster-wide (no back-to-back copies).
    let dashboardCopies = 0;
    for (const r of watched.filter((x) => !x.name.startsWith('agent'))) {
      assert.ok(r.dashboards.length >= 1, `${r.name} got a dashboard`);
      const body = (d: (typeof r.dashboards)[number]) => JSON.stringify({ ...d, at: undefined });
      for (let k = 1; k < r.dashboards.length; k++)
        if (body(r.dashboards[k]!) === body(r.dashboards[k - 1]!)) dashboardCopies++;
    }
    console.log(
      JSON.stringify({
        dashboards: watched.filter((x) => !x.name.startsWith('agent')).map((x) => x.dashboards.length),
        dashboardCopies,
      }),
    );
    assert.is(dashboardCopies, 0, 'no dashboard emitted twice');
  },
);

t('a client disconnected for 2 s reconnects to another node and recovers what it missed', async ({ fx }) => {
  if (!fx) return;
  const { sim } = fx;
  const live = fx.nodes.filter((n) => !n.exited);
  assert.ok(live.length >= 2);
  const [n1, n2] = live as [(typeof live)[0], (typeof live)[0]];
  const queue = sim.data.queues[0]!;
  const qAgents = sim.data.agents.filter((ag) => queue.agents.includes(ag.userId)).map((ag) => ag.username);
  const customers = sim.data.customerNumbers({ withContact: true, multiple: false, legacy: false });
  const admin = await fx.client('admin (roaming)', n1, 'admin');
  const reference = await fx.client('admin (reference)', n2, 'admin');
  const drive = (k: number) =>
    sim.scenarios.inboundQueueCall({
      customer: customers[k % customers.length]!,
      queueId: queue.id,
      agents: [qAgents[0]!, qAgents[1]!],
      answeredBy: qAgents[0]!,
      ivrMs: 0,
      queueMs: 5,
      ringMs: 40,
      talkMs: 40,
    });
  const before = await drive(0);
  await waitFor(() => admin.calls.some((v) => v.callId === before.callId && v.state === 'ended'), {
    what: 'a first call',
  });
  const { pid, offset } = session(admin.socket);
  assert.ok(pid && offset, 'the server offered connection state recovery');
  // Transport drop (not a client-side disconnect: the server keeps the session).
  admin.socket.io.engine.close();
  const offlineSince = Date.now();
  const missed: string[] = [];
  await pool(30, 5, async (k) => {
    missed.push((await drive(k + 1)).callId);
  });
  await new Promise((r) => setTimeout(r, Math.max(0, 2000 - (Date.now() - offlineSince)))); // the 2 s outage itself
  const calls: CallView[] = [...admin.calls];
  // What a socket.io-client does when its reconnect lands on another node behind the load balancer.
  const resumed = io(n2.url, {
    auth: { token: admin.token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  Object.assign(resumed as unknown as Record<string, unknown>, { _pid: pid, _lastOffset: offset });
  resumed.on('call', (v: CallView) => calls.push(v));
  resumed.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      resumed.once('connect', () => resolve());
      resumed.once('connect_error', reject);
    });
    assert.ok(resumed.recovered, 'the session was recovered on the other node');
    await waitFor(() => missed.every((id) => calls.some((v) => v.callId === id && v.state === 'ended')), {
      what: 'the missed calls to arrive after recovery',
      timeoutMs: 15_000,
    });
    await waitFor(() => missed.every((id) => reference.calls.some((v) => v.callId === id && v.state === 'ended')), {
      what: 'reference',
    });
    const got = byCall(calls);
    const ref = byCall(reference.calls);
    let recovered = 0;
    for (const id of missed) {
      assert.is(
        signature(got.get(id)!),
        signature(ref.get(id)!),
        `call ${id}: same messages as a client that never left`,
      );
      assert.equal(
        got.get(id)!.map((v) => v.seq),
        ref.get(id)!.map((v) => v.seq),
      );
      recovered += got.get(id)!.length;
    }
    console.log(
      JSON.stringify({
        recoveryTest: {
          offlineMs: Date.now() - offlineSince,
          missedCalls: missed.length,
          recoveredMessages: recovered,
        },
      }),
    );
  } finally {
    resumed.disconnect();
  }
  for (const n of fx.nodes.filter((x) => !x.exited)) assert.is(await readyz(n.url), 200);
});

t.run();
