// The write-back's consumer of call updates (runtime/update.ts CallConsumer): it only records and enqueues, never
// waits for AntCRM or an endpoint (the outbox delivers), so a screen pop is never delayed.
// - every update: which agents a call rang, the last ended update per audience;
// - the admin (`call` audience) ended update: the recent-call record (wrap-up rights, ticket payload), a ticket for a
//   missed/abandoned customer call, a lead for a definite `not_found` caller. A `pending` contact waits for the
//   enricher's re-send (or `contactWaitMs`), so the ticket carries the contact's id when the CRM answers late;
// - every admin view emitted (publisher.onView): one webhook per state change.

import type { CallView } from '../contract.js';
import type { Logger } from '../log.js';
import { leadKey, ticketKey } from '../outbox/crm-handlers.js';
import type { Outbox } from '../outbox/types.js';
import type { CallConsumer, PipelineUpdate } from '../runtime/update.js';
import { audienceKey } from '../shared/audience.js';
import { WebhookEventFilter, webhookDeliveries } from '../webhooks/events.js';
import {
  type CallFacts,
  customerNumberOf,
  isMissedCustomerCall,
  isUnknownCaller,
  leadFor,
  ticketFor,
} from './facts.js';
import type { RecentCall, RecentCallStore } from './recent-calls.js';

export interface WritebackConsumerOptions {
  org: string;
  outbox: Pick<Outbox, 'enqueue'>;
  recent: RecentCallStore;
  logger: Logger;
  kinds: { tickets: boolean; leads: boolean };
  /** Keep the recent-call records (wrap-up rights, crm re-sends): any AntCRM write-back is on. */
  records: boolean;
  ticketSla: string;
  webhooks: { urls: readonly string[]; events: readonly string[] };
  /** How long an ended call with a `pending` contact waits for it. Default 10000. */
  contactWaitMs?: number;
  /** Calls tracked at once (oldest dropped). Default 20000. */
  maxCalls?: number;
  /** How long a decided call is still tracked (late agent views). Default 60000. */
  keepDecidedMs?: number;
  now?: () => number;
  /** Counted failures (metrics): an enqueue or the store failed. */
  onError?: (what: 'enqueue' | 'store') => void;
}

interface Tracked {
  rung: string[];
  updates: Map<string, CallFacts>;
  decided: boolean;
  decidedAt?: number;
  /** The ended admin update, kept while its contact is pending. */
  waiting?: CallFacts;
  timer?: NodeJS.Timeout;
  record?: RecentCall;
}

/** The update without the cluster's id (kept in records and re-sent later). */
function factsOf(u: PipelineUpdate): CallFacts {
  const { clusterUpdateId: _id, ...rest } = u;
  return rest;
}

export class WritebackConsumer implements CallConsumer {
  readonly name = 'writeback';
  private readonly calls = new Map<string, Tracked>();
  private readonly filter: WebhookEventFilter;
  private readonly inflight = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly o: WritebackConsumerOptions) {
    this.filter = new WebhookEventFilter({ events: o.webhooks.events });
  }

  consume(u: PipelineUpdate): void {
    if (this.stopped || !this.o.records || u.org !== this.o.org) return;
    const t = this.track(u.callId);
    const f = factsOf(u);
    if (u.audience.kind === 'agent' && !t.rung.includes(u.audience.username)) {
      t.rung.push(u.audience.username);
      // An agent view after the call was decided (views of one event may come in any order): the rights follow.
      if (t.record && u.state !== 'ended') this.saveRecord(t, t.record);
    }
    if (u.state !== 'ended') return;
    t.updates.set(audienceKey(u.audience), f);
    if (u.audience.kind !== 'call') {
      // A late agent view of a call already decided: the record's re-send list follows it.
      if (t.record) this.saveRecord(t, t.record);
      return;
    }
    if (t.decided) {
      if (t.record) this.saveRecord(t, t.record);
      return;
    }
    if (f.contactStatus === 'pending') {
      t.waiting = f;
      t.timer ??= setTimeout(() => this.decide(u.callId), this.o.contactWaitMs ?? 10_000);
      t.timer.unref();
      return;
    }
    t.waiting = f;
    this.decide(u.callId);
  }

  /** Every emitted view (publisher.onView): the admin view's state changes become webhooks. */
  onView(view: CallView, u: { audience: { kind: string }; crm?: unknown }): void {
    if (this.stopped || !this.o.webhooks.urls.length || u.audience.kind !== 'call' || u.crm !== undefined) return;
    if (view.org !== this.o.org) return;
    const type = this.filter.eventFor(view);
    if (!type) return;
    for (const d of webhookDeliveries(type, view, this.o.webhooks.urls)) this.enqueue(d.key, 'webhook', d.payload);
  }

  /** Resolves when every enqueue started so far is done (tests, stop). */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.calls.values()) if (t.timer) clearTimeout(t.timer);
    await this.drain();
    this.calls.clear();
  }

  private track(callId: string): Tracked {
    let t = this.calls.get(callId);
    if (!t) {
      t = { rung: [], updates: new Map(), decided: false };
      this.calls.set(callId, t);
      const max = Math.max(1, this.o.maxCalls ?? 20_000);
      const stale = this.now() - (this.o.keepDecidedMs ?? 60_000);
      // Oldest first: over the cap, or decided a while ago (their record is in the store).
      for (const [id, old] of this.calls) {
        const gone = this.calls.size > max || (old.decided && (old.decidedAt ?? 0) < stale);
        if (!gone) break;
        if (old.timer) clearTimeout(old.timer);
        this.calls.delete(id);
      }
    }
    return t;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private decide(callId: string): void {
    const t = this.calls.get(callId);
    const u = t?.waiting;
    if (!t || !u || t.decided || this.stopped) return;
    t.decided = true;
    t.decidedAt = this.now();
    if (t.timer) clearTimeout(t.timer);
    t.timer = undefined;
    t.waiting = undefined;
    if (u.direction === 'internal' || !u.customerNumber || u.mergedInto) return;
    const record: RecentCall = {
      callId,
      endedAtMs: Date.parse(u.endedAt ?? '') || this.now(),
      rung: [...t.rung],
      ticket: ticketFor(u, { sla: this.o.ticketSla, agentsRung: t.rung }),
      updates: [],
    };
    if (u.answeredAt && u.agent) record.answeredBy = u.agent.username;
    if (this.o.kinds.tickets && isMissedCustomerCall(u)) record.ticketKey = ticketKey(callId);
    const number = customerNumberOf(u);
    const lead = this.o.kinds.leads && isUnknownCaller(u) ? leadFor(u) : undefined;
    if (lead && number) record.leadKey = leadKey(number);
    t.record = record;
    // The record first (a settled write looks it up to re-send the view), then the writes.
    const saved = this.saveRecord(t, record);
    void this.track$(
      saved.then(async () => {
        if (record.ticketKey) this.enqueue(record.ticketKey, 'antcrm.ticket', record.ticket);
        if (lead && number && record.leadKey) {
          await this.o.recent.setLeadCall(number, callId).catch((err: unknown) => this.failed('store', callId, err));
          this.enqueue(record.leadKey, 'antcrm.lead', lead);
        }
      }),
    );
  }

  private saveRecord(t: Tracked, record: RecentCall): Promise<void> {
    record.updates = [...t.updates.values()];
    record.rung = [...t.rung];
    return this.track$(this.o.recent.put(record).catch((err: unknown) => this.failed('store', record.callId, err)));
  }

  private enqueue(key: string, target: string, payload: unknown): void {
    this.track$(this.o.outbox.enqueue(key, target, payload).catch((err: unknown) => this.failed('enqueue', key, err)));
  }

  private track$<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  private failed(what: 'enqueue' | 'store', id: string, err: unknown): void {
    this.o.onError?.(what);
    this.o.logger.error(
      { what, id, err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
      'write-back could not record a call',
    );
  }
}
