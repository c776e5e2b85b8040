// The calls that ended recently, as the write-back needs them from any node: who may wrap one up (the answering
// agent, else the agents rung), its ticket payload, the outbox keys enqueued for it, and its last ended update per
// audience (re-sent with `crm` once the writes settle). Memory on one node, Redis in a cluster (redis-recent-calls.ts).
import type { TicketInput } from '../antcrm/writer.js';
import type { CallFacts } from './facts.js';

export interface RecentCall {
  callId: string;
  /** Unix ms of the end. */
  endedAtMs: number;
  /** The agent who answered (username), if anyone did. */
  answeredBy?: string;
  /** Usernames of the agents the call rang. */
  rung: string[];
  /** The ticket a wrap-up creates when the call has none yet. */
  ticket: TicketInput;
  /** The outbox keys of this call's ticket and lead, when enqueued. */
  ticketKey?: string;
  leadKey?: string;
  /** The last ended update of each audience (no cluster id). */
  updates: CallFacts[];
}

export interface RecentCallStore {
  put(call: RecentCall): Promise<void>;
  get(callId: string): Promise<RecentCall | undefined>;
  /** The next wrap-up number of a call: 1, 2, 3… (atomic across the cluster). */
  nextWrapup(callId: string): Promise<number>;
  /** Wrap-ups accepted so far for a call. */
  wrapups(callId: string): Promise<number>;
  /** The call that enqueued the lead of a number (to re-send its view once the lead is written). */
  setLeadCall(number: string, callId: string): Promise<void>;
  leadCall(number: string): Promise<string | undefined>;
  close?(): Promise<void>;
}

export interface MemoryRecentCallsOptions {
  /** Default 10000 calls. */
  maxCalls?: number;
  /** How long a record is kept (ms). */
  retainMs: number;
  now?: () => number;
}

/** Bounded, in-process. */
export class MemoryRecentCalls implements RecentCallStore {
  private readonly calls = new Map<string, { at: number; call: RecentCall; wrapups: number }>();
  private readonly leads = new Map<string, string>();
  private readonly max: number;
  private readonly now: () => number;

  constructor(private readonly o: MemoryRecentCallsOptions) {
    this.max = Math.max(1, o.maxCalls ?? 10_000);
    this.now = o.now ?? Date.now;
  }

  async put(call: RecentCall): Promise<void> {
    const prev = this.calls.get(call.callId);
    this.calls.delete(call.callId);
    this.calls.set(call.callId, { at: this.now(), call: structuredClone(call), wrapups: prev?.wrapups ?? 0 });
    this.prune();
  }

  async get(callId: string): Promise<RecentCall | undefined> {
    this.prune();
    const e = this.calls.get(callId);
    return e ? structuredClone(e.call) : undefined;
  }

  async nextWrapup(callId: string): Promise<number> {
    const e = this.calls.get(callId);
    if (!e) return 1;
    return ++e.wrapups;
  }

  async wrapups(callId: string): Promise<number> {
    return this.calls.get(callId)?.wrapups ?? 0;
  }

  async setLeadCall(number: string, callId: string): Promise<void> {
    this.leads.delete(number);
    this.leads.set(number, callId);
    while (this.leads.size > this.max) this.leads.delete(this.leads.keys().next().value as string);
  }

  async leadCall(number: string): Promise<string | undefined> {
    return this.leads.get(number);
  }

  private prune(): void {
    const limit = this.now() - this.o.retainMs;
    for (const [id, e] of this.calls) {
      if (this.calls.size <= this.max && e.at > limit) break;
      this.calls.delete(id);
    }
  }
}

/** Defensive read of a stored record (Redis text): undefined when it is not one. */
export function parseRecentCall(text: string | null): RecentCall | undefined {
  if (!text) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Partial<RecentCall>;
  if (
    typeof r.callId !== 'string' ||
    typeof r.endedAtMs !== 'number' ||
    !Array.isArray(r.rung) ||
    !Array.isArray(r.updates)
  )
    return undefined;
  if (!r.ticket || typeof r.ticket !== 'object' || typeof r.ticket.title !== 'string') return undefined;
  return r as RecentCall;
}
