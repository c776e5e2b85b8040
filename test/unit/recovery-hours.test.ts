// The calling-hours window of §9.1 in an IANA time zone (Intl, no dependency): parsing, inside or not, the next
// opening (due at 20:10 with 08:00-20:00 → 08:00 the next morning), windows over midnight, `00:00-24:00` = always,
// a zone with DST; and the local-time helpers (day, HH:mm, local time → instant).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALWAYS, CallingHoursError, nextOpening, parseHours, withinHours } from '../../src/recovery/hours.js';
import { isTimeZone, localDay, localHHmm, localTime, zonedInstant } from '../../src/recovery/zoned.js';

const VN = 'Asia/Ho_Chi_Minh';
/** A local time in Vietnam (UTC+7) → unix ms. */
const vn = (local: string) => Date.parse(`${local}+07:00`);
const DAY = parseHours('08:00-20:00');

test('parseHours: HH:MM-HH:MM; 24:00 only as an end; 00:00-24:00 is always; empty or malformed windows refused', () => {
  assert.equal(DAY, { text: '08:00-20:00', startMin: 480, endMin: 1200 });
  assert.equal(parseHours(' 20:30 - 07:15 '), { text: '20:30-07:15', startMin: 1230, endMin: 435 });
  assert.equal(parseHours('08:00-24:00'), { text: '08:00-24:00', startMin: 480, endMin: 1440 });
  assert.is(parseHours('00:00-24:00'), ALWAYS);
  for (const bad of [
    '',
    '8:00-20:00',
    '08:00',
    '08:00-20:60',
    '24:00-08:00',
    '25:00-26:00',
    '08:00-08:00',
    'x',
    '00:00-00:00',
  ])
    assert.throws(
      () => parseHours(bad),
      (e: Error) => e instanceof CallingHoursError && /HH:MM-HH:MM/.test(e.message),
      bad,
    );
});

test('withinHours: start inclusive, end exclusive, in the tenant zone (not UTC)', () => {
  assert.ok(withinHours(vn('2026-12-07T08:00:00'), DAY, VN));
  assert.ok(withinHours(vn('2026-12-07T19:59:59'), DAY, VN));
  assert.not.ok(withinHours(vn('2026-12-07T20:00:00'), DAY, VN));
  assert.not.ok(withinHours(vn('2026-12-07T07:59:59'), DAY, VN));
  // 12:00 UTC is 19:00 in Vietnam (inside) but 21:00 in Tokyo (outside).
  assert.ok(withinHours(Date.parse('2026-12-07T12:00:00Z'), DAY, VN));
  assert.not.ok(withinHours(Date.parse('2026-12-07T12:00:00Z'), DAY, 'Asia/Tokyo'));
  assert.ok(withinHours(vn('2026-12-07T03:00'), ALWAYS, VN));
});

test('nextOpening: inside → now; due at 20:10 → 08:00 the next day; before 08:00 → 08:00 the same day', () => {
  const inside = vn('2026-12-07T10:42:13');
  assert.is(nextOpening(inside, DAY, VN), inside);
  assert.is(nextOpening(vn('2026-12-07T20:10'), DAY, VN), vn('2026-12-08T08:00'));
  assert.is(nextOpening(vn('2026-12-07T20:00'), DAY, VN), vn('2026-12-08T08:00'));
  assert.is(nextOpening(vn('2026-12-08T06:30'), DAY, VN), vn('2026-12-08T08:00'));
  assert.is(nextOpening(vn('2026-12-31T23:59'), DAY, VN), vn('2027-01-01T08:00'), 'over the year end');
  assert.is(nextOpening(vn('2026-12-07T23:00'), ALWAYS, VN), vn('2026-12-07T23:00'));
});

test('nextOpening: a window over midnight (20:00-08:00) opens at 20:00 the same day', () => {
  const night = parseHours('20:00-08:00');
  assert.is(nextOpening(vn('2026-12-07T23:30'), night, VN), vn('2026-12-07T23:30'));
  assert.is(nextOpening(vn('2026-12-08T07:59'), night, VN), vn('2026-12-08T07:59'));
  assert.is(nextOpening(vn('2026-12-08T12:00'), night, VN), vn('2026-12-08T20:00'));
});

test('nextOpening across a DST change (America/New_York, 2026-03-08): 08:00 local is 12:00Z after, 13:00Z before', () => {
  const ny = 'America/New_York';
  assert.is(nextOpening(Date.parse('2026-03-07T02:00:00Z'), DAY, ny), Date.parse('2026-03-07T13:00:00Z'));
  // Saturday 21:00 EST → Sunday 08:00 EDT (UTC-4).
  assert.is(nextOpening(Date.parse('2026-03-08T02:00:00Z'), DAY, ny), Date.parse('2026-03-08T12:00:00Z'));
  // A window starting inside the skipped hour (02:30 does not exist on 2026-03-08): moved on by the gap, 03:30 EDT
  // (as Temporal's "compatible" disambiguation).
  const gap = parseHours('02:30-05:00');
  assert.is(nextOpening(Date.parse('2026-03-08T05:00:00Z'), gap, ny), Date.parse('2026-03-08T07:30:00Z'));
  // 01:30 happens twice on 2026-11-01: the earlier (EDT) instant.
  assert.is(zonedInstant(2026, 11, 1, 90 * 60_000, ny), Date.parse('2026-11-01T05:30:00Z'));
});

test('local time helpers: day, HH:mm, parts and the instant of a local time', () => {
  const t = Date.parse('2026-12-07T17:30:05.250Z'); // 00:30 on the 8th in Vietnam
  assert.is(localDay(t, VN), '2026-12-08');
  assert.is(localDay(t, 'UTC'), '2026-12-07');
  assert.is(localHHmm(t, VN), '00:30');
  assert.equal(localTime(t, VN), { year: 2026, month: 12, day: 8, hour: 0, minute: 30, second: 5, msOfDay: 1_805_250 });
  assert.is(zonedInstant(2026, 12, 8, 1_805_250, VN), t);
  assert.is(zonedInstant(2026, 12, 32, 8 * 3_600_000, VN), vn('2027-01-01T08:00'), 'day overflow');
  assert.ok(isTimeZone(VN));
  assert.ok(isTimeZone('UTC'));
  for (const bad of ['', 'Mars/Olympus', 'x'.repeat(80)]) assert.not.ok(isTimeZone(bad), bad);
});

test.run();
