// GET /call/histories query validation (pure): date forms, the 31-day window, limit and page.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHistoryQuery, parseWhen } from '../../src/simulator/history-query.js';

const t = suite('histories query');

t('date forms: unix s, unix ms, a whole day and a time in Vietnam time, ISO with a zone', () => {
  assert.equal(parseWhen('1519639917'), [1519639917000, 1519639917000]);
  assert.equal(parseWhen('1519639917123'), [1519639917123, 1519639917123]);
  assert.equal(parseWhen('2024-03-01'), [Date.parse('2024-02-29T17:00:00Z'), Date.parse('2024-03-01T16:59:59.999Z')]);
  assert.equal(parseWhen('2024-03-01 08:30:00'), [
    Date.parse('2024-03-01T01:30:00Z'),
    Date.parse('2024-03-01T01:30:00Z'),
  ]);
  assert.equal(parseWhen('2024-03-01T08:30:00Z')![0], Date.parse('2024-03-01T08:30:00Z'));
  assert.is(parseWhen('yesterday'), undefined);
  assert.is(parseWhen('2024-13-45'), undefined);
});

t('window of at most 31 days; to after from; limit 1..100 (default 20); page from 1 (default 1)', () => {
  const ok = parseHistoryQuery({ created_from: '2024-01-01', created_to: '2024-01-31' });
  assert.ok(ok.ok && ok.query.limit === 20 && ok.query.page === 1);
  assert.not.ok(parseHistoryQuery({ created_from: '2024-01-01', created_to: '2024-02-01' }).ok);
  assert.not.ok(parseHistoryQuery({ created_from: '2024-01-02', created_to: '2024-01-01' }).ok);
  assert.not.ok(parseHistoryQuery({ created_from: '2024-01-01' }).ok);
  for (const limit of ['0', '101', '2.5', 'x'])
    assert.not.ok(parseHistoryQuery({ created_from: '2024-01-01', created_to: '2024-01-02', limit }).ok, limit);
  assert.ok(parseHistoryQuery({ created_from: '2024-01-01', created_to: '2024-01-02', limit: '100', page: '3' }).ok);
  assert.not.ok(parseHistoryQuery({ created_from: '2024-01-01', created_to: '2024-01-02', page: '0' }).ok);
});

t.run();
