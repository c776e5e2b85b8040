// AntBot's calendar and report resources as the bridge uses them (seed: "Create Event", "Create Alarm", "Report"):
// the request bodies, exactly as documented, and defensive parsers (zod) of the answers. A created object is the DRF
// serialisation of it: its id as `id`, or only a hyperlink `url` ending in `/<id>/` (HyperlinkedModelSerializer, as
// Newfies-Dialer answers). Report rows carry the fields the seed lists as filters; unknown fields are ignored.
import { z } from 'zod';

/** An AntBot object id as AntBot wrote it (a whole number, or a string id when it is not one). */
export type AntBotId = number | string;

/** POST /event/ body (seed: title, start, end required; creator a calendar user id; calendar a calendar id). */
export interface AntBotEventInput {
  title: string;
  description?: string;
  /** ISO 8601 UTC (`2020-02-15T09:30:39.177Z`). */
  start: string;
  end: string;
  creator: AntBotId;
  calendar: AntBotId;
}

/** POST /alarm/ body (seed: alarm_phonenumber and event required; date_start_notice default now). */
export interface AntBotAlarmInput {
  alarm_phonenumber: string;
  date_start_notice?: string;
  phonenumber_transfer?: string;
  event: AntBotId;
}

export interface AntBotCreated {
  id: AntBotId;
}

/** An event as GET /event/ lists it (what the bridge reads of it: finding an attempt's event again). */
export interface AntBotEvent {
  id: AntBotId;
  title?: string;
  description?: string;
  start?: string;
  calendar?: AntBotId;
}

/** An alarm as GET /alarm/ lists it. */
export interface AntBotAlarm {
  id: AntBotId;
  event?: AntBotId;
  alarm_phonenumber?: string;
  date_start_notice?: string;
  phonenumber_transfer?: string;
}

/** GET /cdr/ filters used by the bridge (seed: phone_number, alarm, from_date; `true`/`false` as query words). */
export interface CdrQuery {
  phone_number: string;
  alarm?: boolean;
  /** ISO 8601 UTC. */
  from_date?: string;
  to_date?: string;
}

/** What a report row says of the call. */
export type CdrDisposition = 'answered' | 'no_answer' | 'busy' | 'failed' | 'unknown';

/** One report row, as far as the bridge reads it. */
export interface CdrRecord {
  callid?: string;
  phone_number: string;
  /** Upper-case as AntBot wrote it (`ANSWER`, `NOANSWER`, `BUSY`, `FAILED`, …). */
  disposition?: string;
  hangup_cause?: string;
  duration?: number;
  billsec?: number;
  alarm?: boolean;
  /** Unix ms of the call, when the row names it (starting_date, start_date, calldate, created_date, date). */
  at?: number;
}

const idOf = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/),
]);

/** A created object → its id, or undefined (no usable `id`, no `url` ending in an id). */
export function parseCreated(body: unknown): AntBotCreated | undefined {
  const o = z.looseObject({ id: idOf.optional().catch(undefined), url: z.string().optional().catch(undefined) });
  const r = o.safeParse(body);
  if (!r.success) return undefined;
  const id = r.data.id ?? idFromUrl(r.data.url);
  if (id === undefined) return undefined;
  return { id: typeof id === 'string' && /^[0-9]{1,15}$/.test(id) ? Number(id) : id };
}

/** A reference to another object: its id, or its hyperlink. */
function refOf(v: unknown): AntBotId | undefined {
  const r = idOf.safeParse(v);
  const raw = r.success ? r.data : typeof v === 'string' ? idFromUrl(v) : undefined;
  return typeof raw === 'string' && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : raw;
}

/** A listed event, or undefined without an id. */
export function parseEvent(item: unknown): AntBotEvent | undefined {
  const created = parseCreated(item);
  if (!created) return undefined;
  const o = item as Record<string, unknown>;
  const e: AntBotEvent = { id: created.id };
  for (const k of ['title', 'description', 'start'] as const) {
    const v = o[k];
    if (typeof v === 'string' && v.length <= 2000) e[k] = v;
  }
  const calendar = refOf(o.calendar);
  if (calendar !== undefined) e.calendar = calendar;
  return e;
}

/** A listed alarm, or undefined without an id. */
export function parseAlarm(item: unknown): AntBotAlarm | undefined {
  const created = parseCreated(item);
  if (!created) return undefined;
  const o = item as Record<string, unknown>;
  const a: AntBotAlarm = { id: created.id };
  for (const k of ['alarm_phonenumber', 'date_start_notice', 'phonenumber_transfer'] as const) {
    const v = o[k];
    if (typeof v === 'string' && v.length <= 64) a[k] = v;
  }
  const event = refOf(o.event);
  if (event !== undefined) a.event = event;
  return a;
}

function idFromUrl(url: string | undefined): string | undefined {
  const m = url === undefined ? null : /\/([A-Za-z0-9_-]{1,64})\/?(?:[?#].*)?$/.exec(url);
  return m?.[1];
}

const text = (max: number) =>
  z
    .union([z.string(), z.number().finite()])
    .transform((v) => String(v).trim())
    .pipe(z.string().min(1).max(max))
    .optional()
    .catch(undefined);
const count = z.coerce.number().finite().nonnegative().optional().catch(undefined);
const flag = z
  .union([z.boolean(), z.enum(['true', 'false', 'True', 'False', '1', '0'])])
  .transform((v) => v === true || v === 'true' || v === 'True' || v === '1')
  .optional()
  .catch(undefined);
const DATE_FIELDS = ['starting_date', 'start_date', 'calldate', 'created_date', 'date'] as const;

const cdrRow = z.looseObject({
  callid: text(128),
  phone_number: text(64),
  disposition: text(40),
  hangup_cause: text(64),
  duration: count,
  billsec: count,
  alarm: flag,
});

/** A report row, or undefined when it names no phone number (counted by the caller). */
export function parseCdrRecord(item: unknown): CdrRecord | undefined {
  const r = cdrRow.safeParse(item);
  if (!r.success || r.data.phone_number === undefined) return undefined;
  const d = r.data;
  const rec: CdrRecord = { phone_number: d.phone_number as string };
  if (d.callid !== undefined) rec.callid = d.callid;
  if (d.disposition !== undefined) rec.disposition = d.disposition.toUpperCase();
  if (d.hangup_cause !== undefined) rec.hangup_cause = d.hangup_cause.toUpperCase();
  if (d.duration !== undefined) rec.duration = d.duration;
  if (d.billsec !== undefined) rec.billsec = d.billsec;
  if (d.alarm !== undefined) rec.alarm = d.alarm;
  const o = item as Record<string, unknown>;
  for (const k of DATE_FIELDS) {
    const v = o[k];
    const at = typeof v === 'string' && v.length <= 40 ? Date.parse(v) : NaN;
    if (Number.isFinite(at)) {
      rec.at = at;
      break;
    }
  }
  return rec;
}

const ANSWERED = new Set(['ANSWER', 'ANSWERED', 'NORMAL_CLEARING', 'SUCCESS']);
const NO_ANSWER = new Set(['NOANSWER', 'NO ANSWER', 'NO_ANSWER', 'NO_USER_RESPONSE', 'CANCEL', 'ORIGINATOR_CANCEL']);
const BUSY = new Set(['BUSY', 'USER_BUSY']);
const FAILED = new Set([
  'FAILED',
  'FAIL',
  'CONGESTION',
  'CHANUNAVAIL',
  'CALL_REJECTED',
  'UNALLOCATED_NUMBER',
  'NO_ROUTE_DESTINATION',
  'INVALID_NUMBER_FORMAT',
  'NORMAL_TEMPORARY_FAILURE',
  'DONTCALL',
]);

/** The row's outcome: its `disposition` (Asterisk/FreeSWITCH words), else its `hangup_cause`; else unknown. */
export function cdrDisposition(r: Pick<CdrRecord, 'disposition' | 'hangup_cause'>): CdrDisposition {
  for (const w of [r.disposition, r.hangup_cause]) {
    if (w === undefined) continue;
    if (ANSWERED.has(w)) return 'answered';
    if (NO_ANSWER.has(w)) return 'no_answer';
    if (BUSY.has(w)) return 'busy';
    if (FAILED.has(w)) return 'failed';
  }
  return 'unknown';
}

/** The query string of GET /cdr/ (booleans as `true`/`false`). */
export function cdrSearch(q: CdrQuery): string {
  const p = new URLSearchParams({ phone_number: q.phone_number });
  if (q.alarm !== undefined) p.set('alarm', q.alarm ? 'true' : 'false');
  if (q.from_date !== undefined) p.set('from_date', q.from_date);
  if (q.to_date !== undefined) p.set('to_date', q.to_date);
  return p.toString();
}
