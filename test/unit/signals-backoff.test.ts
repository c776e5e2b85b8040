import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Backoff, backoffCeiling, DEFAULT_BACKOFF, fullJitterDelay } from '../../src/signals/backoff.js';

test('defaults: 500 ms base, 30 s cap', () => {
  assert.equal(DEFAULT_BACKOFF, { baseMs: 500, maxMs: 30_000 });
});

test('ceiling doubles and is capped', () => {
  const o = { baseMs: 500, maxMs: 30_000 };
  assert.equal(
    [0, 1, 2, 3, 4, 5, 6, 7, 100, 10_000].map((a) => backoffCeiling(a, o)),
    [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000],
  );
  assert.is(backoffCeiling(-3, o), 500);
});

test('full jitter: random × ceiling, never above the cap', () => {
  const o = { baseMs: 500, maxMs: 30_000 };
  assert.is(
    fullJitterDelay(3, o, () => 0),
    0,
  );
  assert.is(
    fullJitterDelay(3, o, () => 0.5),
    2000,
  );
  assert.is(
    fullJitterDelay(20, o, () => 0.5),
    15_000,
  );
  assert.ok(fullJitterDelay(20, o, () => 0.9999999) < 30_000);
  // broken random sources are clamped
  assert.is(
    fullJitterDelay(2, o, () => -1),
    0,
  );
  assert.is(
    fullJitterDelay(2, o, () => Number.NaN),
    0,
  );
  assert.ok(fullJitterDelay(2, o, () => 7) < 2000);
});

test('delays spread over [0, ceiling) with a real random', () => {
  const o = { baseMs: 100, maxMs: 1000 };
  const seen = Array.from({ length: 2000 }, () => fullJitterDelay(10, o));
  assert.ok(Math.min(...seen) >= 0);
  assert.ok(Math.max(...seen) < 1000);
  assert.ok(Math.min(...seen) < 100, 'some short delays');
  assert.ok(Math.max(...seen) > 900, 'some long delays');
});

test('Backoff counts attempts, resets', () => {
  const rs = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
  const b = new Backoff({ baseMs: 100, maxMs: 1000 }, () => rs.shift() ?? 0.5);
  assert.is(b.attempt, 0);
  assert.equal([b.next(), b.next(), b.next(), b.next(), b.next()], [50, 100, 200, 400, 500]);
  assert.is(b.attempt, 5);
  b.reset();
  assert.is(b.attempt, 0);
  assert.is(b.next(), 50);
});

test.run();
