// A tenant's missed-call recovery (contract §9.2, §9.3) over its book and its outbox jobs:
// - consume(): the admin view of every call: a missed/abandoned inbound customer call opens or joins the number's
//   recovery (not on the do-not-call list); an answered call from/to the number closes it (model.personReached:
//   inbound, outbound, or AntBot's callback);
// - decorate(): `recovery` on an ended missed call's views, `recovers` / `callback` on a call from/to a recovering
//   number (synchronous: the book's index), for the enricher's first publish and every re-send;
// - every change: the missed calls' ended views sent again (with `recovery`), its jobs followed, and on recovered /
//   unreached the webhook and the ticket update (effects.ts).
import type { CallView } from '../contract.js';
import type { EnrichedUpdate } from '../fanout/types.js';
import type { Logger } from '../log.js';
import type { CallbacksOn } from '../recovery/config.js';
import { isActive, missedCall, personReached } from '../recovery/model.js';
import type { Recovery } from '../recovery/types.js';
import { recoversFields, recoveryView } from '../recovery/view.js';
import type { PipelineUpdate } from '../runtime/update.js';
import { audienceKey } from '../shared/audience.js';
import { errCode } from '../shared/errors.js';
import { customerNumberOf, isMissedCustomerCall } from '../writeback/facts.js';
import type { RecoveryBook } from './book.js';
import type { RecoveryJobs } from './jobs.js';

export interface RecoveryServiceOptions {
  org: string;
  cfg: CallbacksOn;
  book: RecoveryBook;
  jobs: RecoveryJobs;
  /** The tenant's AntBot do-not-call list; throws when it cannot be read (the number is then recovered: the
   *  attempt checks the list again before calling). */
  isBlocked?: (number: string) => Promise<boolean>;
  /** Re-sends a view (the publisher, decorated). */
  publish(u: EnrichedUpdate): Promise<CallView | undefined>;
  /** Recovered or unreached (webhook, ticket). */
  onClosed?(r: Recovery, recoveringView: CallView | undefined): void;
  now: () => number;
  logger: Logger;
  /** Calls whose views are remembered for re-sends (oldest dropped). Default 5000. */
  maxCalls?: number;
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);

export class RecoveryService {
  readonly name = 'recovery';
  /** The last update per audience of recent calls (re-sent with `recovery`). */
  private readonly views = new Map<string, Map<string, EnrichedUpdate>>();
  /** The last admin view emitted per recent call (the `call.recovered` webhook's data). */
  private readonly adminViews = new Map<string, CallView>();
  private readonly answered = new Set<string>();
  private readonly inflight = new Set<Promise<unknown>>();
  private unsubscribe: () => void;
  private stopped = false;

  constructor(private readonly o: RecoveryServiceOptions) {
    this.unsubscribe = o.book.onChange((next, prev) => this.changed(next, prev));
  }

  consume(u: PipelineUpdate): void {
    if (this.stopped || u.org !== this.o.org) return;
    this.remember(u);
    if (u.audience.kind !== 'call' || u.mergedInto) return;
    if (isMissedCustomerCall(u)) this.track(this.missed(u));
    else if (u.answeredAt && !this.answered.has(u.callId) && u.direction !== 'internal') {
      if (u.direction === 'inbound' && !u.agent) return;
      this.answered.add(u.callId);
      this.track(this.reached(u));
    }
  }

  /** Every emitted view (publisher.onView): the admin ones are kept for the webhook. */
  onView(view: CallView, u: { audience: { kind: string } }): void {
    if (u.audience.kind !== 'call' || view.org !== this.o.org) return;
    this.adminViews.delete(view.callId);
    this.adminViews.set(view.callId, view);
    this.trim(this.adminViews);
  }

  /** The §9.3 fields of this update (synchronous). */
  decorate<U extends EnrichedUpdate>(u: U): U {
    if (u.org !== this.o.org || u.direction === 'internal') return u;
    let out = u;
    if (u.state === 'ended') {
      const r = this.o.book.all().find((x) => x.missed.some((m) => m.callId === u.callId));
      if (r) out = { ...out, recovery: recoveryView(r) };
    }
    const number = customerNumberOf(u);
    if (number) {
      const f = recoversFields(this.o.book.all(), {
        callId: u.callId,
        direction: u.direction === 'outbound' ? 'outbound' : 'inbound',
        number,
        dialled: [u.did, u.to.number].filter((d): d is string => !!d),
        startedAt: ms(u.startedAt),
      });
      if (f.recovers) out = { ...out, recovers: f.recovers, ...(f.callback ? { callback: true as const } : {}) };
    }
    return out;
  }

  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    await this.o.jobs.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    await this.drain();
    await this.o.jobs.stop();
  }

  private async missed(u: PipelineUpdate): Promise<void> {
    const number = customerNumberOf(u);
    if (!number) return;
    let onDnc = false;
    try {
      onDnc = (await this.o.isBlocked?.(number)) ?? false;
    } catch (err) {
      this.o.logger.warn({ err: errCode(err) }, 'do-not-call list unreadable at a miss');
    }
    const now = this.o.now();
    await this.o.book.change({ number, orId: u.callId }, (current) => {
      const res = missedCall(
        current,
        {
          tenant: this.o.org,
          callId: u.callId,
          from: number,
          startedAt: ms(u.startedAt) || now,
          endedAt: ms(u.endedAt) || now,
          onDnc,
          ...(u.queue?.id ? { queueId: u.queue.id } : {}),
        },
        this.o.cfg,
      );
      if (res.kind === 'ignored') this.o.logger.debug({ callId: u.callId, reason: res.reason }, 'no recovery');
      return { next: res.kind === 'ignored' ? undefined : res.recovery, out: undefined };
    });
  }

  private async reached(u: PipelineUpdate): Promise<void> {
    const number = customerNumberOf(u);
    if (!number || !this.o.book.activeFor(number)) return;
    await this.o.book.change({ number }, (r) => {
      if (!r || !isActive(r)) return { out: undefined };
      const next = personReached(r, {
        callId: u.callId,
        direction: u.direction === 'outbound' ? 'outbound' : 'inbound',
        number,
        dialled: [u.did, u.to.number].filter((d): d is string => !!d),
        startedAt: ms(u.startedAt),
        answeredAt: ms(u.answeredAt) || this.o.now(),
      });
      return { next, out: undefined };
    });
  }

  private changed(next: Recovery, prev: Recovery | undefined): void {
    if (this.stopped) return;
    for (const m of next.missed) this.resend(m.callId);
    if (next.recoveredCallId) this.resend(next.recoveredCallId);
    const closed = !isActive(next) && (prev === undefined || isActive(prev));
    if (closed) this.o.onClosed?.(next, next.recoveredCallId ? this.adminViews.get(next.recoveredCallId) : undefined);
  }

  private resend(callId: string): void {
    for (const u of this.views.get(callId)?.values() ?? []) {
      if (u.state !== 'ended') continue;
      const warn = (err: unknown) => this.o.logger.warn({ callId, err: errCode(err) }, 'recovery view not sent');
      try {
        void this.o.publish(this.decorate({ ...u, receivedAt: 0 })).catch(warn);
      } catch (err) {
        warn(err);
      }
    }
  }

  /** Also every re-send of another part (the write-back's `crm`): a later re-send keeps its fields. */
  remember(u: PipelineUpdate): void {
    const { clusterUpdateId: _id, ...rest } = u;
    let m = this.views.get(u.callId);
    if (!m) {
      m = new Map();
      this.views.set(u.callId, m);
      this.trim(this.views);
    }
    m.set(audienceKey(u.audience), rest);
  }

  private trim<V>(m: Map<string, V>): void {
    const max = Math.max(1, this.o.maxCalls ?? 5000);
    for (const k of m.keys()) {
      if (m.size <= max) break;
      m.delete(k);
      this.answered.delete(k);
    }
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err: unknown) =>
      this.o.logger.error(
        { err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
        'recovery not recorded',
      ),
    );
    this.inflight.add(q);
    void q.finally(() => this.inflight.delete(q));
  }
}
