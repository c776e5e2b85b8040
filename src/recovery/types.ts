// Missed-call recovery (contract §9): the recovery record the bridge keeps per tenant and number, and what clients
// see of it (§9.3: the `recovery` field of a missed call's views, `recovers` / `callback` on the call that recovers
// it, the dashboard's `recovery` figures). The record is here; what clients see is in contract.ts.
import type { AntBotId } from '../antbot/calendar.js';

import type { RecoveredBy, RecoveryStatus } from '../contract.js';

// The client-facing shapes are defined once, in contract.ts.
export {
  RECOVERED_BY,
  RECOVERY_STATUSES,
  type RecoveredBy,
  type RecoversFields,
  type RecoveryFigures,
  type RecoveryStatus,
  type RecoveryView,
} from '../contract.js';

/** How an AntBot attempt ended when it did not recover the number. */
export type AttemptResult = 'no_answer' | 'busy' | 'failed' | 'transfer_unanswered';

/** One missed (or abandoned) call that opened or joined a recovery. */
export interface MissedCall {
  callId: string;
  /** When it rang (unix ms): the `<HH:mm>` of the event title. */
  startedAt: number;
  /** When it ended as missed (unix ms): the delay runs from here. */
  endedAt: number;
  queueId?: string;
}

/** The current (or last) AntBot attempt. */
export interface RecoveryAttempt {
  /** 1-based. */
  n: number;
  /** When the attempt was due and taken (unix ms): the event `start`, the alarm `date_start_notice`, `from_date`. */
  at: number;
  /** `phonenumber_transfer`. */
  transferTo: string;
  eventId?: AntBotId;
  alarmId?: AntBotId;
  /** When the report is read next (unix ms); unset once the attempt is decided. */
  reportAt?: number;
  /** The report said answered: the callback call is awaited until the callback window ends. */
  reportAnswered?: boolean;
  result?: AttemptResult;
}

export interface Recovery {
  /** The first missed call's callId (stable, unique). */
  id: string;
  tenant: string;
  /** The number in matching form (Vietnamese: current national form; foreign: compact E.164). */
  number: string;
  /** The number as dialled in Vietnam (`alarm_phonenumber`, the event title, the report's `phone_number`). */
  dial: string;
  status: RecoveryStatus;
  by?: RecoveredBy;
  /** Oldest first; the first opened the recovery. */
  missed: MissedCall[];
  openedAt: number;
  /** While open, or scheduled between attempts: when AntBot may call (inside the calling hours). */
  dueAt?: number;
  /** AntBot attempts made (alarms created or being created). */
  attempts: number;
  attempt?: RecoveryAttempt;
  recoveredAt?: number;
  recoveredCallId?: string;
  /** When it became recovered or unreached. */
  closedAt?: number;
  /** The stored record's revision (recovery-wiring/store.ts: a write based on an older one is refused). */
  rev?: number;
}
