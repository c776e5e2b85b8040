// The agent's wrap-up of an ended call (bridge-contract §7.2), for the socket `wrapup` and
// POST /api/calls/:callId/wrapup: validated, checked against who may (the agent who answered; for a call nobody
// answered, any agent it rang; an admin always) and the 30-minute window, then accepted into the outbox (it creates or
// updates the call's ticket). Answers `{ status: "accepted" }` or the contract's error body.
// Both paths share one per-agent limit (the socket throttle's token bucket and settings, fanout/throttle.ts): over it
// the answer is `rate_limited`. A later wrap-up of a call replaces an earlier one not sent yet (the last note wins,
// one write); one that is being written or was written becomes the next edit.
import type { Claims, ErrorBody, WrapupResult } from '../contract.js';
import { DEFAULT_THROTTLE, type ThrottleSettings, TokenBucket } from '../fanout/throttle.js';
import type { Logger } from '../log.js';
import { wrapupKey } from '../outbox/keys.js';
import type { Outbox } from '../outbox/types.js';
import type { RecentCallStore } from './recent-calls.js';
import type { WrapupDelivery } from './wrapup-handler.js';

export const WRAPUP_WINDOW_MS = 30 * 60_000;
export const NOTE_MAX = 2000;
const DISPOSITION = /^[\p{L}\p{N}_-]{1,40}$/u;
const CALL_ID_MAX = 256;

export interface WrapupServiceOptions {
  org: string;
  enabled: boolean;
  recent: RecentCallStore;
  outbox: Pick<Outbox, 'enqueue' | 'replace'>;
  logger: Logger;
  now?: () => number;
  windowMs?: number;
  /** The per-agent limit; default the socket throttle's (burst 20, 5/s). */
  throttle?: ThrottleSettings;
}

/** Agents (or admins) whose buckets are kept; the oldest is forgotten past it (it starts full again). */
const MAX_BUCKETS = 10_000;

export type ParsedWrapup = { callId: string; note: string; disposition?: string };

const err = (error: ErrorBody['error'], message: string): ErrorBody => ({ error, message });

/** The body (untrusted) → a wrap-up, or the 400 answer. */
export function parseWrapup(body: unknown): ParsedWrapup | ErrorBody {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return err('invalid_body', 'expected { callId, note, disposition? }');
  const b = body as Record<string, unknown>;
  if (typeof b.callId !== 'string' || b.callId.trim() === '' || b.callId.length > CALL_ID_MAX)
    return err('invalid_body', 'callId must be a call id');
  if (typeof b.note !== 'string') return err('invalid_body', 'note is required (1 to 2000 characters)');
  const note = b.note.trim();
  if (note.length < 1 || [...note].length > NOTE_MAX) return err('invalid_body', 'note must be 1 to 2000 characters');
  const out: ParsedWrapup = { callId: b.callId, note };
  if (b.disposition !== undefined && b.disposition !== null && b.disposition !== '') {
    if (typeof b.disposition !== 'string' || !DISPOSITION.test(b.disposition.trim())) {
      return err('invalid_body', 'disposition must be one short word (letters, digits, _ or -, up to 40)');
    }
    out.disposition = b.disposition.trim();
  }
  return out;
}

export class WrapupService {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Per call: submits after the limit run one at a time (replace-or-enqueue is read then write). */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly o: WrapupServiceOptions) {}

  get enabled(): boolean {
    return this.o.enabled;
  }

  async submit(claims: Claims, body: unknown): Promise<WrapupResult> {
    if (!this.o.enabled) return err('upstream_unavailable', 'wrap-up is not enabled on this bridge');
    const w = parseWrapup(body);
    if ('error' in w) return w;
    if (claims.org !== this.o.org) return err('forbidden', 'this token may not write to this org');
    if (claims.role !== 'admin' && (claims.role !== 'agent' || !claims.agent))
      return err('forbidden', "only the call's agent or an admin may wrap it up");
    const call = await this.o.recent.get(w.callId);
    const now = (this.o.now ?? Date.now)();
    if (!call || now - call.endedAtMs > (this.o.windowMs ?? WRAPUP_WINDOW_MS)) {
      return err('not_found', 'no such ended call in the last 30 minutes');
    }
    if (claims.role === 'agent') {
      const may = call.answeredBy ? call.answeredBy === claims.agent : call.rung.includes(claims.agent as string);
      if (!may) return err('forbidden', "only the call's own agent may wrap it up");
    }
    const by = claims.role === 'agent' ? (claims.agent as string) : claims.sub;
    if (!this.take(`${claims.role}:${by}`, now)) return err('rate_limited', 'too many wrap-ups; try again shortly');
    const prev = this.chains.get(w.callId) ?? Promise.resolve();
    const run = prev.then(() => this.store(w, call.ticket, by));
    const tail = run.catch(() => undefined);
    this.chains.set(w.callId, tail);
    void tail.then(() => {
      if (this.chains.get(w.callId) === tail) this.chains.delete(w.callId);
    });
    await run;
    return { status: 'accepted' };
  }

  /** The last wrap-up not sent yet gets this note; else a new one (the next edit). */
  private async store(w: ParsedWrapup, ticket: WrapupDelivery['ticket'], by: string | undefined): Promise<void> {
    const last = await this.o.recent.wrapups(w.callId);
    const payload = (n: number): WrapupDelivery => {
      const p: WrapupDelivery = { callId: w.callId, note: w.note, ticket, n };
      if (w.disposition) p.disposition = w.disposition;
      return p;
    };
    if (last >= 1 && (await this.o.outbox.replace(wrapupKey(w.callId, last), payload(last)))) {
      this.o.logger.info({ callId: w.callId, n: last, by }, 'wrap-up accepted: it replaces the unsent earlier one');
      return;
    }
    const n = await this.o.recent.nextWrapup(w.callId);
    await this.o.outbox.enqueue(wrapupKey(w.callId, n), 'antcrm.wrapup', payload(n));
    this.o.logger.info({ callId: w.callId, n, by }, 'wrap-up accepted');
  }

  /** One wrap-up of this agent (or admin) at `now` within the per-agent limit? */
  private take(who: string, now: number): boolean {
    let bucket = this.buckets.get(who);
    if (!bucket) {
      bucket = new TokenBucket(this.o.throttle ?? DEFAULT_THROTTLE, now);
      this.buckets.set(who, bucket);
      if (this.buckets.size > MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    return bucket.take(now) === 'ok';
  }
}
