// The recovery's outbox jobs (recovery-wiring/jobs.ts) with a fake clock, a recording outbox and a scripted AntBot:
// a recovery due at 20:10 with hours 08:00-20:00 waits (a delayed wake at 08:00, no AntBot call); at 08:00 the
// attempt is saved `scheduled` before any AntBot call; a retried attempt whose event was created (answer lost) finds
// it by its marker and creates only the alarm; AntBot down → retried, nothing created twice.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AntBotAlarm, AntBotEvent } from '../../src/antbot/calendar.js';
import { createLogger } from '../../src/log.js';
import type { DeliveryHandler, EnqueueOptions } from '../../src/outbox/types.js';
import { missedCall } from '../../src/recovery/model.js';
import { RecoveryBook } from '../../src/recovery-wiring/book.js';
import { ATTEMPT_TARGET, RecoveryJobs, WAKE_TARGET, wakeKey } from '../../src/recovery-wiring/jobs.js';
import { MemoryRecoveryStore } from '../../src/recovery-wiring/store.js';
import { FakeClock } from '../helpers/clock.js';
import { config, miss, vn } from './recovery-fixture.js';

function setup(t0: number) {
  const clock = new FakeClock(t0);
  const cfg = config();
  const store = new MemoryRecoveryStore();
  const book = new RecoveryBook(store);
  const handlers = new Map<string, DeliveryHandler>();
  const enqueued: { key: string; target: string; payload: unknown; notBefore?: number }[] = [];
  const outbox = {
    handle: (target: string, h: DeliveryHandler) => void handlers.set(target, h),
    enqueue: async (key: string, target: string, payload: unknown, o?: EnqueueOptions) => {
      if (enqueued.some((e) => e.key === key)) return false;
      enqueued.push({ key, target, payload, ...(o?.notBefore !== undefined ? { notBefore: o.notBefore } : {}) });
      return true;
    },
  };
  const events: AntBotEvent[] = [];
  const alarms: AntBotAlarm[] = [];
  const bot = {
    down: false,
    loseAnswer: false,
    calls: [] as string[],
    createEvent: async (e: { description?: string; calendar: number | string }) => {
      bot.calls.push('createEvent');
      if (bot.down) throw Object.assign(new Error('down'), { name: 'AntBotNetworkError' });
      events.push({ id: events.length + 1, description: e.description, calendar: e.calendar });
      if (bot.loseAnswer) throw Object.assign(new Error('lost'), { name: 'AntBotNetworkError' });
      return { id: events.length };
    },
    createAlarm: async (a: { event: number | string }) => {
      bot.calls.push('createAlarm');
      if (bot.down) throw Object.assign(new Error('down'), { name: 'AntBotNetworkError' });
      alarms.push({ id: alarms.length + 1, event: a.event });
      return { id: alarms.length };
    },
    listEvents: async () => {
      bot.calls.push('listEvents');
      return [...events];
    },
    listAlarms: async (q: { event?: number | string }) => {
      bot.calls.push('listAlarms');
      return alarms.filter((a) => a.event === q.event);
    },
    cdrReport: async () => {
      bot.calls.push('cdrReport');
      return [];
    },
  };
  const jobs = new RecoveryJobs({ outbox, book, cfg, antbot: bot, now: clock.now, logger: createLogger('silent') });
  const run = (target: string, key: string, payload: unknown, attempt = 1) =>
    handlers.get(target)!({ key, target, payload: payload as never, attempt, signal: new AbortController().signal });
  return { clock, cfg, book, jobs, enqueued, bot, events, alarms, run };
}

const test = suite('recovery jobs');

test('due at 20:10 with hours 08:00-20:00: the wake waits for 08:00, no AntBot call before', async () => {
  const s = setup(vn('2026-12-07T20:04:40'));
  await s.book.change({ number: '0934890883' }, (cur) => {
    const r = missedCall(cur, miss('c1', s.clock.now()), s.cfg);
    return { next: r.kind === 'ignored' ? undefined : r.recovery, out: undefined };
  });
  await s.jobs.drain();
  const wake = s.enqueued.find((e) => e.target === WAKE_TARGET)!;
  assert.is(wake.notBefore, vn('2026-12-08T08:00'), 'one delayed wake, at the next opening');
  assert.is(wake.key, wakeKey('c1', vn('2026-12-08T08:00')));
  s.clock.t = vn('2026-12-08T08:00');
  assert.is((await s.run(WAKE_TARGET, wake.key, wake.payload)).kind, 'ok');
  assert.is(s.book.get('c1')?.status, 'scheduled', 'saved scheduled before AntBot is called');
  assert.equal(s.bot.calls, [], 'the wake itself calls no AntBot');
  const attempt = s.enqueued.find((e) => e.target === ATTEMPT_TARGET)!;
  assert.is(attempt.key, 'recovery:c1:attempt:1');
  assert.is((await s.run(ATTEMPT_TARGET, attempt.key, attempt.payload)).kind, 'ok');
  assert.equal([s.events.length, s.alarms.length], [1, 1]);
  assert.equal([s.book.get('c1')?.attempt?.eventId, s.book.get('c1')?.attempt?.alarmId], [1, 1]);
});

test('an attempt retried after its event was created (answer lost) → found by its marker, only the alarm created', async () => {
  const s = setup(vn('2026-12-07T10:00'));
  await s.book.change({ number: '0934890883' }, (cur) => {
    const r = missedCall(cur, miss('c2', s.clock.now()), s.cfg);
    return { next: r.kind === 'ignored' ? undefined : r.recovery, out: undefined };
  });
  s.clock.t += 10 * 60_000;
  const wake = s.enqueued.find((e) => e.target === WAKE_TARGET)!;
  await s.run(WAKE_TARGET, wake.key, wake.payload);
  const attempt = s.enqueued.find((e) => e.target === ATTEMPT_TARGET)!;
  s.bot.loseAnswer = true;
  assert.is((await s.run(ATTEMPT_TARGET, attempt.key, attempt.payload)).kind, 'retry');
  s.bot.loseAnswer = false;
  s.bot.down = true;
  assert.is((await s.run(ATTEMPT_TARGET, attempt.key, attempt.payload, 2)).kind, 'retry', 'AntBot down: retried');
  s.bot.down = false;
  assert.is((await s.run(ATTEMPT_TARGET, attempt.key, attempt.payload, 3)).kind, 'ok');
  assert.equal([s.events.length, s.alarms.length], [1, 1], 'one event, one alarm');
  assert.is(s.alarms[0].event, s.events[0].id);
  // A fourth run (a stalled claim taken over) creates nothing.
  assert.is((await s.run(ATTEMPT_TARGET, attempt.key, attempt.payload, 4)).kind, 'ok');
  assert.equal([s.events.length, s.alarms.length], [1, 1]);
});

test.run();
