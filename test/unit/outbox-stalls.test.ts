// Issue 15 item 7: a delivery that kills the process is not retried forever. A claim that never settles (the process
// died in the attempt) is a stall, counted when the delivery is claimed again (at the next start, or when its lease
// ends); after 3 stalls (BullMQ's maxStalledJobCount model) it is given up as `failed` with the reason, listed by
// stats() (GET /api/outbox), and its handler is not run again. A graceful stop is no stall.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '../../src/log.js';
import { MemoryStore } from '../../src/outbox/memory.js';
import { DeliveryOutbox } from '../../src/outbox/outbox.js';
import { SqliteStore } from '../../src/outbox/sqlite.js';
import type { OutboxStore } from '../../src/outbox/store.js';
import { ok } from '../../src/outbox/types.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const fast = { retryDelaysMs: [20], jitter: 0, pollMs: 20, attemptTimeoutMs: 500, stopGraceMs: 50 };
const dirs: string[] = [];

/** "Process lifetimes" over one store: memory keeps its one store, SQLite reopens its file each time. */
const kinds: [string, () => () => OutboxStore][] = [
  [
    'memory',
    () => {
      const store = new MemoryStore();
      return () => store;
    },
  ],
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'outbox-stalls-'));
      dirs.push(dir);
      return () => new SqliteStore(join(dir, 'outbox.sqlite'));
    },
  ],
];

for (const [kind, lifetimes] of kinds) {
  const t = suite(`outbox stalls (${kind})`);
  t.after(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  t('three claims that died in their attempt: given up as failed with the reason; the handler is not run', async () => {
    const open = lifetimes();
    // Three lives that each claim the delivery and die in the attempt (no settle, the file closed as by a crash).
    for (let life = 0; life < 3; life++) {
      const store = open();
      if (life === 0) await store.insert('ticket:crash', 'antcrm.ticket', '{"title":"x"}');
      await store.makeAllDue();
      const { claimed } = await store.claim(10, 30_000, `dead.${life}`);
      assert.is(claimed.length, 1, `life ${life} claims it`);
      assert.is(claimed[0].stalls, life, `stalls seen by life ${life}`);
      if (kind === 'sqlite') await store.close();
    }
    const box = new DeliveryOutbox(open(), { logger, ...fast });
    let ran = 0;
    box.handle('antcrm.ticket', async () => {
      ran++;
      return ok();
    });
    await box.start();
    try {
      await waitFor(async () => (await box.get('ticket:crash'))?.state === 'failed', { what: 'given up' });
      assert.is(ran, 0, 'not attempted a fourth time');
      const stats = await box.stats();
      assert.is(stats.failures.length, 1);
      assert.is(stats.failures[0].key, 'ticket:crash');
      assert.match(stats.failures[0].lastError, /stalled 3 times/);
    } finally {
      await box.stop();
    }
  });

  t('a graceful stop during an attempt is no stall: the next start delivers it', async () => {
    const open = lifetimes();
    const first = new DeliveryOutbox(open(), { logger, ...fast });
    let started = false;
    first.handle('antcrm.ticket', (a) => {
      started = true;
      return new Promise((resolve) => a.signal.addEventListener('abort', () => resolve(ok()), { once: true }));
    });
    await first.start();
    await first.enqueue('ticket:slow', 'antcrm.ticket', { title: 'x' });
    await waitFor(() => started, { what: 'the attempt started' });
    await first.stop();
    for (let life = 0; life < 3; life++) {
      const box = new DeliveryOutbox(open(), { logger, ...fast });
      let done = false;
      box.handle('antcrm.ticket', async (a) => {
        if (life < 2) {
          return new Promise((resolve) => a.signal.addEventListener('abort', () => resolve(ok()), { once: true }));
        }
        done = true;
        return ok();
      });
      await box.start();
      if (life < 2) {
        await waitFor(async () => (await box.counters()).attempts === 1, { what: `life ${life} attempts` });
        await box.stop();
        continue;
      }
      await waitFor(() => done, { what: 'delivered after graceful stops' });
      await waitFor(async () => (await box.get('ticket:slow'))?.state === 'delivered', { what: 'delivered' });
      await box.stop();
    }
  });
  t.run();
}
