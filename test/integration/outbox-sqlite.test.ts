// SQLite durability: a process accepts deliveries (the endpoint refusing them, or accepting some), is SIGKILLed;
// a new process on the same DATA_DIR delivers every one, each exactly once.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { type CountingReceiver, countingReceiver, type OutboxChild, outboxChild } from './outbox-fixture.js';

const N = 30;
const t = suite<{ dir: string; rx: CountingReceiver; children: OutboxChild[] }>('outbox: SQLite survives SIGKILL');
t.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'outbox-sqlite-'));
  ctx.rx = await countingReceiver();
  ctx.children = [];
});
t.after.each(async (ctx) => {
  for (const c of ctx.children) await c.kill();
  await ctx.rx.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

t(
  'accepted while the endpoint fails, SIGKILLed, restarted on the same DATA_DIR: all delivered, each once',
  async (ctx) => {
    // Even keys are accepted by the first process, odd ones refused (500) until it is killed.
    ctx.rx.status = (key) => (Number(key.slice(1)) % 2 === 0 ? 200 : 500);
    const first = outboxChild(['sqlite', ctx.dir, ctx.rx.url, String(N)]);
    ctx.children.push(first);
    await waitFor(
      () => {
        const settled = first.lines.filter((l) => l.endsWith(' delivered')).length;
        const retried = new Set(first.lines.filter((l) => l.endsWith(' pending')).map((l) => l.split(' ')[1])).size;
        return settled === N / 2 && retried === N / 2;
      },
      { timeoutMs: 20_000, what: 'the first process to deliver the even keys and fail the odd ones' },
    );
    await first.kill();
    assert.is(first.proc.signalCode, 'SIGKILL');
    assert.is(ctx.rx.accepted.size, N / 2);

    ctx.rx.status = () => 200;
    const second = outboxChild(['sqlite', ctx.dir, ctx.rx.url, '0']);
    ctx.children.push(second);
    await waitFor(() => ctx.rx.accepted.size === N, { timeoutMs: 20_000, what: 'every key delivered' });
    // The second process settles exactly the odd keys (the even ones were recorded as delivered before the kill).
    await waitFor(() => second.lines.filter((l) => l.endsWith(' delivered')).length === N / 2, {
      what: 'odd keys settled by the second',
    });
    for (let i = 0; i < N; i++) assert.is(ctx.rx.accepted.get(`k${i}`), 1, `k${i} delivered once`);
    assert.is(ctx.rx.byPid.get(second.proc.pid!), N / 2);
  },
);

t('enqueued, SIGKILLed right after (nothing tried yet): the next process delivers everything once', async (ctx) => {
  ctx.rx.status = () => 503;
  const first = outboxChild(['sqlite', ctx.dir, ctx.rx.url, String(N)]);
  ctx.children.push(first);
  await waitFor(() => first.lines.includes('enqueued'), { timeoutMs: 20_000, what: 'enqueued' });
  await first.kill();
  ctx.rx.status = () => 200;
  const second = outboxChild(['sqlite', ctx.dir, ctx.rx.url, String(N)]); // enqueues the same keys again: no-ops
  ctx.children.push(second);
  await waitFor(() => ctx.rx.accepted.size === N && second.lines.filter((l) => l.endsWith(' delivered')).length === N, {
    timeoutMs: 20_000,
    what: 'all delivered',
  });
  for (let i = 0; i < N; i++) assert.is(ctx.rx.accepted.get(`k${i}`), 1, `k${i}`);
});

t.run();
