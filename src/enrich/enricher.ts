// CallUpdate → EnrichedUpdate: attaches the CRM contact of the call's customer number.
// Updates of one call go out in the order pushed; an update waits for the lookup at most budgetMs (from its
// push), else it goes out 'pending' and, once the lookup settles, the latest pending update of each audience
// is sent again with the contact. Calls never wait for each other.

import type { CallUpdate } from '../calls/types.js';
import { type Clock, systemClock } from '../clock.js';
import type { EnrichedUpdate } from '../fanout/types.js';
import type { Logger } from '../log.js';
import { audienceKey } from '../shared/audience.js';
import { ERROR_RESULT as ERROR, isLookupStatus, type LookupResult } from './lookup-status.js';

/** What the enricher needs of the contact directory (ContactDirectory implements it). */
export interface ContactLookup {
  lookup(n: string): Promise<LookupResult>;
  /** The result of a call with no customer number (noLookupResult: 'disabled' without a CRM, else 'not_found'). */
  withoutNumber(): LookupResult;
}

export interface EnricherOptions {
  contacts: ContactLookup;
  budgetMs: number;
  publish: (u: EnrichedUpdate) => void;
  clock?: Clock;
  logger: Logger;
  /** Safety cap on tracked calls (oldest dropped). Default 50000. */
  maxCalls?: number;
  /** Released calls remembered (with their result) so late updates go out at once. Default 10000. */
  maxFinished?: number;
}

interface Queued {
  update: CallUpdate;
  deadline: number;
  expired: boolean;
}

interface CallEntry {
  callId: string;
  queue: Queued[];
  lookup: 'none' | 'running' | 'settled';
  result?: LookupResult;
  timer?: unknown;
  timerFor?: Queued;
  /** Per audience key: the latest update published and whether it went out pending. */
  last: Map<string, { update: CallUpdate; pending: boolean }>;
  /** The 'call' audience's 'ended' update was published. */
  ended: boolean;
}

export class Enricher {
  private readonly contacts: EnricherOptions['contacts'];
  private readonly budgetMs: number;
  private readonly publishFn: (u: EnrichedUpdate) => void;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxCalls: number;
  private readonly maxFinished: number;
  private readonly calls = new Map<string, CallEntry>();
  /** Calls released after their end: callId → the result their updates carried. */
  private readonly finished = new Map<string, LookupResult>();
  private stopped = false;

  constructor(opts: EnricherOptions) {
    this.contacts = opts.contacts;
    this.budgetMs = Math.max(0, opts.budgetMs);
    this.publishFn = opts.publish;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
    this.maxCalls = Math.max(1, opts.maxCalls ?? 50_000);
    this.maxFinished = Math.max(0, opts.maxFinished ?? 10_000);
  }

  /** Calls with state held (waiting updates, a running lookup, or not ended yet). */
  get trackedCalls(): number {
    return this.calls.size;
  }

  push(update: CallUpdate): void {
    if (this.stopped) return;
    let e = this.calls.get(update.callId);
    const finished = e ? undefined : this.finished.get(update.callId);
    if (finished) {
      // A late update of a call already released (e.g. an agent's 'ended' after the call's): same result, no wait.
      this.publishEnriched(update, finished, false);
      return;
    }
    if (!e) {
      e = { callId: update.callId, queue: [], lookup: 'none', last: new Map(), ended: false };
      this.calls.set(update.callId, e);
      this.enforceCap();
    }
    if (e.lookup === 'none' && update.customerNumber) this.startLookup(e, update.customerNumber);
    e.queue.push({ update, deadline: this.clock.now() + this.budgetMs, expired: false });
    this.drain(e);
    this.maybeRelease(e);
  }

  /** Clears timers and state; later pushes and lookups that settle later are ignored. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const e of this.calls.values()) this.clearTimer(e);
    this.calls.clear();
    this.finished.clear();
  }

  /** The directory's rule for a call with no customer number; a failing directory → error. */
  private withoutNumber(): LookupResult {
    try {
      return sanitize(this.contacts.withoutNumber());
    } catch (err) {
      this.logger.error({ err }, 'contact directory failed to answer for a call without a number');
      return ERROR;
    }
  }

  private startLookup(e: CallEntry, number: string): void {
    e.lookup = 'running';
    let p: Promise<LookupResult>;
    try {
      p = this.contacts.lookup(number);
    } catch (err) {
      p = Promise.reject(err);
    }
    Promise.resolve(p).then(
      (r) => this.settle(e, sanitize(r)),
      (err: unknown) => {
        this.logger.error({ err, callId: e.callId }, 'contact lookup rejected');
        this.settle(e, ERROR);
      },
    );
  }

  private settle(e: CallEntry, result: LookupResult): void {
    if (this.stopped || this.calls.get(e.callId) !== e) return;
    e.lookup = 'settled';
    e.result = result;
    this.clearTimer(e);
    this.drain(e);
    // What went out pending and was not superseded by an update carrying the result: send again.
    for (const last of [...e.last.values()]) {
      if (last.pending) this.publishOne(e, last.update, result, false);
    }
    this.maybeRelease(e);
  }

  /** Publishes the head of the queue while it can go out (result known, no lookup, or budget spent). */
  private drain(e: CallEntry): void {
    while (e.queue.length) {
      const head = e.queue[0];
      if (e.lookup === 'none') {
        this.publishOne(e, head.update, this.withoutNumber(), false);
      } else if (e.lookup === 'settled') {
        this.publishOne(e, head.update, e.result ?? ERROR, false);
      } else if (head.expired) {
        this.publishOne(e, head.update, undefined, true);
      } else {
        this.armTimer(e, head);
        return;
      }
      e.queue.shift();
    }
    this.clearTimer(e);
  }

  /** Budget timers only expire updates: even at budget 0 a result ready in the same tick wins. */
  private armTimer(e: CallEntry, head: Queued): void {
    if (e.timerFor === head) return;
    this.clearTimer(e);
    e.timerFor = head;
    const delay = Math.max(0, head.deadline - this.clock.now());
    e.timer = this.clock.setTimeout(() => {
      e.timer = undefined;
      e.timerFor = undefined;
      if (this.stopped || this.calls.get(e.callId) !== e) return;
      head.expired = true;
      const now = this.clock.now();
      for (const q of e.queue) if (q.deadline <= now) q.expired = true;
      this.drain(e);
      this.maybeRelease(e);
    }, delay);
  }

  private clearTimer(e: CallEntry): void {
    if (e.timer !== undefined) this.clock.clearTimeout(e.timer);
    e.timer = undefined;
    e.timerFor = undefined;
  }

  private publishOne(e: CallEntry, update: CallUpdate, result: LookupResult | undefined, pending: boolean): void {
    e.last.set(audienceKey(update.audience), { update, pending });
    if (update.audience.kind === 'call' && update.state === 'ended') e.ended = true;
    this.publishEnriched(update, result, pending);
  }

  private publishEnriched(update: CallUpdate, result: LookupResult | undefined, pending: boolean): void {
    const enriched: EnrichedUpdate =
      pending || !result
        ? { ...update, contact: null, contactStatus: 'pending' }
        : {
            ...update,
            contact: result.contact,
            contactStatus: result.status,
            ...(result.status === 'multiple' && result.candidates ? { candidates: result.candidates } : {}),
          };
    try {
      this.publishFn(enriched);
    } catch (err) {
      this.logger.error({ err, callId: update.callId }, 'publishing an enriched update failed');
    }
  }

  /** The call is done: its 'call' audience ended went out and nothing is waiting for the lookup. */
  private maybeRelease(e: CallEntry): void {
    if (e.ended && e.lookup !== 'running' && e.queue.length === 0 && this.calls.get(e.callId) === e) {
      this.clearTimer(e);
      this.calls.delete(e.callId);
      if (this.maxFinished > 0) {
        this.finished.set(e.callId, e.lookup === 'settled' && e.result ? e.result : this.withoutNumber());
        if (this.finished.size > this.maxFinished) this.finished.delete(this.finished.keys().next().value as string);
      }
    }
  }

  private enforceCap(): void {
    while (this.calls.size > this.maxCalls) {
      const oldest = this.calls.values().next().value as CallEntry | undefined;
      if (!oldest) return;
      this.clearTimer(oldest);
      this.calls.delete(oldest.callId);
      // Whatever still waits goes out now, without the contact (nobody will come back for it).
      for (const q of oldest.queue.splice(0)) this.publishOne(oldest, q.update, undefined, true);
      this.logger.warn({ callId: oldest.callId, maxCalls: this.maxCalls }, 'too many tracked calls: oldest dropped');
    }
  }
}

/** A lookup result as the contract wants it, whatever the directory handed back. */
function sanitize(r: unknown): LookupResult {
  if (!r || typeof r !== 'object') return ERROR;
  const v = r as Partial<LookupResult>;
  if (!isLookupStatus(v.status)) return ERROR;
  const contact = v.contact && typeof v.contact === 'object' ? v.contact : null;
  if ((v.status === 'found' || v.status === 'multiple') && !contact) return ERROR;
  const out: LookupResult = {
    status: v.status,
    contact: v.status === 'found' || v.status === 'multiple' ? contact : null,
  };
  if (v.status === 'multiple' && Array.isArray(v.candidates)) out.candidates = v.candidates;
  return out;
}
