// The simulated AntBot's calendar (seed: Calendar, Create Event, Create Alarm, Report): a seeded calendar user and
// calendar, POST/GET /calendar/, /event/, /alarm/ with DRF-style validation (400 `{ field: [...] }`, 201 with the
// created object), and GET /cdr/ (filters phone_number, alarm, from_date, to_date, disposition, callid; DRF pages).
// An alarm fires at its `date_start_notice`: the `onAlarm` hook places Alice's call (the wiring connects it to the
// simulated AntRing) and answers how it ended; that result becomes the alarm's report row (`alarm: true`).
import express, { type Request, type Response, type Router } from 'express';
import type { Clock } from '../clock.js';
import { cdrRoute, cdrRow, type SimCallbackResult, type SimCdr, seededCdr } from './antbot-cdr.js';

export type { SimCallbackResult, SimCallDisposition, SimCdr } from './antbot-cdr.js';

export const SIM_CALENDAR_USER = { id: 5, username: 'alice-callbacks', calendar_setting: 4 } as const;
export const SIM_CALENDAR = { id: 7, name: 'Gọi lại khách hàng nhỡ', user: SIM_CALENDAR_USER.id } as const;

export interface SimCalendar {
  id: number;
  name: string;
  user: number;
}
export interface SimEvent {
  id: number;
  title: string;
  description: string;
  start: string;
  end: string;
  creator: number;
  calendar: number;
  created_date: string;
}
export type SimAlarmStatus = 'pending' | 'calling' | 'done';
export interface SimAlarm {
  id: number;
  event: number;
  alarm_phonenumber: string;
  date_start_notice: string;
  phonenumber_transfer: string;
  status: SimAlarmStatus;
  created_date: string;
}
/** Places Alice's call for a fired alarm and says how it ended (undefined: the default outcome). */
/** `scripted`: the outcome a test scripted for this number (scriptOutcome), which the call should follow. */
export type AlarmHook = (
  alarm: SimAlarm,
  scripted?: SimCallbackResult,
) => SimCallbackResult | undefined | Promise<SimCallbackResult | undefined>;

export interface CalendarDeps {
  clock: Clock;
  authed(req: Request, res: Response): boolean;
  page<T>(req: Request, res: Response, items: T[]): void;
  /** Write, then destroy the connection without an answer (the "answer lost" window). */
  loseAnswer(): boolean;
}

export interface SimCalendarApi {
  calendars(): SimCalendar[];
  events(): SimEvent[];
  alarms(): SimAlarm[];
  /** Every report row, alarm calls and the seeded campaign calls. */
  cdr(): SimCdr[];
  /** The hook that places Alice's call (one; a second call replaces it). */
  onAlarm(hook: AlarmHook | undefined): void;
  /** The outcome of the next alarm calls to this number (as dialled), in order; then the default. */
  scriptOutcome(phone: string, ...results: SimCallbackResult[]): void;
  /** Outcome when neither a hook nor a script says: NOANSWER (nothing placed the call). */
  defaultOutcome: SimCallbackResult;
  /** Alarm calls whose hook threw (recorded as FAILED). */
  hookErrors(): number;
  /** Cancels the alarms' timers (pending alarms never fire). Idempotent. */
  stop(): void;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const idOf = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]{1,9}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};
const dateOf = (v: unknown): number | undefined => {
  const t = typeof v === 'string' && v.length <= 40 ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
};
const REQUIRED = 'This field is required.';
const BAD_DATE =
  'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
const pk = (id: unknown) => `Invalid pk "${String(id)}" - object does not exist.`;

export function calendarRoutes(router: Router, d: CalendarDeps): SimCalendarApi {
  const calendars: SimCalendar[] = [{ ...SIM_CALENDAR }];
  const events: SimEvent[] = [];
  const alarms: SimAlarm[] = [];
  const cdr = seededCdr();
  const scripts = new Map<string, SimCallbackResult[]>();
  const timers = new Set<unknown>();
  let hook: AlarmHook | undefined;
  let hookErrors = 0;
  let stopped = false;
  const iso = (t: number) => new Date(t).toISOString();
  const json = express.json({ limit: '16kb' });
  const api: SimCalendarApi = {
    calendars: () => calendars.map((c) => ({ ...c })),
    events: () => events.map((e) => ({ ...e })),
    alarms: () => alarms.map((a) => ({ ...a })),
    cdr: () => cdr.map((r) => ({ ...r })),
    onAlarm: (h) => void (hook = h),
    scriptOutcome: (phone, ...results) => void scripts.set(phone, [...(scripts.get(phone) ?? []), ...results]),
    defaultOutcome: { disposition: 'NOANSWER', hangup_cause: 'NO_ANSWER' },
    hookErrors: () => hookErrors,
    stop() {
      stopped = true;
      for (const t of timers) d.clock.clearTimeout(t);
      timers.clear();
    },
  };

  /** 400 with DRF's field errors when any, else false. */
  const invalid = (res: Response, errors: Record<string, string[]>): boolean => {
    if (Object.keys(errors).length === 0) return false;
    res.status(400).json(errors);
    return true;
  };
  const created = (res: Response, body: object): void => {
    if (d.loseAnswer()) return void res.socket?.destroy();
    res.status(201).json(body);
  };
  const body = (req: Request) => (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;

  router.get('/calendar/', (req, res) => d.authed(req, res) && d.page(req, res, api.calendars()));
  router.post('/calendar/', json, (req, res) => {
    if (!d.authed(req, res)) return;
    const b = body(req);
    const name = str(b.name)?.trim();
    const user = idOf(b.user);
    const errors: Record<string, string[]> = {};
    if (!name) errors.name = [REQUIRED];
    if (b.user === undefined) errors.user = [REQUIRED];
    else if (user !== SIM_CALENDAR_USER.id) errors.user = [pk(b.user)];
    if (invalid(res, errors)) return;
    const c = { id: calendars.length + SIM_CALENDAR.id, name: name!, user: user! };
    calendars.push(c);
    created(res, c);
  });

  router.get('/event/', (req, res) => {
    const calendar = (req.query as Record<string, unknown>).calendar;
    const items = api.events().filter((e) => calendar === undefined || e.calendar === idOf(calendar));
    if (d.authed(req, res)) d.page(req, res, items);
  });
  router.post('/event/', json, (req, res) => {
    if (!d.authed(req, res)) return;
    const b = body(req);
    const errors: Record<string, string[]> = {};
    const title = str(b.title)?.trim();
    const [start, end] = [dateOf(b.start), dateOf(b.end)];
    if (!title) errors.title = [REQUIRED];
    else if (title.length > 255) errors.title = ['Ensure this field has no more than 255 characters.'];
    if (b.start === undefined) errors.start = [REQUIRED];
    else if (start === undefined) errors.start = [BAD_DATE];
    if (b.end === undefined) errors.end = [REQUIRED];
    else if (end === undefined) errors.end = [BAD_DATE];
    if (start !== undefined && end !== undefined && end < start) errors.end = ['End must not be before start.'];
    if (b.creator !== undefined && idOf(b.creator) !== SIM_CALENDAR_USER.id) errors.creator = [pk(b.creator)];
    if (b.calendar !== undefined && !calendars.some((c) => c.id === idOf(b.calendar)))
      errors.calendar = [pk(b.calendar)];
    if (invalid(res, errors)) return;
    const e: SimEvent = {
      id: events.length + 1,
      title: title!,
      description: str(b.description) ?? '',
      start: iso(start!),
      end: iso(end!),
      creator: idOf(b.creator) ?? SIM_CALENDAR_USER.id,
      calendar: idOf(b.calendar) ?? SIM_CALENDAR.id,
      created_date: iso(d.clock.now()),
    };
    events.push(e);
    created(res, e);
  });

  router.get('/alarm/', (req, res) => {
    const event = (req.query as Record<string, unknown>).event;
    const items = api.alarms().filter((a) => event === undefined || a.event === idOf(event));
    if (d.authed(req, res)) d.page(req, res, items);
  });
  router.post('/alarm/', json, (req, res) => {
    if (!d.authed(req, res)) return;
    const b = body(req);
    const errors: Record<string, string[]> = {};
    const phone = str(b.alarm_phonenumber)?.trim();
    const notice = b.date_start_notice === undefined ? d.clock.now() : dateOf(b.date_start_notice);
    if (!phone) errors.alarm_phonenumber = [REQUIRED];
    else if (!/^\+?[0-9]{3,20}$/.test(phone)) errors.alarm_phonenumber = ['Enter a valid phone number.'];
    if (notice === undefined) errors.date_start_notice = [BAD_DATE];
    if (b.event === undefined) errors.event = [REQUIRED];
    else if (!events.some((e) => e.id === idOf(b.event))) errors.event = [pk(b.event)];
    const transfer = b.phonenumber_transfer === undefined ? '' : str(b.phonenumber_transfer)?.trim();
    if (transfer === undefined || (transfer !== '' && !/^\+?[0-9]{2,20}$/.test(transfer)))
      errors.phonenumber_transfer = ['Enter a valid phone number.'];
    if (invalid(res, errors)) return;
    const a: SimAlarm = {
      id: alarms.length + 1,
      event: idOf(b.event)!,
      alarm_phonenumber: phone!,
      date_start_notice: iso(notice!),
      phonenumber_transfer: transfer!,
      status: 'pending',
      created_date: iso(d.clock.now()),
    };
    alarms.push(a);
    schedule(a, notice!);
    created(res, a);
  });

  cdrRoute(router, { authed: d.authed, page: d.page, rows: () => cdr });

  function schedule(a: SimAlarm, at: number): void {
    if (stopped) return;
    const t = d.clock.setTimeout(
      () => {
        timers.delete(t);
        void fire(a);
      },
      Math.max(0, at - d.clock.now()),
    );
    timers.add(t);
  }

  async function fire(a: SimAlarm): Promise<void> {
    if (stopped) return;
    a.status = 'calling';
    const startedAt = d.clock.now();
    let result: SimCallbackResult | undefined;
    const scripted = scripts.get(a.alarm_phonenumber)?.shift();
    try {
      result = hook ? await hook({ ...a }, scripted) : undefined;
    } catch {
      hookErrors++;
      result = { disposition: 'FAILED', hangup_cause: 'NORMAL_TEMPORARY_FAILURE' };
    }
    result ??= scripted ?? api.defaultOutcome;
    a.status = 'done';
    cdr.push(cdrRow(cdr.length + 1, a.alarm_phonenumber, startedAt, result, { alarm: true }));
  }

  return api;
}
