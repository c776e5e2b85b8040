// A call's write-back results reach clients (bridge-contract §7.2): when one of its writes settles (delivered or
// given up), the ended call's last view of each audience is sent again, with a higher seq and
// `crm: { ticketId?, leadId?, status }`. A written lead also teaches the contact cache, so the caller's next call pops it.
// Runs on the node whose outbox worker settled the write; the recent-call store makes that any node in a cluster.
import type { CallCrm, Contact } from '../contract.js';
import type { EnrichedUpdate } from '../fanout/types.js';
import type { Logger } from '../log.js';
import { callIdOfKey, parseOutboxKey, wrapupKey } from '../outbox/keys.js';
import type { DeliveryRecord, Json, Outbox, SettledEvent } from '../outbox/types.js';
import { maskNumbersIn } from '../shared/mask.js';
import { leadContact } from './facts.js';
import type { RecentCall, RecentCallStore } from './recent-calls.js';

export interface CrmStatusOptions {
  outbox: Pick<Outbox, 'get' | 'onSettled'>;
  recent: RecentCallStore;
  /** Re-sends one update (the fan-out's publisher: next seq, the audience's rooms). */
  publish(u: EnrichedUpdate): unknown;
  /** The contact cache (enrich/contact-directory.ts learn). */
  contacts?: { learn(number: string, contact: Contact): void };
  logger: Logger;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const idOf = (r: DeliveryRecord | undefined, field: string): string | undefined => {
  const v: Json | undefined = r?.state === 'delivered' && isObj(r.result) ? r.result[field] : undefined;
  return typeof v === 'string' && v ? v : undefined;
};

/** The crm field of a call from its writes' records (pure). Undefined when the call has no write at all. */
export function crmOf(records: {
  ticket?: DeliveryRecord;
  lead?: DeliveryRecord;
  wrapups: (DeliveryRecord | undefined)[];
}): CallCrm | undefined {
  // A lead the delivery found unneeded (the CRM knew the number by then) is no write of the call.
  const lead =
    records.lead && !(isObj(records.lead.result) && records.lead.result.known === true) ? records.lead : undefined;
  const all = [records.ticket, lead, ...records.wrapups].filter((r): r is DeliveryRecord => r !== undefined);
  if (!all.length) return undefined;
  const crm: CallCrm = {
    status: all.some((r) => r.state === 'failed')
      ? 'failed'
      : all.some((r) => r.state === 'pending')
        ? 'pending'
        : 'written',
  };
  // The latest wrap-up's ticket (it may have created the ticket), else the call's own.
  const ticketId =
    [...records.wrapups]
      .reverse()
      .map((r) => idOf(r, 'ticketId'))
      .find(Boolean) ?? idOf(records.ticket, 'ticketId');
  if (ticketId) crm.ticketId = ticketId;
  const leadId = idOf(records.lead, 'leadId');
  if (leadId) crm.leadId = leadId;
  return crm;
}

export class CrmStatus {
  private unsubscribe?: () => void;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly o: CrmStatusOptions) {}

  start(): void {
    this.unsubscribe ??= this.o.outbox.onSettled((e) => {
      if (e.state === 'pending' || e.target === 'webhook') return;
      const p = this.settled(e).catch((err: unknown) => {
        this.o.logger.warn(
          { key: maskNumbersIn(e.key), err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
          'write-back status not sent',
        );
      });
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** The current crm field of a recorded call (also for tests and GET routes). */
  async crmFor(call: RecentCall): Promise<CallCrm | undefined> {
    const n = await this.o.recent.wrapups(call.callId);
    const wrapups: (DeliveryRecord | undefined)[] = [];
    for (let i = 1; i <= n; i++) wrapups.push(await this.o.outbox.get(wrapupKey(call.callId, i)));
    return crmOf({
      ticket: call.ticketKey ? await this.o.outbox.get(call.ticketKey) : undefined,
      lead: call.leadKey ? await this.o.outbox.get(call.leadKey) : undefined,
      wrapups,
    });
  }

  private async settled(e: SettledEvent): Promise<void> {
    const key = parseOutboxKey(e.key);
    const callId = key?.kind === 'lead' ? await this.o.recent.leadCall(key.number) : callIdOfKey(e.key);
    const call = callId ? await this.o.recent.get(callId) : undefined;
    if (key?.kind === 'lead' && e.state === 'delivered' && this.o.contacts) {
      const number = key.number;
      const leadId = isObj(e.result) && typeof e.result.leadId === 'string' ? e.result.leadId : undefined;
      const name = call?.updates.find((u) => u.audience.kind === 'call')?.from.name?.trim();
      if (leadId)
        this.o.contacts.learn(number, leadContact({ name: name || number, customerIdApiRing: number }, leadId));
    }
    if (!call) return;
    const crm = await this.crmFor(call);
    if (!crm) return;
    // receivedAt 0: not a frame of the upstream, so no ring-to-emit latency is observed for it.
    for (const u of call.updates) await this.o.publish({ ...u, crm, receivedAt: 0 });
  }
}
