// The per-socket token bucket (fanout/throttle.ts), pure: burst, refill, drops, the abuse verdict.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TokenBucket, throttleSettings } from '../../src/fanout/throttle.js';

test('a burst passes, the rest is dropped, a pause refills', () => {
  const b = new TokenBucket(throttleSettings({ burst: 3, perSecond: 2, abuseDrops: 10 }), 0);
  assert.equal(
    [0, 0, 0, 0, 0].map((t) => b.take(t)),
    ['ok', 'ok', 'ok', 'drop', 'drop'],
  );
  assert.is(b.take(499), 'drop', 'not yet one token');
  assert.is(b.take(500), 'ok', 'one token after 500 ms at 2/s');
  assert.is(b.take(500), 'drop');
  assert.equal(
    [2000, 2000, 2000, 2000].map((t) => b.take(t)),
    ['ok', 'ok', 'ok', 'drop'],
    'never more than the burst',
  );
});

test('more than abuseDrops drops in a row → disconnect; a full refill forgives', () => {
  const b = new TokenBucket(throttleSettings({ burst: 2, perSecond: 1, abuseDrops: 3 }), 0);
  const verdicts = Array.from({ length: 7 }, () => b.take(0));
  assert.equal(verdicts, ['ok', 'ok', 'drop', 'drop', 'drop', 'disconnect', 'disconnect']);
  const c = new TokenBucket(throttleSettings({ burst: 2, perSecond: 1, abuseDrops: 3 }), 0);
  for (let i = 0; i < 5; i++) c.take(0); // 2 ok, 3 drops
  assert.is(c.take(2000), 'ok', 'refilled to full: the count of drops starts again');
  assert.is(c.take(2000), 'ok');
  assert.equal([c.take(2000), c.take(2000), c.take(2000), c.take(2000)], ['drop', 'drop', 'drop', 'disconnect']);
});

test('settings are checked', () => {
  assert.throws(() => throttleSettings({ burst: 0 }), RangeError);
  assert.throws(() => throttleSettings({ perSecond: 0 }), RangeError);
  assert.throws(() => throttleSettings({ abuseDrops: -1 }), RangeError);
  assert.throws(() => throttleSettings({ burst: Number.NaN }), RangeError);
  assert.equal(throttleSettings(), { burst: 20, perSecond: 5, abuseDrops: 100 });
});

test.run();
