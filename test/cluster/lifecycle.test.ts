// Redis restarted during traffic (nodes report not ready, then recover; no process exits) and SIGTERM
// (readyz 503 before the listener closes; exit 0 within the bound).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { type ClusterFixture, signature, startCluster } from './fixture.js';
import { pool, readyz } from './helpers.js';

const t = suite<{ fx?: ClusterFixture }>('cluster: Redis restart and SIGTERM');
t.before(async (ctx) => {
  ctx.fx = await startCluster(3);
});
t.after(async (ctx) => {
  await ctx.fx?.close();
});

t('Redis restarted during traffic: every node reports not ready, then recovers without a restart', async ({ fx }) => {
  if (!fx) return;
  if (!fx.redis.owned) {
    console.error('!!!!!!!! REDIS_URL points at a shared Redis: the restart test cannot restart it — SKIPPED !!!!!!!!');
    return;
  }
  const { sim, nodes } = fx;
  const queue = sim.data.queues[0]!;
  const qAgents = sim.data.agents.filter((ag) => queue.agents.includes(ag.userId)).map((ag) => ag.username);
  const customers = sim.data.customerNumbers({ withContact: true, multiple: false, legacy: false });
  const admins = await Promise.all(nodes.map((n, i) => fx.client(`admin @${i}`, n, 'admin')));
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
  let stop = false;
  const traffic = (async () => {
    for (let k = 0; !stop; k++) await drive(k);
  })();
  try {
    await waitFor(() => admins.every((a) => a.calls.some((v) => v.state === 'ended')), { what: 'traffic flowing' });
    await fx.redis.stop();
    const downAt = Date.now();
    await waitFor(async () => (await Promise.all(nodes.map((n) => readyz(n.url)))).every((s) => s === 503), {
      what: 'every node not ready',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    const notReadyMs = Date.now() - downAt;
    // Calls while Redis is down: the holders keep their subscriptions and engines; the updates wait in the gate.
    const during: string[] = [];
    await pool(10, 5, async (k) => {
      during.push((await drive(500 + k)).callId);
    });
    // Down longer than the lease TTL (3 s): nobody can take a lease without Redis, so the holders keep theirs.
    await waitFor(() => Date.now() - downAt > 4000, {
      what: 'an outage longer than the lease TTL',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    assert.is(nodes.filter((n) => n.holdsUpstream()).length, 2, 'the holders kept the upstream');
    assert.is(sim.stats().signals.connections, 2, 'AntRing still sees two subscriptions');
    assert.ok(
      nodes.every((n) => !n.exited),
      'no process exited while Redis was down',
    );
    for (const a of admins)
      assert.not.ok(
        a.calls.some((v) => during.includes(v.callId)),
        'nothing published without Redis',
      );
    const downMs = Date.now() - downAt;
    await fx.redis.start();
    const upAt = Date.now();
    await waitFor(async () => (await Promise.all(nodes.map((n) => readyz(n.url)))).every((s) => s === 200), {
      what: 'every node ready again',
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const readyMs = Date.now() - upAt;
    // Traffic after the restart reaches every client again.
    const after: string[] = [];
    await pool(20, 5, async (k) => {
      after.push((await drive(1000 + k)).callId);
    });
    after.push(...during);
    await waitFor(
      () => admins.every((a) => after.every((id) => a.calls.some((v) => v.callId === id && v.state === 'ended'))),
      {
        what: 'calls after the restart to reach every client',
        timeoutMs: 20_000,
      },
    ).catch((err: unknown) => {
      const miss = admins.map(
        (a) =>
          `${a.name} (${a.node.name}): missing ${after.filter((id) => !a.calls.some((v) => v.callId === id && v.state === 'ended')).length}`,
      );
      const logs = nodes.map(
        (n) =>
          `${n.name}: ${n.lines
            .filter((l) => Number(l.level) >= 40 || /redis|lease|took/.test(String(l.msg)))
            .slice(-15)
            .map((l) => `${l.msg} ${l.err ?? ''}`)
            .join(' | ')}`,
      );
      throw new Error(`${String(err)}\n${miss.join('\n')}\n${logs.join('\n')}`);
    });
    for (const a of admins) {
      const sigs = after.map((id) => signature(a.calls.filter((v) => v.callId === id)));
      assert.equal(
        sigs,
        sigs.map(() => sigs[sigs.length - 1]),
        `${a.name}: every call during and after the outage complete, once`,
      );
      for (const id of after) {
        const seqs = a.calls.filter((v) => v.callId === id).map((v) => v.seq);
        if (process.env.DEBUG_CLUSTER && seqs.join() !== [...seqs].sort((x, y) => x - y).join())
          console.log(a.name, id, JSON.stringify(a.calls.filter((v) => v.callId === id).map((v) => [v.seq, v.state])));
        assert.equal(
          seqs,
          [...seqs].sort((x, y) => x - y),
          'in seq order',
        );
        assert.is(new Set(seqs).size, seqs.length, 'no duplicate');
      }
    }
    assert.ok(
      nodes.every((n) => !n.exited),
      'no process exited',
    );
    await waitFor(() => nodes.filter((n) => n.holdsUpstream()).length === 2, {
      what: 'two upstream holders again',
      timeoutMs: 15_000,
    });
    assert.is(sim.stats().signals.connections, 2, 'two upstream subscriptions again');
    console.log(
      JSON.stringify({
        redisRestart: {
          notReadyAfterMs: notReadyMs,
          redisDownMs: downMs,
          readyAgainAfterMs: readyMs,
          callsDuringOutage: during.length,
          callsAfter: after.length - during.length,
        },
      }),
    );
  } finally {
    stop = true;
    await traffic;
  }
});

t('SIGTERM: readyz 503 before the listener closes, exit 0 within the bound', async ({ fx }) => {
  if (!fx) return;
  const node = fx.nodes.find((n) => !n.exited)!;
  const seen: (number | 'refused')[] = [];
  const sentAt = Date.now();
  node.kill('SIGTERM');
  for (;;) {
    const s = await readyz(node.url);
    if (seen[seen.length - 1] !== s) seen.push(s);
    if (s === 'refused' || node.exited) break;
    assert.ok(Date.now() - sentAt < 10_000, 'the listener closes within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  const { code, signal } = await node.exit;
  const exitMs = Date.now() - sentAt;
  console.log(JSON.stringify({ sigterm: { readyzSequence: seen, exitMs } }));
  assert.is(signal, null);
  assert.is(code, 0);
  assert.ok(exitMs < 8000, `exited within the bound (${exitMs} ms)`);
  assert.ok(seen.includes(503), 'readyz reported 503 while the listener was still open');
  assert.is(seen[seen.length - 1], 'refused');
  assert.not.ok(seen.slice(seen.indexOf(503)).includes(200), 'never ready again after 503');
});

t.run();
