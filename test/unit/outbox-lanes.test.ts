// Issue 15 item 5: one target's trouble holds nothing else. A webhook endpoint that accepts and never answers (its
// attempts end only at the attempt timeout) has many deliveries queued ahead of everything else; AntCRM tickets and
// another endpoint's webhooks enqueued after them are delivered before the hung endpoint's first timeout, and the
// hung endpoint never has more than its per-target limit in flight; a target back after refusals sends what waits
// for a retry there at once. Memory and SQLite stores (Redis:
// test/integration/outbox-redis.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../src/log.js';
import { laneOf, ticketKey, webhookKey } from '../../src/outbox/keys.js';
import { MemoryOutbox } from '../../src/outbox/memory.js';
import type { OutboxWorkerOptions } from '../../src/outbox/outbox.js';
import { SqliteOutbox } from '../../src/outbox/sqlite.js';
import { type DeliveryHandler, type Outbox, ok, retry } from '../../src/outbox/types.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const TIMEOUT_MS = 1500;
const opts: Partial<OutboxWorkerOptions> = {
  retryDelaysMs: [50],
  jitter: 0,
  pollMs: 20,
  attemptTimeoutMs: TIMEOUT_MS,
  stopGraceMs: 50,
  concurrency: 4,
  perTargetConcurrency: 2,
};
const dirs: string[] = [];
const kinds: [string, (o?: Partial<OutboxWorkerOptions>) => Outbox][] = [
  ['memory', (o) => new MemoryOutbox({ logger, ...opts, ...o })],
  [
    'sqlite',
    (o) => {
      const dir = mkdtempSync(join(tmpdir(), 'outbox-lanes-'));
      dirs.push(dir);
      return new SqliteOutbox({ dataDir: dir, logger, ...opts, ...o });
    },
  ],
];

/** A handler of endpoints: `hung` never answers (until aborted), every other endpoint answers at once. */
function endpoints(hung: string, inFlight: Map<string, number>, maxInFlight: Map<string, number>): DeliveryHandler {
  return async (a) => {
    const ep = (a.payload as { ep: string }).ep;
    inFlight.set(ep, (inFlight.get(ep) ?? 0) + 1);
    maxInFlight.set(ep, Math.max(maxInFlight.get(ep) ?? 0, inFlight.get(ep) ?? 0));
    try {
      if (ep !== hung) return ok();
      return await new Promise((resolve) =>
        a.signal.addEventListener('abort', () => resolve(retry('aborted')), { once: true }),
      );
    } finally {
      inFlight.set(ep, (inFlight.get(ep) ?? 1) - 1);
    }
  };
}

for (const [kind, make] of kinds) {
  const t = suite<{ box?: Outbox }>(`outbox lanes (${kind})`);
  t.after.each(async (ctx) => {
    await ctx.box?.stop();
  });

  t('a hung endpoint delays neither AntCRM tickets nor another endpoint’s webhooks', async (ctx) => {
    const box = make();
    ctx.box = box;
    const inFlight = new Map<string, number>();
    const maxInFlight = new Map<string, number>();
    box.handle('webhook', endpoints('aaaaaaaaaaaa', inFlight, maxInFlight));
    box.handle('antcrm.ticket', async () => ok({ ticketId: '1' }));
    for (let i = 0; i < 30; i++)
      await box.enqueue(webhookKey(`c${i}:1`, 'aaaaaaaaaaaa'), 'webhook', { ep: 'aaaaaaaaaaaa' });
    for (let i = 0; i < 5; i++) {
      await box.enqueue(ticketKey(`t${i}`), 'antcrm.ticket', { title: 't' });
      await box.enqueue(webhookKey(`c${i}:1`, 'bbbbbbbbbbbb'), 'webhook', { ep: 'bbbbbbbbbbbb' });
    }
    const started = Date.now();
    await box.start();
    await waitFor(async () => (await box.stats()).delivered === 10, {
      what: 'the 5 tickets and the 5 webhooks of the healthy endpoint',
      timeoutMs: 20_000,
    });
    const took = Date.now() - started;
    assert.ok(took < TIMEOUT_MS, `delivered in ${took} ms, before the hung endpoint's first timeout (${TIMEOUT_MS})`);
    assert.is(box.counters().retried, 0, 'no hung attempt has timed out yet');
    assert.ok((maxInFlight.get('aaaaaaaaaaaa') ?? 0) <= 2, 'the hung endpoint holds at most its per-target limit');
    // Its deliveries are retried on their schedule (attempt 2 comes after the first ones time out).
    await waitFor(() => box.counters().retried >= 2, { what: 'the hung attempts retried', timeoutMs: 10_000 });
  });

  t('a target back after refusals: its retries waiting deep in the schedule go at once (item 4)', async (ctx) => {
    const box = make({ retryDelaysMs: [50, 60_000] });
    ctx.box = box;
    let down = true;
    const written: string[] = [];
    const crm: DeliveryHandler = async (a) => {
      if (down) return retry('HTTP 500');
      written.push(a.key);
      return ok();
    };
    box.handle('antcrm.lead', crm);
    box.handle('antcrm.ticket', crm);
    await box.start();
    await box.enqueue('lead:0977000111', 'antcrm.lead', { n: 1 });
    await waitFor(async () => (await box.get('lead:0977000111'))?.attempts === 2, { what: 'two refusals' });
    // Its next attempt is a minute away. AntCRM comes back; a fresh ticket is written…
    down = false;
    const back = Date.now();
    await box.enqueue(ticketKey('c-fresh'), 'antcrm.ticket', { title: 't' });
    // …and the lead goes with it, not a minute later.
    await waitFor(() => written.includes('lead:0977000111'), { what: 'the lead written', timeoutMs: 10_000 });
    assert.ok(Date.now() - back < 5_000, `written ${Date.now() - back} ms after AntCRM was back`);
  });

  t.after(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  t.run();
}

const l = suite('lanes');
l('each webhook endpoint is a lane, AntCRM targets share one, any other target is its own', () => {
  assert.is(laneOf('webhook', webhookKey('call-1:3', '0123456789ab')), 'webhook:0123456789ab');
  assert.is(laneOf('antcrm.ticket', ticketKey('c')), 'antcrm');
  assert.is(laneOf('antcrm.wrapup', 'wrapup:c:2'), 'antcrm');
  assert.is(laneOf('antbot.note', 'x'), 'antbot.note');
});
l.run();
