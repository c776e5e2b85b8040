// GET /api/history's query: dates, the 31-day window, limit and page, the default window; and the date form sent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { antringDate, parseHistoryDate, parseHistoryQuery } from '../../src/http/routes-history.js';
import { parseWhen } from '../../src/simulator/history-query.js';

const NOW = Date.UTC(2025, 5, 15, 10, 20, 30, 456);
const ok = (q: Record<string, unknown>) => {
  const r = parseHistoryQuery(q, NOW);
  if (!r.ok) throw new Error(`expected ok, got: ${r.message}`);
  return r.value;
};
const bad = (q: Record<string, unknown>, re: RegExp) => {
  const r = parseHistoryQuery(q, NOW);
  assert.is(r.ok, false, `refused: ${JSON.stringify(q)}`);
  if (!r.ok) assert.match(r.message, re);
};

test('dates: a whole UTC day, or an ISO date-time (zone or none = UTC), floored to the second', () => {
  assert.is(parseHistoryDate('2025-01-15', 'start'), Date.UTC(2025, 0, 15));
  assert.is(parseHistoryDate('2025-01-15', 'end'), Date.UTC(2025, 0, 15, 23, 59, 59));
  assert.is(parseHistoryDate('2025-01-15T08:30:00Z', 'start'), Date.UTC(2025, 0, 15, 8, 30));
  assert.is(parseHistoryDate('2025-01-15T08:30:00.999Z', 'end'), Date.UTC(2025, 0, 15, 8, 30));
  assert.is(parseHistoryDate('2025-01-15T08:30', 'start'), Date.UTC(2025, 0, 15, 8, 30));
  assert.is(parseHistoryDate('2025-01-15 08:30:10', 'start'), Date.UTC(2025, 0, 15, 8, 30, 10));
  assert.is(parseHistoryDate('2025-01-15T15:30:00+07:00', 'start'), Date.UTC(2025, 0, 15, 8, 30));
  assert.is(parseHistoryDate('2025-01-15T01:00:00-0230', 'start'), Date.UTC(2025, 0, 15, 3, 30));
  for (const s of [
    '2025-02-30',
    '2025-13-01',
    '2025-01-15T24:00:00Z',
    '2025-01-15T08:61Z',
    'yesterday',
    '1736928000',
    '15/01/2025',
    '',
    '2025-1-5',
    '1999-12-31',
    '2025-01-15T08:30:00+25',
  ]) {
    assert.is(parseHistoryDate(s, 'start'), undefined, s);
  }
});

test('what the bridge sends for created_from/created_to is read back to the same instant by the simulator', () => {
  const t = Date.UTC(2025, 0, 15, 8, 30, 10);
  assert.is(antringDate(t), '2025-01-15T08:30:10Z');
  assert.equal(parseWhen(antringDate(t)), [t, t]);
});

test('defaults: the last 24 hours, limit 20, page 1', () => {
  const v = ok({});
  assert.is(v.toMs, Math.floor(NOW / 1000) * 1000);
  assert.is(v.toMs - v.fromMs, 86_400_000);
  assert.is(v.limit, 20);
  assert.is(v.page, 1);
  assert.equal(ok({ from: '', to: '', limit: '', page: '' }), v);
});

test('window: to >= from, at most 31 days (whole days count to their last second)', () => {
  assert.is(ok({ from: '2025-01-01', to: '2025-01-31' }).toMs, Date.UTC(2025, 0, 31, 23, 59, 59));
  assert.ok(ok({ from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' }));
  assert.ok(ok({ from: '2025-01-15', to: '2025-01-15' }), 'one day');
  bad({ from: '2025-01-01', to: '2025-02-01' }, /31 days/);
  bad({ from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:01Z' }, /31 days/);
  bad({ from: '2025-01-10', to: '2025-01-09' }, /before/);
  bad({ from: '2025-01-10' }, /together/);
  bad({ to: '2025-01-10' }, /together/);
  bad({ from: 'soon', to: '2025-01-10' }, /^from must be a date/);
  bad({ from: '2025-01-10', to: '2025-02-30' }, /^to must be a date/);
  bad({ from: ['2025-01-01', '2025-01-02'], to: '2025-01-10' }, /from must be given once/);
});

test('limit 1..100 and page >= 1, integers', () => {
  assert.is(ok({ limit: '1' }).limit, 1);
  assert.is(ok({ limit: '100' }).limit, 100);
  assert.is(ok({ page: '7' }).page, 7);
  for (const limit of ['0', '101', '-1', '2.5', 'ten', '1e2', ' ']) {
    if (limit.trim() === '') continue;
    bad({ limit }, /limit must be an integer from 1 to 100/);
  }
  for (const page of ['0', '-3', '1.5', 'x', '100001']) bad({ page }, /page must be an integer/);
  bad({ limit: ['10', '20'] }, /limit must be given once/);
});

test.run();
