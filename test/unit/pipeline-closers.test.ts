// Closers: reverse registration order, a failing closer logged and passed, one run however often closeAll() is called.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Closers } from '../../src/runtime/closers.js';
import { captureLogger } from '../helpers/logs.js';

test('closers run last-registered first, one at a time', async () => {
  const log = captureLogger();
  const c = new Closers(log.logger);
  const ran: string[] = [];
  let running = 0;
  for (const name of ['redis', 'antring', 'http', 'sockets']) {
    c.add(name, async () => {
      running++;
      assert.is(running, 1, 'one closer at a time');
      await new Promise((r) => setImmediate(r));
      ran.push(name);
      running--;
    });
  }
  assert.equal(c.order(), ['sockets', 'http', 'antring', 'redis']);
  const report = await c.closeAll();
  assert.equal(ran, ['sockets', 'http', 'antring', 'redis']);
  assert.equal(report.failed, []);
});

test('a failing closer (throw or rejection) is logged and the next ones still run', async () => {
  const log = captureLogger();
  const c = new Closers(log.logger);
  const ran: string[] = [];
  c.add('first', () => {
    ran.push('first');
  });
  c.add('rejects', () => Promise.reject(new Error('redis quit failed')));
  c.add('throws', () => {
    throw new TypeError('boom');
  });
  c.add('last', () => {
    ran.push('last');
  });
  const report = await c.closeAll();
  assert.equal(ran, ['last', 'first']);
  assert.equal(report.failed, ['throws', 'rejects']);
  const errors = log.lines
    .map((l) => JSON.parse(l) as { level: number; closer?: string; err?: string })
    .filter((l) => l.level === 50);
  assert.equal(
    errors.map((e) => e.closer),
    ['throws', 'rejects'],
  );
  assert.match(errors[0].err ?? '', /TypeError: boom/);
});

test('closeAll is idempotent: the same promise, each closer once', async () => {
  const c = new Closers(captureLogger().logger);
  let n = 0;
  c.add('x', async () => {
    n++;
    await new Promise((r) => setImmediate(r));
  });
  const a = c.closeAll();
  const b = c.closeAll();
  assert.is(a, b);
  await a;
  await c.closeAll();
  assert.is(n, 1);
});

test('a closer added while closing runs next; one added after the run, at once', async () => {
  const c = new Closers(captureLogger().logger);
  const ran: string[] = [];
  c.add('a', () => {
    ran.push('a');
  });
  c.add('b', () => {
    ran.push('b');
    c.add('late', () => {
      ran.push('late');
    });
  });
  await c.closeAll();
  assert.equal(ran, ['b', 'late', 'a']);
  let after = false;
  c.add('after', () => {
    after = true;
  });
  const deadline = Date.now() + 1000;
  while (!after && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  assert.ok(after, 'ran after the run was over');
});

test.run();
