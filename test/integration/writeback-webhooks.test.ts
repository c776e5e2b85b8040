// Standard Webhooks from the outbox against the simulator's receiver (which verifies with the `standardwebhooks`
// library and processes each webhook-id once): one per state change of the admin view, `webhook-id` = the view id,
// body { type, timestamp, data }, retried after 500s with the same id, a lost answer never processed twice, 410 stops
// the endpoint (counted in /metrics). A slow, failing endpoint never delays a pop.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { queueAgents, startWritebackStack, type WritebackStack } from './writeback-fixture.js';

const t = suite<{ s: WritebackStack }>('webhooks');
t.before(async (ctx) => {
  ctx.s = await startWritebackStack();
});
t.after(async (ctx) => ctx.s?.close());

t(
  'one verified webhook per state change, retried after 500s with the same webhook-id, each processed once',
  async ({ s }) => {
    const { sim } = s;
    const admin = await s.client('admin');
    const { queueId, agents } = queueAgents(sim);
    sim.faults.webhooks.failNext = 4;
    const customer = sim.data.customerNumbers({ withContact: true })[3];
    const { callId } = await sim.scenarios.inboundQueueCall({
      customer,
      queueId,
      agents: [agents[0]],
      answeredBy: agents[0],
      ringMs: 100,
      talkMs: 100,
    });
    const got = await waitFor(
      () => {
        const d = sim.webhooks.deliveries().filter((x) => x.callId === callId);
        return d.length >= 3 ? d : undefined;
      },
      { what: 'three webhooks of the call', timeoutMs: 10_000 },
    );
    assert.equal(got.map((d) => d.type).sort(), ['call.answered', 'call.ended', 'call.ringing']);
    assert.ok(sim.webhooks.stats().failed >= 4, 'the 500s were answered');
    // webhook-id = the admin view's id; data = that view.
    for (const d of got) {
      const view = admin.calls.find((v) => v.id === d.id);
      assert.ok(view, `the admin saw view ${d.id}`);
      assert.is(d.data.state, view.state);
      assert.is(d.data.seq, view.seq);
      assert.match(d.signature, /^v1,[A-Za-z0-9+/=]+$/);
    }
    assert.is(new Set(got.map((d) => d.id)).size, got.length, 'never the same webhook-id processed twice');
    const outbox = await s.api('admin', '/api/outbox');
    assert.ok((outbox.body as { delivered: number }).delivered >= 3);
  },
);

t('an answer lost after processing: the retry has the same id and the receiver dedupes it', async () => {
  // A receiver of our own: processes, then drops the first connection without an answer.
  // The other stack's simulator makes the secret the bridge signs with (WEBHOOK_SECRET = its receiver's).
  let wh: Webhook | undefined;
  const seen = new Map<string, number>();
  let dropped = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(req.headers[h] ?? '')]),
      );
      try {
        if (!wh) throw new Error('not ready');
        wh.verify(body, headers);
      } catch {
        return void res.writeHead(401).end();
      }
      const id = headers['webhook-id'];
      seen.set(id, (seen.get(id) ?? 0) + 1);
      if (dropped === 0) {
        dropped++;
        return void req.socket.destroy();
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const other = await startWritebackStack({
    env: { WEBHOOK_URLS: url, WEBHOOK_EVENTS: 'call.ended', ANTCRM_WRITEBACK: '' },
  });
  wh = new Webhook(other.sim.webhooks.secret);
  try {
    const { queueId, agents } = queueAgents(other.sim);
    const customer = other.sim.data.customerNumbers({ withContact: true })[0];
    const { callId } = await other.sim.scenarios.inboundQueueCall({
      customer,
      queueId,
      agents: [agents[0]],
      answeredBy: agents[0],
      ringMs: 50,
      talkMs: 50,
    });
    const id = await waitFor(() => [...seen.entries()].find(([k, n]) => k.startsWith(`${callId}:`) && n >= 2)?.[0], {
      what: 'the retried webhook',
    });
    assert.is(seen.get(id), 2, 'sent again with the same webhook-id (a deduping receiver processes it once)');
    assert.is([...seen.keys()].filter((k) => k.startsWith(`${callId}:`)).length, 1, 'only call.ended (WEBHOOK_EVENTS)');
    await waitFor(async () => ((await other.api('admin', '/api/outbox')).body as { pending: number }).pending === 0, {
      what: 'nothing pending',
    });
  } finally {
    await other.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

t('410 disables the endpoint (counted); a failing endpoint never delays the pop', async ({ s }) => {
  const { sim } = s;
  const { queueId, agents } = queueAgents(sim);
  sim.faults.webhooks.status = 410;
  const agent = await s.client('agent', { agent: agents[1] });
  const customer = sim.data.customerNumbers({ withContact: true })[4];
  const before = sim.webhooks.stats().total;
  const started = Date.now();
  const run = sim.scenarios.inboundQueueCall({
    customer,
    queueId,
    agents: [agents[1]],
    answeredBy: agents[1],
    ringMs: 300,
    talkMs: 100,
  });
  await agent.waitCall((v) => v.state === 'ringing' && v.from.number === customer);
  assert.ok(Date.now() - started < 2000, 'the pop came at once');
  const { callId } = await run;
  await agent.waitCall((v) => v.callId === callId && v.state === 'ended');
  await waitFor(
    async () => /antring_bridge_webhook_endpoints_disabled 1/.test(await (await fetch(`${s.url}/metrics`)).text()),
    { what: 'the disabled endpoint counted' },
  );
  const failures = ((await s.api('admin', '/api/outbox')).body as { failures: { target: string; lastError: string }[] })
    .failures;
  assert.ok(
    failures.some((f) => f.target === 'webhook' && /410/.test(f.lastError)),
    JSON.stringify(failures),
  );
  assert.not.match(JSON.stringify(failures), sim.webhooks.url, 'no URL in the failures');
  assert.ok(sim.webhooks.stats().total - before <= 2, 'nothing more sent to the disabled endpoint');
  sim.faults.webhooks.status = null;
});

t.run();
