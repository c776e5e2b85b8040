import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExpireParseError, parseExpire } from '../../src/antring/expire.js';

const NOW = 1_769_584_133_000; // 2026-01-28T07:08:53Z

test('seconds to live', () => {
  assert.is(parseExpire(3600, NOW), NOW + 3_600_000);
  assert.is(parseExpire('3600', NOW), NOW + 3_600_000);
  assert.is(parseExpire(2, NOW), NOW + 2000);
  assert.is(parseExpire(1.5, NOW), NOW + 1500);
  assert.is(parseExpire(999_999_999, NOW), NOW + 999_999_999_000);
});

test('unix seconds', () => {
  assert.is(parseExpire(1769587733, NOW), 1769587733000);
  assert.is(parseExpire('1769587733', NOW), 1769587733000);
  assert.is(parseExpire(' 1769587733 ', NOW), 1769587733000);
});

test('unix milliseconds', () => {
  assert.is(parseExpire(1769587733000, NOW), 1769587733000);
  assert.is(parseExpire('1769587733123', NOW), 1769587733123);
});

test('ISO-8601', () => {
  assert.is(parseExpire('2026-01-28T08:08:53Z', NOW), Date.UTC(2026, 0, 28, 8, 8, 53));
  assert.is(parseExpire('2026-01-28T15:08:53+07:00', NOW), Date.UTC(2026, 0, 28, 8, 8, 53));
  assert.is(parseExpire('2026-01-28T08:08:53.250Z', NOW), Date.UTC(2026, 0, 28, 8, 8, 53, 250));
});

test('an absolute time up to a day in the past is returned; more is refused', () => {
  assert.is(parseExpire(1769580000, NOW), 1769580000000);
  assert.throws(
    () => parseExpire(1769400000, NOW),
    (e: unknown) => e instanceof ExpireParseError,
  );
  assert.throws(
    () => parseExpire('2020-01-01T00:00:00Z', NOW),
    (e: unknown) => e instanceof ExpireParseError,
  );
  // 1e11 ms is 1973: unix ms, long past.
  assert.throws(
    () => parseExpire(200_000_000_000, NOW),
    (e: unknown) => e instanceof ExpireParseError,
  );
});

test('garbage, negative, zero, NaN, too large', () => {
  for (const bad of [
    '',
    'soon',
    '-5',
    '12abc',
    '0x10',
    'Infinity',
    -1,
    0,
    NaN,
    Infinity,
    1e15,
    null,
    undefined,
    {},
    [],
    true,
  ]) {
    assert.throws(
      () => parseExpire(bad, NOW),
      (e: unknown) => e instanceof ExpireParseError && (e as Error).name === 'ExpireParseError',
      `accepted ${String(bad)}`,
    );
  }
});

test.run();
