// Standard Webhooks through the outbox to a real receiver that verifies signatures with the `standardwebhooks`
// library and dedupes webhook-id: retried after 500s with the same id, 410 disables the endpoint, the filter sends
// one webhook per state change.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView } from '../../src/contract.js';
import { MemoryOutbox } from '../../src/outbox/memory.js';
import { WebhookEventFilter, webhookDeliveries } from '../../src/webhooks/events.js';
import { endpointId, WebhookConfigError, WebhookSender, webhookKeyOf } from '../../src/webhooks/sender.js';
import { captureLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

interface Receiver {
  url: string;
  /** Status per request number (1-based), default 200. */
  answer: (n: number) => number;
  requests: number;
  verified: { id: string; body: Record<string, unknown> }[];
  processed: Set<string>;
  badSignatures: number;
  close(): Promise<void>;
}

async function receiver(secret = SECRET): Promise<Receiver> {
  const wh = new Webhook(secret);
  const r = {
    requests: 0,
    verified: [],
    processed: new Set<string>(),
    badSignatures: 0,
    answer: () => 200,
  } as unknown as Receiver;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      r.requests++;
      const status = r.answer(r.requests);
      if (status !== 200) return void res.writeHead(status).end();
      try {
        const headers = Object.fromEntries(
          ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(req.headers[h])]),
        );
        const parsed = wh.verify(body, headers) as Record<string, unknown>;
        const id = headers['webhook-id'];
        if (!r.processed.has(id)) {
          r.processed.add(id);
          r.verified.push({ id, body: parsed });
        }
        res.writeHead(204).end();
      } catch {
        r.badSignatures++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?token=s3cr3t-in-url`;
  r.close = () =>
    new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return r;
}

const view = (seq: number, state: CallView['state']): CallView =>
  ({
    id: `call-1:${seq}`,
    callId: 'call-1',
    seq,
    org: 'acme',
    state,
    direction: 'inbound',
    from: { number: '0934890883' },
    to: { number: '02873019555' },
    contact: null,
    contactStatus: 'not_found',
    startedAt: '2025-01-01T00:00:00.000Z',
  }) as CallView;

const fast = { retryDelaysMs: [20], jitter: 0, pollMs: 20, attemptTimeoutMs: 1000 };

const t = suite<{ rx: Receiver; box: MemoryOutbox; sender: WebhookSender; log: ReturnType<typeof captureLogger> }>(
  'webhooks',
);
t.before.each(async (ctx) => {
  ctx.log = captureLogger();
  ctx.rx = await receiver();
  ctx.sender = new WebhookSender({ secret: SECRET, logger: ctx.log.logger, timeoutMs: 1000 });
  ctx.box = new MemoryOutbox({ logger: ctx.log.logger, ...fast });
  ctx.box.handle('webhook', ctx.sender.handler());
  await ctx.box.start();
});
t.after.each(async (ctx) => {
  await ctx.box.stop();
  ctx.sender.close();
  await ctx.rx.close();
});

t(
  'signed per Standard Webhooks, verified by the reference library; the body is { type, timestamp, data }',
  async (ctx) => {
    const at = new Date('2025-03-01T08:00:00.000Z');
    for (const d of webhookDeliveries('call.ringing', view(1, 'ringing'), [ctx.rx.url], at))
      await ctx.box.enqueue(d.key, 'webhook', d.payload);
    await waitFor(async () => ctx.rx.verified.length === 1 && (await ctx.box.stats()).delivered === 1, {
      what: 'verified delivery',
    });
    const [got] = ctx.rx.verified;
    assert.is(got.id, 'call-1:1');
    assert.equal(got.body, { type: 'call.ringing', timestamp: '2025-03-01T08:00:00.000Z', data: view(1, 'ringing') });
    assert.is(ctx.rx.badSignatures, 0);
    assert.is(ctx.sender.counters().delivered, 1);
    assert.ok(!ctx.log.text().includes('s3cr3t-in-url'), 'the URL (and its token) is never logged');
    assert.ok(!ctx.log.text().includes(SECRET.slice(6, 20)));
  },
);

t('a receiver with another secret refuses the signature', async (ctx) => {
  const other = await receiver(`whsec_${Buffer.from('another-secret-another-secret!!').toString('base64')}`);
  try {
    const r = await ctx.sender.send({ url: other.url, id: 'x:1', body: '{"a":1}' });
    assert.is(r.kind, 'retry', 'a 400 is retried like any non-410 answer');
    assert.is(other.badSignatures, 1);
  } finally {
    await other.close();
  }
});

t('retried after 500s with the same webhook-id; a deduping receiver processes it once', async (ctx) => {
  const ids: string[] = [];
  ctx.rx.answer = (n) => (n <= 2 ? 500 : 200);
  const seenIds = ctx.sender.headers.bind(ctx.sender);
  ctx.sender.headers = (id, body, at) => {
    ids.push(id);
    return seenIds(id, body, at);
  };
  for (const d of webhookDeliveries('call.ended', view(4, 'ended'), [ctx.rx.url])) {
    await ctx.box.enqueue(d.key, 'webhook', d.payload);
    await ctx.box.enqueue(d.key, 'webhook', d.payload); // a second upstream holder: same key, no second delivery
  }
  await waitFor(async () => (await ctx.box.stats()).delivered === 1, { what: 'delivered after two 500s' });
  assert.equal(ids, ['call-1:4', 'call-1:4', 'call-1:4']);
  assert.is(ctx.rx.requests, 3);
  assert.is(ctx.rx.verified.length, 1);
  assert.equal(ctx.sender.counters().failures, { 500: 2 });
  // The receiver getting the same delivery twice (a lost 2xx) processes it once.
  const again = webhookDeliveries('call.ended', view(4, 'ended'), [ctx.rx.url])[0];
  assert.is((await ctx.sender.send(again.payload)).kind, 'ok');
  assert.is(ctx.rx.verified.length, 1);
});

t('410 disables that endpoint until restart (logged, counted); other endpoints go on', async (ctx) => {
  const other = await receiver();
  try {
    ctx.rx.answer = () => 410;
    for (const seq of [1, 2]) {
      for (const d of webhookDeliveries(
        seq === 1 ? 'call.ringing' : 'call.answered',
        view(seq, seq === 1 ? 'ringing' : 'answered'),
        [ctx.rx.url, other.url],
      )) {
        await ctx.box.enqueue(d.key, 'webhook', d.payload);
      }
      await waitFor(async () => (await ctx.box.stats()).pending === 0, { what: `view ${seq} settled` });
    }
    await waitFor(
      async () => {
        const s = await ctx.box.stats();
        return s.failed === 2 && s.delivered === 2;
      },
      { what: 'two failed, two delivered' },
    );
    assert.is(ctx.rx.requests, 1, 'nothing more is sent to a 410 endpoint');
    assert.is(other.verified.length, 2);
    assert.ok(ctx.sender.isDisabled(ctx.rx.url));
    const c = ctx.sender.counters();
    assert.is(c.disabled, 1);
    assert.is(c.skipped, 1);
    assert.match(ctx.log.text(), /410 Gone: disabled until restart/);
    const s = await ctx.box.stats();
    assert.ok(s.failures.every((f) => f.lastError.includes(endpointId(ctx.rx.url)) && !f.lastError.includes('s3cr3t')));
  } finally {
    await other.close();
  }
});

t('timeouts and refused connections are retried', async (ctx) => {
  const slow = new WebhookSender({
    secret: SECRET,
    logger: ctx.log.logger,
    timeoutMs: 50,
    fetch: (_u, init) =>
      new Promise((_r, rej) => init.signal.addEventListener('abort', () => rej(new Error('aborted')))),
  });
  assert.equal(await slow.send({ url: ctx.rx.url, id: 'a:1', body: '{}' }), {
    kind: 'retry',
    error: `endpoint ${endpointId(ctx.rx.url)}: no answer within 50 ms`,
  });
  const r = await ctx.sender.send({ url: 'http://127.0.0.1:1/x', id: 'a:1', body: '{}' });
  assert.is(r.kind, 'retry');
  assert.match((r as { error: string }).error, /network error \(ECONNREFUSED\)/);
  assert.is(
    (
      await ctx.sender.handler()({
        key: 'k',
        target: 'webhook',
        payload: { url: 1 },
        attempt: 1,
        signal: new AbortController().signal,
      })
    ).kind,
    'give-up',
  );
});

t('the secret must be whsec_<base64>', () => {
  assert.throws(
    () => new WebhookSender({ secret: 'plain', logger: captureLogger().logger }),
    (e: unknown) => e instanceof WebhookConfigError,
  );
});

t('one webhook per state change of a call; later views of the same state are not sent; WEBHOOK_EVENTS filters', () => {
  const f = new WebhookEventFilter();
  assert.equal(
    [
      view(1, 'ringing'),
      view(2, 'ringing'),
      view(3, 'answered'),
      view(4, 'answered'),
      view(5, 'ended'),
      view(6, 'ended'),
    ].map((v) => f.eventFor(v)),
    ['call.ringing', undefined, 'call.answered', undefined, 'call.ended', undefined],
  );
  const ended = new WebhookEventFilter({ events: ['call.ended'] });
  assert.equal(
    [view(1, 'ringing'), view(2, 'ended')].map((v) => ended.eventFor(v)),
    [undefined, 'call.ended'],
  );
  assert.is(webhookKeyOf('call-1:5', 'https://a.example/x'), `webhook:call-1:5:${endpointId('https://a.example/x')}`);
});

t.run();
