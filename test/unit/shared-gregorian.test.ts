import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GREGORIAN_OFFSET, gregorianToUnixMs, unixMsToGregorian } from '../../src/shared/gregorian.js';

test('offset is the seconds from year 0 to 1970', () => {
  assert.is(GREGORIAN_OFFSET, 62167219200);
  assert.is(gregorianToUnixMs(GREGORIAN_OFFSET), 0);
});

test('63610891956 → 2015-10-01T04:12:36Z', () => {
  assert.is(new Date(gregorianToUnixMs(63610891956)).toISOString(), '2015-10-01T04:12:36.000Z');
});

test('the call-model example 63910891956 is in 2025', () => {
  assert.is(new Date(gregorianToUnixMs(63910891956)).getUTCFullYear(), 2025);
});

test('fractions of a second are kept; round trip', () => {
  assert.is(gregorianToUnixMs(GREGORIAN_OFFSET + 1.25), 1250);
  const ms = Date.UTC(2024, 0, 2, 3, 4, 5);
  assert.is(gregorianToUnixMs(unixMsToGregorian(ms)), ms);
});

test.run();
