// A removed tenant (contract §8.2): its upstream stops and its sockets are ended at once, but its pending outbox
// deliveries stay and are delivered (here: a webhook endpoint that was down comes back after the removal).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { entryOf, type SimTenant, startSims, startTenantsBridge, type TenantsHarness } from './tenants-fixture.js';
import { FAST_WORKER } from './writeback-fixture.js';

const test = suite('tenants: a removed tenant still delivers what is pending');
const WHSEC = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;

test('removed while its webhook endpoint is down: the delivery is made once it is back', async () => {
  let up = false;
  const received: { type: string; callId: string; status: number }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const e = JSON.parse(body) as { type: string; data: { callId: string } };
      const status = up ? 200 : 503;
      received.push({ type: e.type, callId: e.data.callId, status });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  let sims: SimTenant[] = [];
  let h: TenantsHarness | undefined;
  try {
    sims = await startSims(2);
    const withHooks = (env: Record<string, string>) => ({
      ...entryOf(sims[1], env),
      webhooks: { urls: [hookUrl], secret: WHSEC, events: ['call.ended'] },
    });
    h = await startTenantsBridge((env) => [entryOf(sims[0], env), withHooks(env)], {
      writeback: { worker: FAST_WORKER },
    });
    const hh = h;
    const ready = async () =>
      ((await (await fetch(`${hh.url}/readyz`)).json()) as { tenants: { state: string }[] }).tenants.every(
        (t) => t.state === 'up',
      );
    await waitFor(ready, { what: 'both tenants up', timeoutMs: 15_000 });
    const sim = sims[1].sim;
    const queue = sim.data.queues[0];
    const { callId } = await sim.scenarios.inboundQueueCall({
      customer: sim.data.customerNumbers({})[0],
      queueId: queue.id,
      agents: ['lan.nguyen'],
      answeredBy: 'lan.nguyen',
      ringMs: 50,
      talkMs: 50,
    });
    await waitFor(() => received.some((r) => r.callId === callId && r.status === 503), {
      what: 'a refused attempt',
      timeoutMs: 10_000,
    });
    // B removed: only A stays.
    h.writeTenants([entryOf(sims[0], h.env)]);
    const r = await h.post('/api/tenants/reload', h.operatorToken());
    assert.equal(r.body, { added: [], removed: [sims[1].org], changed: [], unchanged: 1 });
    up = true;
    await waitFor(() => received.some((x) => x.callId === callId && x.status === 200), {
      what: 'the pending webhook delivered after the removal',
      timeoutMs: 10_000,
    });
    assert.equal(
      received.filter((x) => x.status === 200).map((x) => [x.type, x.callId]),
      [['call.ended', callId]],
      'delivered once',
    );
  } finally {
    await h?.close();
    await Promise.all(sims.map((s) => s.sim.close()));
    await new Promise((r) => receiver.close(r));
  }
});

test.run();
