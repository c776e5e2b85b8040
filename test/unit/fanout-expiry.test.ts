// One timer per distinct deadline (src/fanout/expiry.ts), with a fake clock.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Clock } from '../../src/clock.js';
import { createExpirySchedule } from '../../src/fanout/expiry.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(++nextId, { at: now + ms, fn });
      return nextId;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= now && timers.has(id)) {
        timers.delete(id);
        t.fn();
      }
    }
  };
  return { clock, advance, timers };
}

const t = suite('fanout: expiry schedule');
t('sockets with the same deadline share one timer; each expires once, at its deadline', () => {
  const c = fakeClock();
  const expired: string[] = [];
  const s = createExpirySchedule<string>(c.clock, (x) => expired.push(x));
  const at = c.clock.now() + 5_000;
  for (const x of ['a', 'b', 'c']) s.add(x, at);
  s.add('d', at + 1_000);
  assert.is(c.timers.size, 2, 'one timer per distinct deadline');
  assert.is(s.size, 4);
  c.advance(4_999);
  assert.equal(expired, []);
  c.advance(1);
  assert.equal(expired, ['a', 'b', 'c']);
  c.advance(1_000);
  assert.equal(expired, ['a', 'b', 'c', 'd']);
  assert.is(s.size, 0);
  assert.is(c.timers.size, 0);
});
t('remove forgets a socket; the last one out clears the timer; a past deadline expires at once', () => {
  const c = fakeClock();
  const expired: string[] = [];
  const s = createExpirySchedule<string>(c.clock, (x) => expired.push(x));
  const at = c.clock.now() + 1_000;
  s.add('a', at);
  s.add('b', at);
  s.remove('a', at);
  s.remove('a', at);
  assert.is(s.size, 1);
  s.remove('b', at);
  assert.is(c.timers.size, 0);
  c.advance(2_000);
  assert.equal(expired, []);
  s.add('late', c.clock.now());
  assert.equal(expired, ['late']);
});
t('a deadline past the setTimeout ceiling is re-armed; close clears everything', () => {
  const c = fakeClock();
  const expired: string[] = [];
  const s = createExpirySchedule<string>(c.clock, (x) => expired.push(x));
  const far = c.clock.now() + 2 ** 31 + 10_000;
  s.add('far', far);
  c.advance(2 ** 31 - 1);
  assert.equal(expired, [], 'not yet: re-armed');
  assert.is(c.timers.size, 1);
  c.advance(20_000);
  assert.equal(expired, ['far']);
  s.add('x', c.clock.now() + 10);
  s.close();
  s.close();
  assert.is(c.timers.size, 0);
  c.advance(100);
  assert.equal(expired, ['far']);
});
t.run();
