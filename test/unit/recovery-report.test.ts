// AntBot's report for an attempt (§9.2), through the recovery model on a fake clock: read from delaySec after the
// alarm, then every delaySec but never more often than 60 s; not answered / busy / failed → the next attempt
// (inside the hours) until maxAttempts → unreached; answered without an agent → after the callback window; a report
// that cannot be read, or an unknown word, read again, never guessed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { missedCall, nextWakeAt } from '../../src/recovery/model.js';
import { FakeClock } from '../helpers/clock.js';
import { config, driver, HOUR, MIN, miss, NUMBER, opened, vn } from './recovery-fixture.js';

test('report: read from delaySec after the alarm, then every delaySec (never more often than 60 s)', () => {
  for (const [delaySec, first, every] of [
    [300, 300_000, 300_000],
    [30, 30_000, 60_000],
  ]) {
    const cfg = config({ delaySec, hours: '00:00-24:00' });
    const clock = new FakeClock(vn('2026-12-07T10:00'));
    const d = driver(cfg, clock);
    let r = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
    r = d.at(r, r.dueAt!);
    const alarmAt = r.attempt!.at;
    for (let t = alarmAt; t <= alarmAt + first + 3 * every; t += 1000) r = d.at(r, t);
    assert.equal(
      d.reads.map((t) => t - alarmAt),
      [first, first + every, first + 2 * every, first + 3 * every],
      `delaySec ${delaySec}`,
    );
  }
});

test('not answered, then busy → two attempts (delaySec apart, inside hours), then unreached', () => {
  const cfg = config();
  const clock = new FakeClock(vn('2026-12-07T10:00'));
  const d = driver(cfg, clock);
  let r = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
  r = d.at(r, r.dueAt!);
  const first = r.attempt!.at;
  d.setRows([{ phone_number: '0934890883', disposition: 'NOANSWER', alarm: true, at: first + 5000 }]);
  r = d.at(r, first + 300_000);
  assert.equal([r.status, r.attempts, r.attempt?.result, r.dueAt], ['scheduled', 1, 'no_answer', first + 600_000]);
  r = d.at(r, first + 600_000);
  assert.equal([r.attempts, d.alarms.length, r.attempt?.n], [2, 2, 2]);
  // Attempt 2's report: the first attempt's row is older than attempt 2 and does not count.
  r = d.at(r, r.attempt!.at + 300_000);
  assert.equal([r.status, r.attempt?.reportAt], ['scheduled', r.attempt!.at + 600_000]);
  d.setRows([
    { phone_number: '0934890883', disposition: 'NOANSWER', at: first + 5000 },
    { phone_number: '84934890883', disposition: 'BUSY', at: r.attempt!.at + 4000 },
  ]);
  r = d.at(r, r.attempt!.at + 600_000);
  assert.equal(
    [r.status, r.attempts, r.attempt?.result, r.closedAt, r.dueAt],
    ['unreached', 2, 'busy', clock.now(), undefined],
  );
  assert.is(nextWakeAt(r), undefined);
  assert.is(d.at(r, clock.now() + HOUR), r);
  assert.is(d.alarms.length, 2);
});

test('report says answered but no agent took the transfer: wait for the window, then the next attempt', () => {
  const cfg = config({ delaySec: 60, hours: '00:00-24:00' });
  const clock = new FakeClock(vn('2026-12-07T10:00'));
  const d = driver(cfg, clock);
  let r = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
  r = d.at(r, r.dueAt!);
  const a = r.attempt!.at;
  d.setRows([{ phone_number: NUMBER, disposition: 'ANSWER', billsec: 20 }]);
  r = d.at(r, a + 60_000);
  assert.equal([r.status, r.attempt?.reportAnswered, r.attempt?.reportAt], ['scheduled', true, a + 15 * MIN]);
  r = d.at(r, a + 15 * MIN);
  assert.equal([r.attempt?.result, r.dueAt], ['transfer_unanswered', a + 16 * MIN]);
});

test('a report that cannot be read, or an unknown word, is read again later, never guessed', () => {
  const cfg = config({ hours: '00:00-24:00' });
  const clock = new FakeClock(vn('2026-12-07T10:00'));
  const d = driver(cfg, clock);
  let r = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
  r = d.at(r, r.dueAt!);
  const a = r.attempt!.at;
  d.setReportDown(true);
  r = d.at(r, a + 300_000);
  assert.equal([r.status, r.attempt?.reportAt, r.attempt?.result], ['scheduled', a + 600_000, undefined]);
  d.setReportDown(false);
  d.setRows([{ phone_number: NUMBER, disposition: 'PENDING' }]);
  r = d.at(r, a + 600_000);
  assert.equal([r.status, r.attempt?.reportAt, r.attempts], ['scheduled', a + 900_000, 1]);
});

test('a failed attempt late in the day: the next attempt waits for the next opening', () => {
  const cfg = config();
  const clock = new FakeClock(vn('2026-12-07T19:40'));
  const d = driver(cfg, clock);
  let r = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
  r = d.at(r, r.dueAt!); // 19:45:20
  d.setRows([{ phone_number: NUMBER, disposition: 'FAILED', hangup_cause: 'UNALLOCATED_NUMBER' }]);
  r = d.at(r, r.attempt!.at + 300_000); // 19:50:20 → next after 19:55:20
  assert.is(r.dueAt, vn('2026-12-07T19:55:20'));
  d.setRows([]);
  // Due at 19:55:20 (inside), but taken at 20:00:05 → waits for 08:00.
  r = d.at(r, vn('2026-12-07T20:00:05'));
  assert.equal([r.dueAt, r.attempts], [vn('2026-12-08T08:00'), 1]);
});

test.run();
