// The in-memory RateLimiter (token bucket per agent) and IdempotencyStore, on a fake clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryIdempotencyStore } from '../../src/dial/idempotency.js';
import { MemoryRateLimiter } from '../../src/dial/rate-limiter.js';
import { FakeClock } from '../helpers/clock.js';

test('rate limiter: N per minute as a burst, then refused with the wait until the next unit', () => {
  const clock = new FakeClock();
  const rl = new MemoryRateLimiter({ perMinute: 3, clock });
  assert.equal([rl.take('a'), rl.take('a'), rl.take('a')], [{ ok: true }, { ok: true }, { ok: true }]);
  assert.equal(rl.take('a'), { ok: false, retryAfterMs: 20_000 });
  clock.t += 5000;
  assert.equal(rl.take('a'), { ok: false, retryAfterMs: 15_000 });
  clock.t += 14_999;
  assert.is(rl.take('a').ok, false);
  clock.t += 1;
  assert.equal(rl.take('a'), { ok: true });
  assert.equal(rl.take('a'), { ok: false, retryAfterMs: 20_000 });
  // Keys are independent.
  assert.equal(rl.take('b'), { ok: true });
});

test('rate limiter: the sustained rate is perMinute; a long pause refills to the burst, never beyond', () => {
  const clock = new FakeClock();
  const rl = new MemoryRateLimiter({ perMinute: 10, clock });
  let ok = 0;
  for (let s = 0; s < 120; s++) {
    for (let i = 0; i < 5; i++) if (rl.take('a').ok) ok++;
    clock.t += 1000;
  }
  // 10 at once, then 10 per minute for two minutes.
  assert.ok(ok >= 29 && ok <= 31, `${ok} in two minutes`);
  clock.t += 3_600_000;
  let burst = 0;
  while (rl.take('a').ok) burst++;
  assert.is(burst, 10);
});

test('rate limiter: bounded in keys; refilled buckets are dropped', () => {
  const clock = new FakeClock();
  const rl = new MemoryRateLimiter({ perMinute: 2, clock, maxKeys: 100 });
  for (let i = 0; i < 1000; i++) rl.take(`agent${i}`);
  assert.ok(rl.size <= 100, `size ${rl.size}`);
  clock.t += 60_000;
  rl.take('fresh');
  assert.is(rl.size, 1, 'refilled buckets forgotten');
  assert.throws(() => new MemoryRateLimiter({ perMinute: 0 }), RangeError);
});

test('idempotency: claim → pending for others; complete → done with the result; expiry frees the key', () => {
  const clock = new FakeClock();
  const s = new MemoryIdempotencyStore({ clock });
  assert.is(s.claim('k', 5000), undefined, 'free: the caller dials');
  assert.equal(s.claim('k', 5000), { state: 'pending' });
  s.complete('k', { status: 'dialing', number: '0934890883' }, 5000);
  clock.t += 4999;
  assert.equal(s.claim('k', 5000), { state: 'done', result: { status: 'dialing', number: '0934890883' } });
  assert.is(s.claim('other', 5000), undefined);
  clock.t += 1;
  assert.is(s.claim('k', 5000), undefined, 'expired: dial again');
});

test('idempotency: release frees a failed dial at once; a returned result is a copy', () => {
  const clock = new FakeClock();
  const s = new MemoryIdempotencyStore({ clock });
  assert.is(s.claim('k', 5000), undefined);
  s.release('k');
  assert.is(s.claim('k', 5000), undefined);
  s.complete('k', { status: 'dialing', number: '1' }, 5000);
  const got = s.claim('k', 5000);
  assert.ok(got && got.state === 'done');
  if (got?.state === 'done') got.result.number = 'changed';
  assert.equal(s.claim('k', 5000), { state: 'done', result: { status: 'dialing', number: '1' } });
  s.complete('z', { status: 'dialing', number: '2' }, 0);
  assert.is(s.claim('z', 5000), undefined, 'ttl 0 keeps nothing');
});

test('idempotency: bounded; expired entries are dropped as new ones come', () => {
  const clock = new FakeClock();
  const s = new MemoryIdempotencyStore({ clock, maxEntries: 50 });
  for (let i = 0; i < 500; i++) s.claim(`k${i}`, 5000);
  assert.ok(s.size <= 50);
  assert.equal(s.claim('k499', 5000), { state: 'pending' }, 'the newest are kept');
  clock.t += 5000;
  s.claim('new', 5000);
  assert.is(s.size, 1);
});

test.run();
