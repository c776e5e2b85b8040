// A tenant's recoveries as delayed outbox jobs (contract §9.2). Two targets, each its own lane:
// - `antbot.recovery` `recovery:<id>:wake:<at>` (notBefore = at): the recovery's next moment (nextWakeAt: due, or
//   a report to read). It runs the model's transition on the stored record and schedules the next wake.
// - `antbot.callback` `recovery:<id>:attempt:<n>`: one AntBot attempt = one event + one alarm. Enqueued only after
//   the `scheduled` record (attempt n) is saved; the key makes it one job cluster-wide; a retried job (a SIGKILL or a
//   node's death mid-attempt, a lost answer) first looks the event up by its marker and the alarm by its event, so
//   AntBot gets exactly one of each per attempt.
import type { AntBotAlarm, AntBotEvent, AntBotId, CdrQuery, CdrRecord } from '../antbot/calendar.js';
import type { Logger } from '../log.js';
import type { DeliveryAttempt, DeliveryResult, Outbox } from '../outbox/types.js';
import { ok, retry } from '../outbox/types.js';
import { callbackAlarm, callbackEvent, findAttemptEvent } from '../recovery/callback-request.js';
import type { CallbacksOn } from '../recovery/config.js';
import { attemptCreated, due, isActive, nextWakeAt } from '../recovery/model.js';
import { reportDue, reportQuery, reportRead, reportUnreadable } from '../recovery/report.js';
import type { Recovery } from '../recovery/types.js';
import type { RecoveryBook } from './book.js';

export const WAKE_TARGET = 'antbot.recovery';
export const ATTEMPT_TARGET = 'antbot.callback';
export const wakeKey = (id: string, at: number) => `recovery:${id}:wake:${at}`;
export const attemptKey = (id: string, n: number) => `recovery:${id}:attempt:${n}`;

/** The AntBot calls a recovery makes (AntBotClient). */
export interface RecoveryAntBot {
  createEvent(input: ReturnType<typeof callbackEvent>): Promise<{ id: AntBotId }>;
  createAlarm(input: ReturnType<typeof callbackAlarm>): Promise<{ id: AntBotId }>;
  listEvents(q: { calendar?: AntBotId }): Promise<AntBotEvent[]>;
  listAlarms(q: { event?: AntBotId }): Promise<AntBotAlarm[]>;
  cdrReport(q: CdrQuery): Promise<CdrRecord[]>;
}

export interface RecoveryJobsOptions {
  outbox: Pick<Outbox, 'enqueue' | 'handle'>;
  book: RecoveryBook;
  cfg: CallbacksOn;
  antbot: RecoveryAntBot;
  /** A number now on the do-not-call list is not called (checked again before each attempt). */
  isBlocked?: (number: string) => Promise<boolean>;
  now: () => number;
  logger: Logger;
}

const errName = (err: unknown) => (err instanceof Error ? err.name : 'error');
const sameId = (a: AntBotId | undefined, b: AntBotId | undefined) => a !== undefined && String(a) === String(b);

export class RecoveryJobs {
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly o: RecoveryJobsOptions) {
    o.outbox.handle(WAKE_TARGET, (a) => this.wake(a));
    o.outbox.handle(ATTEMPT_TARGET, (a) => this.attempt(a));
    // Every saved change: its next jobs (after the save, so a job never acts on an unsaved state).
    this.unsubscribe = o.book.onChange((next) => this.followLater(next));
  }

  private readonly unsubscribe: () => void;

  stop(): Promise<void> {
    this.unsubscribe();
    return this.drain();
  }

  /** The recovery's next wake as a delayed job (idempotent: the key is its time), and its attempt when one is due. */
  async follow(r: Recovery): Promise<void> {
    if (r.status === 'scheduled' && r.attempt && r.attempt.alarmId === undefined && r.attempt.result === undefined)
      await this.o.outbox.enqueue(attemptKey(r.id, r.attempt.n), ATTEMPT_TARGET, r as never);
    const at = nextWakeAt(r);
    if (at !== undefined) await this.o.outbox.enqueue(wakeKey(r.id, at), WAKE_TARGET, { id: r.id }, { notBefore: at });
  }

  /** After a restart: every active recovery's jobs (those already known are not added again). */
  async reconcile(all: Recovery[]): Promise<void> {
    for (const r of all) if (isActive(r)) await this.follow(r);
  }

  /** Follows a change without waiting (a failed enqueue is logged; reconcile at the next start catches up). */
  followLater(r: Recovery): void {
    const p = this.follow(r).catch((err: unknown) =>
      this.o.logger.error({ recovery: r.id, err: errName(err) }, 'recovery job not enqueued'),
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private async wake(a: DeliveryAttempt): Promise<DeliveryResult> {
    const id = (a.payload as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return ok();
    const at = Number(a.key.slice(a.key.lastIndexOf(':') + 1));
    const { cfg } = this.o;
    // The report is read outside the book's lock (a slow AntBot must not hold call updates).
    const seen = this.o.book.get(id);
    let rows: CdrRecord[] | undefined;
    let unreadable = false;
    if (seen && reportDue(seen, this.o.now())) {
      try {
        rows = await this.o.antbot.cdrReport(reportQuery(seen)!);
      } catch (err) {
        unreadable = true;
        this.o.logger.warn({ recovery: id, err: errName(err) }, 'AntBot report not read; read again later');
      }
    }
    const next = await this.o.book.change({ id }, (r) => {
      if (!r || !isActive(r)) return { out: undefined };
      const now = this.o.now();
      let n: Recovery = r;
      const d = due(n, now, cfg);
      if (d.kind !== 'not_due') n = d.recovery;
      else if (reportDue(n, now) && n.attempt?.n === seen?.attempt?.n) {
        if (rows) n = reportRead(n, rows, now, cfg).recovery;
        else if (unreadable) n = reportUnreadable(n, now, cfg);
      }
      return { next: n === r ? undefined : n, out: n };
    });
    if (!next) return ok();
    await this.follow(next);
    // Woken before its time (clocks apart): this same job again later.
    if (next === this.o.book.get(id) && nextWakeAt(next) === at && isActive(next)) return retry('not due yet');
    return ok();
  }

  private async attempt(a: DeliveryAttempt): Promise<DeliveryResult> {
    const snap = a.payload as unknown as Recovery | null;
    if (!snap?.attempt || typeof snap.id !== 'string') return ok();
    const n = snap.attempt.n;
    const current = await this.o.book.change({ id: snap.id }, (r) => ({ out: r }));
    const a1 = current?.attempt;
    // Recovered meanwhile, or this attempt already has its alarm: nothing to call.
    if (!current || !isActive(current) || a1?.n !== n || a1.alarmId !== undefined) return ok();
    try {
      if (this.o.isBlocked && (await this.o.isBlocked(current.number))) {
        this.o.logger.info({ recovery: current.id }, 'recovery number now on the do-not-call list: not called');
        await this.o.book.change({ id: current.id }, (r) =>
          r && isActive(r)
            ? { next: { ...r, status: 'unreached', closedAt: this.o.now() }, out: undefined }
            : { out: undefined },
        );
        return ok();
      }
      let eventId = a1.eventId;
      let looked = false;
      if (eventId === undefined && a.attempt > 1) {
        eventId = findAttemptEvent(await this.o.antbot.listEvents({ calendar: this.o.cfg.calendar }), current)?.id;
        looked = eventId !== undefined;
      }
      if (eventId === undefined) {
        eventId = (await this.o.antbot.createEvent(callbackEvent(current, this.o.cfg))).id;
        await this.save(current.id, n, { eventId });
      }
      let alarmId: AntBotId | undefined;
      if (a.attempt > 1 || looked || a1.eventId !== undefined) {
        const ev = eventId;
        alarmId = (await this.o.antbot.listAlarms({ event: ev })).find((x) => sameId(x.event, ev))?.id;
      }
      alarmId ??= (await this.o.antbot.createAlarm(callbackAlarm(current, eventId))).id;
      await this.save(current.id, n, { eventId, alarmId });
      this.o.logger.info({ recovery: current.id, attempt: n }, 'AntBot callback created');
      return ok({ eventId, alarmId });
    } catch (err) {
      return retry(`AntBot ${errName(err)}`);
    }
  }

  private save(id: string, n: number, ids: { eventId?: AntBotId; alarmId?: AntBotId }): Promise<void> {
    return this.o.book.change({ id }, (r) => ({
      next: r?.attempt?.n === n ? attemptCreated(r, ids) : undefined,
      out: undefined,
    }));
  }
}
