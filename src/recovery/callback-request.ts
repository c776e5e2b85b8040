// What the bridge sends AntBot for one attempt (§9.2): the calendar event (`POST /event/`) and the alarm
// (`POST /alarm/`) that makes Alice call the customer and transfer an answered call to the transfer number. Built
// from the persisted recovery alone, so a retried delivery sends the same bodies.
import type { AntBotAlarmInput, AntBotEventInput, AntBotId } from '../antbot/calendar.js';
import { coded } from '../shared/error-catalogue.js';
import type { CallbacksOn } from './config.js';
import { CALLBACK_WINDOW_MS } from './model.js';
import type { Recovery } from './types.js';
import { localHHmm } from './zoned.js';

export class NoAttemptError extends coded('RECOVERY_NO_ATTEMPT') {
  override readonly name = 'NoAttemptError';
  constructor(readonly recoveryId: string) {
    super(`recovery ${recoveryId} has no AntBot attempt`);
  }
}

/** `Gọi lại <number> – cuộc gọi nhỡ <HH:mm>`: the number as dialled, the first missed call's local time. */
export function eventTitle(r: Pick<Recovery, 'dial' | 'missed' | 'openedAt'>, timeZone: string): string {
  return `Gọi lại ${r.dial} – cuộc gọi nhỡ ${localHHmm(r.missed[0]?.startedAt ?? r.openedAt, timeZone)}`;
}

/** The event's description: names the recovery and the attempt, so a lost answer can be found again. */
export function attemptMarker(r: Pick<Recovery, 'id' | 'attempt'>): string {
  return `antring-bridge recovery ${r.id} attempt ${r.attempt?.n ?? 0}`;
}

/** The attempt's event among AntBot's (GET /event/), when its creation was answered but the answer lost. */
export function findAttemptEvent<E extends { description?: string }>(events: E[], r: Recovery): E | undefined {
  const marker = attemptMarker(r);
  return events.find((e) => e.description === marker);
}

/** The event: title, start = the attempt's time, end = start + 15 min, creator, calendar; the description names
 *  the recovery and the attempt (a marker to find it again). */
export function callbackEvent(r: Recovery, cfg: CallbacksOn): AntBotEventInput {
  const a = r.attempt;
  if (!a) throw new NoAttemptError(r.id);
  return {
    title: eventTitle(r, cfg.timeZone),
    description: attemptMarker(r),
    start: new Date(a.at).toISOString(),
    end: new Date(a.at + CALLBACK_WINDOW_MS).toISOString(),
    creator: cfg.creator,
    calendar: cfg.calendar,
  };
}

/** The alarm: the number as dialled in Vietnam, now, the transfer number, the event. */
export function callbackAlarm(r: Recovery, eventId: AntBotId): AntBotAlarmInput {
  const a = r.attempt;
  if (!a) throw new NoAttemptError(r.id);
  return {
    alarm_phonenumber: r.dial,
    date_start_notice: new Date(a.at).toISOString(),
    phonenumber_transfer: a.transferTo,
    event: eventId,
  };
}
