// The outbox worker over the memory and the SQLite store (same semantics): idempotent enqueue, retries on a short
// schedule, give-up, maximum age, timeouts, concurrency, results and events, restart, stats, stop.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../src/log.js';
import { MemoryOutbox, MemoryStore } from '../../src/outbox/memory.js';
import { DeliveryOutbox, type OutboxWorkerOptions } from '../../src/outbox/outbox.js';
import { DEFAULT_RETRY_DELAYS_MS, nextDelayMs } from '../../src/outbox/schedule.js';
import { SqliteOutbox, SqliteStore } from '../../src/outbox/sqlite.js';
import { type DeliveryAttempt, giveUp, type Outbox, ok, retry, type SettledEvent } from '../../src/outbox/types.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const fast: Partial<OutboxWorkerOptions> = {
  retryDelaysMs: [20, 40],
  jitter: 0,
  pollMs: 20,
  attemptTimeoutMs: 500,
  stopGraceMs: 200,
};

type Make = (o?: Partial<OutboxWorkerOptions>) => Outbox;
const dirs: string[] = [];
const kinds: [string, Make][] = [
  ['memory', (o) => new MemoryOutbox({ logger, ...fast, ...o })],
  [
    'sqlite',
    (o) => {
      const dir = mkdtempSync(join(tmpdir(), 'outbox-core-'));
      dirs.push(dir);
      return new SqliteOutbox({ dataDir: dir, logger, ...fast, ...o });
    },
  ],
];

for (const [kind, make] of kinds) {
  const t = suite<{ box: Outbox; seen: DeliveryAttempt[] }>(`outbox (${kind})`);
  t.before.each((ctx) => {
    ctx.seen = [];
  });
  t.after.each(async (ctx) => {
    await ctx.box?.stop();
  });

  t('the same key twice: one delivery; enqueue answers true then false', async (ctx) => {
    ctx.box = make();
    ctx.box.handle('antcrm.ticket', async (a) => {
      ctx.seen.push(a);
      return ok({ TicketId: 7 });
    });
    await ctx.box.start();
    assert.is(await ctx.box.enqueue('ticket:c1', 'antcrm.ticket', { callId: 'c1' }), true);
    assert.is(await ctx.box.enqueue('ticket:c1', 'antcrm.ticket', { callId: 'other' }), false);
    await waitFor(async () => (await ctx.box.get('ticket:c1'))?.state === 'delivered', { what: 'delivered' });
    assert.is(
      await ctx.box.enqueue('ticket:c1', 'antcrm.ticket', { callId: 'c1' }),
      false,
      'still known once delivered',
    );
    await waitFor(async () => (await ctx.box.stats()).delivered === 1);
    assert.is(ctx.seen.length, 1);
    assert.equal(ctx.seen[0].payload, { callId: 'c1' });
    const rec = await ctx.box.get('ticket:c1');
    assert.equal(rec?.result, { TicketId: 7 });
    assert.equal(ctx.box.counters().duplicates, 2);
  });

  t('retries after failures on the schedule, then delivers; events for each attempt', async (ctx) => {
    ctx.box = make();
    const events: SettledEvent[] = [];
    ctx.box.onSettled((e) => events.push(e));
    ctx.box.handle('webhook', async (a) => {
      ctx.seen.push(a);
      return a.attempt < 3 ? retry(`HTTP 500`) : ok();
    });
    await ctx.box.start();
    await ctx.box.enqueue('webhook:v1:0', 'webhook', { n: 1 });
    await waitFor(() => events.some((e) => e.state === 'delivered'), { what: 'delivery after retries' });
    assert.equal(
      ctx.seen.map((a) => a.attempt),
      [1, 2, 3],
    );
    assert.equal(
      events.map((e) => e.state),
      ['pending', 'pending', 'delivered'],
    );
    assert.is(events[0].error, 'HTTP 500');
    const rec = await ctx.box.get('webhook:v1:0');
    assert.is(rec?.attempts, 3);
    const c = ctx.box.counters();
    assert.is(c.retried, 2);
    assert.is(c.delivered, 1);
    assert.is(c.attemptsByTarget.webhook, 3);
  });

  t('give-up: failed at once, listed in stats with its last error', async (ctx) => {
    ctx.box = make();
    ctx.box.handle('webhook', async (a) => {
      ctx.seen.push(a);
      return giveUp('HTTP 410: endpoint gone');
    });
    await ctx.box.start();
    await ctx.box.enqueue('webhook:v2:0', 'webhook', {});
    await waitFor(async () => (await ctx.box.stats()).failed === 1, { what: 'failed' });
    const s = await ctx.box.stats();
    assert.is(s.pending, 0);
    assert.is(s.failures.length, 1);
    assert.is(s.failures[0].key, 'webhook:v2:0');
    assert.is(s.failures[0].target, 'webhook');
    assert.is(s.failures[0].attempts, 1);
    assert.is(s.failures[0].lastError, 'HTTP 410: endpoint gone');
    assert.ok(!Number.isNaN(Date.parse(s.failures[0].since)));
    assert.is(ctx.seen.length, 1);
  });

  t('older than the maximum age: given up', async (ctx) => {
    ctx.box = make({ retryDelaysMs: [30], maxAgeMs: 100 });
    ctx.box.handle('antcrm.lead', async (a) => {
      ctx.seen.push(a);
      return retry('HTTP 503');
    });
    await ctx.box.start();
    await ctx.box.enqueue('lead:0934890883', 'antcrm.lead', {});
    await waitFor(async () => (await ctx.box.get('lead:0934890883'))?.state === 'failed', { what: 'given up' });
    const rec = await ctx.box.get('lead:0934890883');
    assert.match(rec?.lastError ?? '', /HTTP 503 \(given up after \d+ attempts\)/);
    assert.ok(ctx.seen.length >= 2 && ctx.seen.length <= 5, `${ctx.seen.length} attempts`);
  });

  t('a handler that throws or hangs is retried (timeout aborts its signal)', async (ctx) => {
    ctx.box = make({ attemptTimeoutMs: 80 });
    let aborted = false;
    ctx.box.handle('antcrm.wrapup', async (a) => {
      ctx.seen.push(a);
      if (a.attempt === 1) throw new Error('secret-ish message https://x/?token=abc');
      if (a.attempt === 2) {
        await new Promise<void>((r) => a.signal.addEventListener('abort', () => r()));
        aborted = a.signal.aborted;
        return ok();
      }
      return ok();
    });
    const events: SettledEvent[] = [];
    ctx.box.onSettled((e) => events.push(e));
    await ctx.box.start();
    await ctx.box.enqueue('wrapup:c9', 'antcrm.wrapup', {});
    await waitFor(() => events.some((e) => e.state === 'delivered'), { what: 'delivered on attempt 3' });
    assert.is(events[0].error, 'handler threw Error', 'the message is not kept');
    assert.is(events[1].error, 'timeout after 80 ms');
    assert.ok(aborted);
    assert.is(ctx.seen.length, 3);
  });

  t('concurrency: never more attempts in flight than configured', async (ctx) => {
    ctx.box = make({ concurrency: 2 });
    let now = 0;
    let max = 0;
    let done = 0;
    ctx.box.handle('webhook', async () => {
      now++;
      max = Math.max(max, now);
      await new Promise((r) => setTimeout(r, 15));
      now--;
      done++;
      return ok();
    });
    for (let i = 0; i < 8; i++) await ctx.box.enqueue(`k${i}`, 'webhook', i);
    await ctx.box.start();
    await waitFor(() => done === 8, { what: 'all delivered' });
    assert.is(max, 2);
  });

  t('no handler for a target: retried, not lost', async (ctx) => {
    ctx.box = make();
    await ctx.box.start();
    await ctx.box.enqueue('x:1', 'antcrm.lead', {});
    await waitFor(async () => ((await ctx.box.get('x:1'))?.attempts ?? 0) >= 2);
    ctx.box.handle('antcrm.lead', async () => ok());
    await waitFor(async () => (await ctx.box.get('x:1'))?.state === 'delivered');
    assert.is((await ctx.box.get('x:1'))?.lastError, 'no handler for antcrm.lead');
  });

  t('stats: pending count and oldest pending age; stop idempotent; enqueue after stop refused', async (ctx) => {
    ctx.box = make();
    await ctx.box.enqueue('p:1', 'webhook', {});
    await ctx.box.enqueue('p:2', 'webhook', {});
    const s = await ctx.box.stats();
    assert.equal(
      { pending: s.pending, delivered: s.delivered, failed: s.failed, failures: s.failures },
      { pending: 2, delivered: 0, failed: 0, failures: [] },
    );
    assert.ok(s.oldestPendingSec >= 0 && s.oldestPendingSec < 5);
    await Promise.all([ctx.box.stop(), ctx.box.stop()]);
    await ctx.box.stop();
    try {
      await ctx.box.enqueue('p:3', 'webhook', {});
      assert.unreachable('enqueue after stop');
    } catch (err) {
      assert.is((err as Error).name, 'OutboxStateError');
    }
  });

  t('stop during an attempt: aborted after the grace, kept pending (tried again at the next start)', async (ctx) => {
    ctx.box = make({ stopGraceMs: 30 });
    let started = false;
    ctx.box.handle('webhook', (a) => {
      started = true;
      return new Promise((r) => a.signal.addEventListener('abort', () => r(ok())));
    });
    await ctx.box.start();
    await ctx.box.enqueue('s:1', 'webhook', {});
    await waitFor(() => started);
    const t0 = Date.now();
    await ctx.box.stop();
    assert.ok(Date.now() - t0 < 1000);
  });

  t.run();
}

const r = suite('restart and schedule');

r('after a restart, a pending delivery with a long delay is tried at once (SQLite file reopened)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-restart-'));
  dirs.push(dir);
  const first = new SqliteOutbox({ dataDir: dir, logger, ...fast, retryDelaysMs: [3_600_000] });
  let attempts = 0;
  first.handle('webhook', async () => {
    attempts++;
    return retry('HTTP 500');
  });
  await first.start();
  await first.enqueue('r:1', 'webhook', { a: 1 });
  await waitFor(async () => (await first.get('r:1'))?.lastError === 'HTTP 500');
  await first.stop();
  const second = new SqliteOutbox({ dataDir: dir, logger, ...fast });
  const seen: unknown[] = [];
  second.handle('webhook', async (a) => {
    seen.push(a.payload);
    return ok();
  });
  assert.is(await second.enqueue('r:1', 'webhook', { a: 2 }), false, 'the key is still known after a restart');
  const t0 = Date.now();
  await second.start();
  await waitFor(async () => (await second.get('r:1'))?.state === 'delivered', { timeoutMs: 3000 });
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(seen, [{ a: 1 }]);
  assert.is((await second.get('r:1'))?.attempts, 2);
  await second.stop();
  assert.is(attempts, 1);
});

r('a claim whose lease was taken over cannot settle (memory and SQLite stores)', async () => {
  for (const store of [new MemoryStore(), new SqliteStore(':memory:')]) {
    await store.insert('k', 'webhook', '{}');
    const [a] = (await store.claim(1, 1, 'A')).claimed;
    await new Promise((res) => setTimeout(res, 5)); // the 1 ms lease has ended
    const [b] = (await store.claim(1, 1000, 'B')).claimed;
    assert.is(b.attempt, 2);
    assert.is(await store.settle(a, { state: 'delivered' }), false);
    assert.is(await store.settle(b, { state: 'delivered' }), true);
    assert.is((await store.get('k'))?.state, 'delivered');
    await store.close();
  }
});

r('the §7.2 schedule: 1 s, 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then hourly, ±20 %; the maximum age', () => {
  const s = { delaysMs: DEFAULT_RETRY_DELAYS_MS, jitter: 0.2, maxAgeMs: 24 * 3_600_000, random: () => 0.5 };
  assert.equal(
    [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => nextDelayMs(s, n, 0)),
    [1000, 5000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 3_600_000, 3_600_000],
  );
  assert.is(nextDelayMs({ ...s, random: () => 0 }, 1, 0), 800);
  assert.is(nextDelayMs({ ...s, random: () => 0.999999 }, 2, 0), 6000);
  assert.is(nextDelayMs(s, 9, 23.5 * 3_600_000), undefined, 'the next attempt would be after the maximum age');
  assert.is(nextDelayMs(s, 1, 0), 1000);
});

r('DeliveryOutbox is the shared worker', () => {
  assert.ok(new MemoryOutbox({ logger }) instanceof DeliveryOutbox);
});

r.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

r.run();
