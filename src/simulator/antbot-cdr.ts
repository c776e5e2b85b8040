// The simulated AntBot's report (seed: Report, GET /cdr/): rows of campaign calls (seeded) and of alarm calls (one
// per fired alarm, `alarm: true`), filtered by phone_number, alarm, from_date / to_date (on starting_date),
// disposition and callid, in DRF pages; a bad filter value is a 400 with DRF's field errors.
import { randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';

export type SimCallDisposition = 'ANSWER' | 'NOANSWER' | 'BUSY' | 'FAILED';
/** How Alice's call ended. */
export interface SimCallbackResult {
  disposition: SimCallDisposition;
  billsec?: number;
  duration?: number;
  hangup_cause?: string;
}
export interface SimCdr {
  id: number;
  callid: string;
  callerid: string;
  phone_number: string;
  starting_date: string;
  duration: number;
  billsec: number;
  disposition: SimCallDisposition;
  hangup_cause: string;
  sip_term_status: number | null;
  endpoint_disposition: string;
  campaign: number | null;
  alarm: boolean;
  otp: boolean;
}

const CAUSE: Record<SimCallDisposition, [string, number]> = {
  ANSWER: ['NORMAL_CLEARING', 200],
  NOANSWER: ['NO_ANSWER', 480],
  BUSY: ['USER_BUSY', 486],
  FAILED: ['CALL_REJECTED', 503],
};

/** A report row for a call to `phone` that started at `startedAt` (unix ms). */
export function cdrRow(
  id: number,
  phone: string,
  startedAt: number,
  r: SimCallbackResult,
  o: { alarm: boolean; campaign?: number; callerid?: string; callid?: string },
): SimCdr {
  const billsec = r.billsec ?? (r.disposition === 'ANSWER' ? 25 : 0);
  return {
    id,
    callid: o.callid ?? randomUUID(),
    callerid: o.callerid ?? 'alice',
    phone_number: phone,
    starting_date: new Date(startedAt).toISOString(),
    duration: r.duration ?? billsec + 18,
    billsec,
    disposition: r.disposition,
    hangup_cause: r.hangup_cause ?? CAUSE[r.disposition][0],
    sip_term_status: CAUSE[r.disposition][1],
    endpoint_disposition: r.disposition,
    campaign: o.campaign ?? null,
    alarm: o.alarm,
    otp: false,
  };
}

/** Two campaign calls (not alarms), one to a number the demo's missed calls also use. */
export function seededCdr(): SimCdr[] {
  const campaign = { alarm: false, campaign: 23, callerid: 'campaign' };
  return [
    cdrRow(
      1,
      '0934890883',
      Date.parse('2026-01-05T02:00:00Z'),
      { disposition: 'ANSWER', billsec: 31 },
      {
        ...campaign,
        callid: 'seed-1',
      },
    ),
    cdrRow(
      2,
      '0912345678',
      Date.parse('2026-01-05T02:05:00Z'),
      { disposition: 'NOANSWER' },
      {
        ...campaign,
        callid: 'seed-2',
      },
    ),
  ];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const dateOf = (v: unknown): number | undefined => {
  const t = typeof v === 'string' && v.length <= 40 ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
};

export function cdrRoute(
  router: Router,
  d: {
    authed(req: Request, res: Response): boolean;
    page<T>(req: Request, res: Response, items: T[]): void;
    rows(): SimCdr[];
  },
): void {
  router.get('/cdr/', (req, res) => {
    if (!d.authed(req, res)) return;
    const q = req.query as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const from = q.from_date === undefined ? undefined : dateOf(q.from_date);
    const to = q.to_date === undefined ? undefined : dateOf(q.to_date);
    if (q.from_date !== undefined && from === undefined) errors.from_date = ['Enter a valid date/time.'];
    if (q.to_date !== undefined && to === undefined) errors.to_date = ['Enter a valid date/time.'];
    const alarm = str(q.alarm)?.toLowerCase();
    if (alarm !== undefined && !['true', 'false', '1', '0'].includes(alarm)) errors.alarm = ['Enter a valid boolean.'];
    if (Object.keys(errors).length) return void res.status(400).json(errors);
    const rows = d.rows().filter((r) => {
      const at = Date.parse(r.starting_date);
      return (
        (q.phone_number === undefined || r.phone_number === str(q.phone_number)) &&
        (alarm === undefined || r.alarm === (alarm === 'true' || alarm === '1')) &&
        (from === undefined || at >= from) &&
        (to === undefined || at <= to) &&
        (q.disposition === undefined || r.disposition === str(q.disposition)?.toUpperCase()) &&
        (q.callid === undefined || r.callid === str(q.callid))
      );
    });
    d.page(req, res, rows);
  });
}
