// The recovery model's test fixture: a callbacks config, missed-call inputs, and the wiring in miniature (time moves,
// due recoveries "call AntBot" by building the event and the alarm, due reports are read from scripted rows).
import type { AntBotAlarmInput, AntBotEventInput, CdrRecord } from '../../src/antbot/calendar.js';
import { callbackAlarm, callbackEvent } from '../../src/recovery/callback-request.js';
import { type CallbacksOn, callbacksSchema } from '../../src/recovery/config.js';
import { attemptCreated, due, type MissedCallInput, type missedCall } from '../../src/recovery/model.js';
import { reportDue, reportRead, reportUnreadable } from '../../src/recovery/report.js';
import type { Recovery } from '../../src/recovery/types.js';
import type { FakeClock } from '../helpers/clock.js';

export const vn = (local: string) => Date.parse(`${local}+07:00`);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const NUMBER = '0934890883';

export function config(extra: Record<string, unknown> = {}): CallbacksOn {
  const c = callbacksSchema().parse({
    enabled: true,
    calendar: 7,
    creator: 115,
    transferTo: { q_sales: '02873019555', '*': '1001' },
    ...extra,
  });
  if (!c.enabled) throw new Error('expected enabled');
  return c;
}

/** A missed call that rang at `at` for 20 s. */
export const miss = (callId: string, at: number, o: Partial<MissedCallInput> = {}): MissedCallInput => ({
  tenant: 'acme',
  callId,
  from: '+84 934 890 883',
  startedAt: at,
  endedAt: at + 20_000,
  queueId: 'q_sales',
  onDnc: false,
  ...o,
});

/** The wiring in miniature: time moves, due recoveries call AntBot, due reports are read. */
export function driver(cfg: CallbacksOn, clock: FakeClock) {
  const events: AntBotEventInput[] = [];
  const alarms: AntBotAlarmInput[] = [];
  let rows: CdrRecord[] = [];
  let reportDown = false;
  const reads: number[] = [];
  const step = (r: Recovery): Recovery => {
    const now = clock.now();
    const d = due(r, now, cfg);
    if (d.kind === 'call') {
      events.push(callbackEvent(d.recovery, cfg));
      alarms.push(callbackAlarm(d.recovery, 8 + events.length));
      return attemptCreated(d.recovery, { eventId: 8 + events.length, alarmId: 30 + alarms.length });
    }
    if (d.kind === 'wait') return d.recovery;
    if (reportDue(r, now)) {
      reads.push(now);
      if (reportDown) return reportUnreadable(r, now, cfg);
      return reportRead(r, rows, now, cfg).recovery;
    }
    return r;
  };
  return {
    events,
    alarms,
    reads,
    step,
    setRows: (r: CdrRecord[]) => void (rows = r),
    setReportDown: (down: boolean) => void (reportDown = down),
    /** Moves the clock to `at` and steps once. */
    at: (r: Recovery, at: number) => {
      clock.t = at;
      return step(r);
    },
  };
}

export function opened(r: ReturnType<typeof missedCall>): Recovery {
  if (r.kind !== 'opened' && r.kind !== 'joined') throw new Error(`expected a recovery, got ${JSON.stringify(r)}`);
  return r.recovery;
}
