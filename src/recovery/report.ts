// Reading AntBot's report for an attempt (§9.2): `GET /cdr/` with the number as dialled, `alarm=true` and
// `from_date` = the attempt's time; read from delaySec after the alarm, then every delaySec but never more often
// than every 60 s, until it shows the attempt or the callback call has recovered the number. A row saying not
// answered / busy / failed ends the attempt; answered: the callback call is awaited until the callback window ends
// (an answered call that no agent took ends the attempt then); a report that cannot be read, or an unknown word, is
// read again, never guessed.
import { type CdrQuery, type CdrRecord, cdrDisposition } from '../antbot/calendar.js';
import type { CallbacksSettings } from './config.js';
import { attemptFailed, CALLBACK_WINDOW_MS } from './model.js';
import { recoveryNumber } from './numbers.js';
import type { Recovery } from './types.js';

export const MIN_REPORT_INTERVAL_MS = 60_000;

/** The wait between two reads of one attempt's report. */
export function reportInterval(cfg: Pick<CallbacksSettings, 'delaySec'>): number {
  return Math.max(cfg.delaySec * 1000, MIN_REPORT_INTERVAL_MS);
}

export function reportQuery(r: Recovery): CdrQuery | undefined {
  if (!r.attempt) return undefined;
  return { phone_number: r.dial, alarm: true, from_date: new Date(r.attempt.at).toISOString() };
}

/** True when the current attempt's report should be read now. */
export function reportDue(r: Recovery, now: number): boolean {
  return r.status === 'scheduled' && r.attempt?.reportAt !== undefined && now >= r.attempt.reportAt;
}

export type ReportResult =
  | { kind: 'wait'; recovery: Recovery }
  | { kind: 'next_attempt'; recovery: Recovery }
  | { kind: 'unreached'; recovery: Recovery };

/** This attempt's row: the number's latest alarm row not older than the attempt. */
export function attemptRow(r: Recovery, rows: CdrRecord[]): CdrRecord | undefined {
  const since = r.attempt?.at ?? Number.POSITIVE_INFINITY;
  const mine = rows.filter(
    (x) => x.alarm !== false && recoveryNumber(x.phone_number) === r.number && (x.at === undefined || x.at >= since),
  );
  return mine.reduce<CdrRecord | undefined>(
    (best, x) => (!best || (x.at ?? 0) >= (best.at ?? 0) ? x : best),
    undefined,
  );
}

function later(r: Recovery, at: number, answered?: boolean): Recovery {
  const attempt = { ...r.attempt!, reportAt: at };
  if (answered) attempt.reportAnswered = true;
  return { ...r, attempt };
}

/** The report was read: the rows of GET /cdr/ for reportQuery(r). */
export function reportRead(r: Recovery, rows: CdrRecord[], now: number, cfg: CallbacksSettings): ReportResult {
  if (r.status !== 'scheduled' || !r.attempt) return { kind: 'wait', recovery: r };
  const row = attemptRow(r, rows);
  const what = row ? cdrDisposition(row) : undefined;
  if (what === undefined || what === 'unknown') return { kind: 'wait', recovery: later(r, now + reportInterval(cfg)) };
  if (what === 'answered') {
    const windowEnd = r.attempt.at + CALLBACK_WINDOW_MS;
    if (now < windowEnd)
      return { kind: 'wait', recovery: later(r, Math.max(windowEnd, now + MIN_REPORT_INTERVAL_MS), true) };
    return decided(attemptFailed(r, 'transfer_unanswered', now, cfg));
  }
  return decided(attemptFailed(r, what, now, cfg));
}

function decided(next: Recovery): ReportResult {
  return next.status === 'unreached' ? { kind: 'unreached', recovery: next } : { kind: 'next_attempt', recovery: next };
}

/** The report could not be read (AntBot down, refusing, unusable answer): read it again later. */
export function reportUnreadable(r: Recovery, now: number, cfg: CallbacksSettings): Recovery {
  if (r.status !== 'scheduled' || !r.attempt) return r;
  return later(r, now + reportInterval(cfg), r.attempt.reportAnswered);
}
