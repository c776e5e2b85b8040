// The write-back's consumer of call updates (runtime/update.ts CallConsumer): it only records and enqueues, never
// waits for AntCRM or an endpoint (the outbox delivers), so a screen pop is never delayed.
// - every update: which agents a call rang, the last ended update per audience;
// - the admin (`call` audience) ended update: the recent-call record (wrap-up rights, ticket payload), a ticket for a
//   missed/abandoned customer call, a lead for a definite `not_found` caller. Enqueued at once, never held in memory
//   (a crash must not lose an ended call): a call whose contact is still `pending` is enqueued all the same and its
//   delivery resolves the contact when it runs (outbox/crm-handlers.ts: the ticket gets the contact's id when found,
//   the lead is written only for a definite not_found);
// - every admin view emitted (publisher.onView): one webhook per state change.

import type { CallView } from '../contract.js';
import type { Logger } from '../log.js';
import type { LeadDelivery, TicketDelivery } from '../outbox/crm-handlers.js';
import { leadKey, ticketKey } from '../outbox/keys.js';
import type { Outbox } from '../outbox/types.js';
import type { CallConsumer, PipelineUpdate } from '../runtime/update.js';
import { audienceKey } from '../shared/audience.js';
import { maskNumbersIn } from '../shared/mask.js';
import { WebhookEventFilter, webhookDeliveries } from '../webhooks/events.js';
import {
  type CallFacts,
  customerNumberOf,
  isMissedCustomerCall,
  isUnknownCaller,
  leadFor,
  mayBeUnknownCaller,
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
    this.decide(u.callId, f);
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
        this.calls.delete(id);
      }
    }
    return t;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private decide(callId: string, u: CallFacts): void {
    const t = this.calls.get(callId);
    if (!t || t.decided || this.stopped) return;
    t.decided = true;
    t.decidedAt = this.now();
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
    // Still pending: the delivery looks the contact up when it runs.
    const pending = u.contactStatus === 'pending' ? number : undefined;
    const ticket: TicketDelivery = pending ? { ...record.ticket, resolveContact: pending } : record.ticket;
    const unknown = isUnknownCaller(u) || mayBeUnknownCaller(u);
    const leadInput = this.o.kinds.leads && unknown ? leadFor(u) : undefined;
    const lead: LeadDelivery | undefined = leadInput && pending ? { ...leadInput, ifUnknown: true } : leadInput;
    if (lead && number) record.leadKey = leadKey(number);
    t.record = record;
    // The record first (a settled write looks it up to re-send the view), then the writes.
    const saved = this.saveRecord(t, record);
    void this.track$(
      saved.then(async () => {
        if (record.ticketKey) this.enqueue(record.ticketKey, 'antcrm.ticket', ticket);
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
    // A lead's key holds its number: logged masked.
    this.track$(
      this.o.outbox
        .enqueue(key, target, payload)
        .catch((err: unknown) => this.failed('enqueue', maskNumbersIn(key), err)),
    );
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
