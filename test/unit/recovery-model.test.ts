// The recovery model of §9.2 driven by a fake clock, as the wiring will drive it: missed calls open or join one
// recovery per tenant and number; a person answering first closes it; due inside the hours → one AntBot event +
// alarm with the documented fields; the callback call to the transfer number within 15 minutes → recovered by
// callback. The report's part: recovery-report.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  callbackAlarm,
  callbackEvent,
  eventTitle,
  findAttemptEvent,
  NoAttemptError,
} from '../../src/recovery/callback-request.js';
import {
  due,
  isCallbackCall,
  missedCall,
  nextWakeAt,
  personReached,
  type ReachedInput,
} from '../../src/recovery/model.js';
import { reportQuery } from '../../src/recovery/report.js';
import { FakeClock } from '../helpers/clock.js';
import { config, driver, HOUR, MIN, miss, NUMBER, opened, vn } from './recovery-fixture.js';

test('a missed call opens a recovery: number in matching form, dialled form, due after delaySec', () => {
  const at = vn('2026-12-07T10:42:00');
  const r = opened(missedCall(undefined, miss('c1', at), config()));
  assert.equal(r, {
    id: 'c1',
    tenant: 'acme',
    number: NUMBER,
    dial: NUMBER,
    status: 'open',
    missed: [{ callId: 'c1', startedAt: at, endedAt: at + 20_000, queueId: 'q_sales' }],
    openedAt: at + 20_000,
    dueAt: at + 20_000 + 300_000,
    attempts: 0,
  });
  assert.is(nextWakeAt(r), r.dueAt);
  // A legacy 11-digit mobile is the same number, in its current form.
  assert.is(opened(missedCall(undefined, miss('c2', at, { from: '01693608879' }), config())).number, '0393608879');
  // A foreign caller: dialled from Vietnam with 00.
  assert.is(
    opened(missedCall(undefined, miss('c3', at, { from: '+44 20 7946 0958' }), config())).dial,
    '00442079460958',
  );
});

test('two missed calls from one number → one recovery (joined, due unchanged), one event + alarm', () => {
  const clock = new FakeClock(vn('2026-12-07T10:42:00'));
  const cfg = config();
  const d = driver(cfg, clock);
  const r1 = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
  const j = missedCall(r1, miss('c2', clock.now() + 2 * MIN, { from: '0934 890 883' }), cfg);
  assert.is(j.kind, 'joined');
  const r2 = opened(j);
  assert.equal(
    r2.missed.map((m) => m.callId),
    ['c1', 'c2'],
  );
  assert.is(r2.dueAt, r1.dueAt);
  assert.equal(missedCall(r2, miss('c2', clock.now()), cfg), { kind: 'ignored', reason: 'duplicate' });
  let r = d.at(r2, r2.dueAt!);
  r = d.at(r, r2.dueAt! + 1000);
  r = d.at(r, r2.dueAt! + 2000);
  assert.is(r.status, 'scheduled');
  assert.is(d.events.length, 1);
  assert.is(d.alarms.length, 1);
  // A third missed call while scheduled joins too: still one alarm.
  const r3 = opened(missedCall(r, miss('c3', clock.now()), cfg));
  assert.equal([r3.status, r3.missed.length, d.step(r3) && d.alarms.length], ['scheduled', 3, 1]);
});

test('no recovery: a number on the DNC list, an extension, a feature code, a SIP name', () => {
  const at = vn('2026-12-07T10:42:00');
  assert.equal(missedCall(undefined, miss('c1', at, { onDnc: true }), config()), { kind: 'ignored', reason: 'dnc' });
  for (const from of ['1001', '*97', 'sip:alice', ''])
    assert.equal(missedCall(undefined, miss('c1', at, { from }), config()), {
      kind: 'ignored',
      reason: 'not_customer',
    });
});

test('a person first: an answered outbound call (or inbound) before due → recovered, no AntBot call', () => {
  const clock = new FakeClock(vn('2026-12-07T10:42:00'));
  const cfg = config();
  const d = driver(cfg, clock);
  const r = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
  const out: ReachedInput = {
    callId: 'o1',
    direction: 'outbound',
    number: '+84934890883',
    startedAt: clock.now() + 2 * MIN,
    answeredAt: clock.now() + 2 * MIN + 9000,
  };
  const rec = personReached(r, out)!;
  assert.equal(
    [rec.status, rec.by, rec.recoveredCallId, rec.recoveredAt, rec.dueAt],
    ['recovered', 'outbound', 'o1', out.answeredAt, undefined],
  );
  assert.is(d.at(rec, r.dueAt! + 10 * MIN), rec);
  assert.is(d.alarms.length, 0);
  const inbound = personReached(r, { ...out, callId: 'i1', direction: 'inbound', dialled: ['19001234'] })!;
  assert.equal([inbound.status, inbound.by], ['recovered', 'inbound']);
  // Not this number, the missed call itself, an already closed recovery: no change.
  assert.is(personReached(r, { ...out, number: '0912000001' }), undefined);
  assert.is(personReached(r, { ...out, callId: 'c1' }), undefined);
  assert.is(personReached(rec, { ...out, callId: 'o2' }), undefined);
  // A new missed call after recovery opens a new recovery.
  assert.is(missedCall(rec, miss('c9', clock.now() + HOUR), cfg).kind, 'opened');
});

test('due at 20:10 with hours 08:00-20:00 → waits for 08:00; due at 19:58 handled late (20:01) → 08:00 too', () => {
  const cfg = config();
  const clock = new FakeClock(vn('2026-12-07T20:04:40'));
  const d = driver(cfg, clock);
  const r = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
  assert.is(r.dueAt, vn('2026-12-08T08:00'), 'due 20:10 → the next opening');
  assert.is(d.at(r, vn('2026-12-07T23:00')), r, 'not due at night');
  const s = d.at(r, vn('2026-12-08T08:00'));
  assert.equal([s.status, s.attempts, s.attempt?.at, d.alarms.length], ['scheduled', 1, vn('2026-12-08T08:00'), 1]);

  const late = opened(missedCall(undefined, miss('c2', vn('2026-12-07T19:52:40')), cfg));
  assert.is(late.dueAt, vn('2026-12-07T19:58'));
  const w = due(late, vn('2026-12-07T20:01'), cfg);
  assert.equal([w.kind, w.kind === 'wait' && w.recovery.dueAt], ['wait', vn('2026-12-08T08:00')]);
});

test('the event and the alarm carry exactly the documented fields', () => {
  const cfg = config();
  const clock = new FakeClock(vn('2026-12-07T10:42:30'));
  const d = driver(cfg, clock);
  const r = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
  const s = d.at(r, r.dueAt!);
  assert.equal(d.events, [
    {
      title: 'Gọi lại 0934890883 – cuộc gọi nhỡ 10:42',
      description: 'antring-bridge recovery c1 attempt 1',
      start: '2026-12-07T03:47:50.000Z',
      end: '2026-12-07T04:02:50.000Z',
      creator: 115,
      calendar: 7,
    },
  ]);
  assert.equal(d.alarms, [
    {
      alarm_phonenumber: '0934890883',
      date_start_notice: '2026-12-07T03:47:50.000Z',
      phonenumber_transfer: '02873019555',
      event: 9,
    },
  ]);
  assert.equal([s.attempt?.eventId, s.attempt?.alarmId], [9, 31]);
  // A lost answer: the attempt's event is found again by its description (not an earlier attempt's).
  const listed = [
    { id: 3, description: 'antring-bridge recovery c1 attempt 0' },
    { id: 9, ...d.events[0] },
  ];
  assert.is(findAttemptEvent(listed, s)?.id, 9);
  assert.is(findAttemptEvent(listed.slice(0, 1), s), undefined);
  assert.equal(reportQuery(s), { phone_number: '0934890883', alarm: true, from_date: '2026-12-07T03:47:50.000Z' });
  // The `*` transfer number for another queue; the title's time is the tenant's.
  const other = opened(missedCall(undefined, miss('c2', clock.now(), { queueId: 'q_support' }), cfg));
  const call = due(other, other.dueAt!, cfg);
  assert.is(call.kind === 'call' && callbackAlarm(call.recovery, 1).phonenumber_transfer, '1001');
  assert.is(eventTitle(r, 'UTC'), 'Gọi lại 0934890883 – cuộc gọi nhỡ 03:42');
  assert.throws(
    () => callbackEvent(r, cfg),
    (e: Error) => e instanceof NoAttemptError,
  );
});

test('the callback call: inbound from the number to the transfer number within 15 min, answered → by callback', () => {
  const cfg = config();
  const clock = new FakeClock(vn('2026-12-07T10:00'));
  const d = driver(cfg, clock);
  let r = opened(missedCall(undefined, miss('c1', clock.now()), cfg));
  r = d.at(r, r.dueAt!);
  const a = r.attempt!.at;
  const cb: ReachedInput = {
    callId: 'cb1',
    direction: 'inbound',
    number: '+84934890883',
    dialled: ['028 7301 9555'],
    startedAt: a + 40_000,
    answeredAt: a + 52_000,
  };
  assert.ok(isCallbackCall(r, cb));
  assert.not.ok(isCallbackCall(r, { ...cb, dialled: ['1001'] }), 'another number');
  assert.not.ok(isCallbackCall(r, { ...cb, startedAt: a + 16 * MIN }), 'after the window');
  assert.not.ok(isCallbackCall(r, { ...cb, direction: 'outbound' }));
  const done = personReached(r, cb)!;
  assert.equal(
    [done.status, done.by, done.recoveredCallId, done.attempt?.reportAt],
    ['recovered', 'callback', 'cb1', undefined],
  );
  assert.is(d.at(done, a + HOUR), done, 'no report read once recovered');
  assert.is(d.reads.length, 0);
  // The same call after the window is the customer calling in: by inbound.
  assert.is(personReached(r, { ...cb, startedAt: a + 20 * MIN })!.by, 'inbound');
});

test.run();
