// EnrichedUpdate → CallView with the next seq of its call → the rooms of its audience, and the live store.
// Publishes of one call are chained, so they are emitted in seq order even when seq.next or the store is async.
// Order inside one publish: live store first, then emit. A socket that joins between the two gets the view
// twice (replay + live; the client ignores the equal seq); one that joins after the emit was sent still finds
// the view in the store. Nothing is lost.
import type { CallView } from '../contract.js';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import { type LiveCallStore, liveKey } from './live-calls.js';
import { roomsForAudience } from './rooms.js';
import type { SeqSource } from './seq.js';
import type { EnrichedUpdate, MaybePromise } from './types.js';
import { toCallView } from './view.js';

export interface CallEmitter {
  emitCall(rooms: string[], view: CallView): void;
}

export interface CallPublisherOptions {
  emitter: CallEmitter;
  seq: SeqSource;
  live: LiveCallStore;
  /** The bridge's org: updates of another org are dropped (and reported through onReject). */
  org: string;
  /** After each emit (metrics: ring-to-emit latency from update.receivedAt). */
  onEmit?: (view: CallView, update: EnrichedUpdate) => void;
  /** A dropped update: `org_mismatch`, or `error` when seq/emit failed. */
  onReject?: (reason: 'org_mismatch' | 'error', update: EnrichedUpdate) => void;
  logger?: Logger;
}

export class CallPublisher {
  /** callId → the tail of that call's publish chain. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly viewListeners = new Set<(view: CallView, update: EnrichedUpdate) => void>();
  /** >0 while a publish runs synchronously (its emit and listeners). */
  private syncDepth = 0;

  constructor(private readonly o: CallPublisherOptions) {}

  /** Publish one update; resolves with the view sent, or undefined when the update was dropped. Never rejects.
   *  With memory stores (sync seq and live store) and nothing of the call in flight, the view is emitted before
   *  publish() returns: no promise chain per message. */
  publish(u: EnrichedUpdate): Promise<CallView | undefined> {
    if (u.org !== this.o.org) {
      this.o.logger?.warn({ callId: u.callId }, 'dropped a call update of another org');
      this.o.onReject?.('org_mismatch', u);
      return Promise.resolve(undefined);
    }
    const prev = this.chains.get(u.callId);
    let step: Promise<CallView | undefined>;
    if (prev === undefined && this.syncDepth === 0) {
      this.syncDepth++;
      let now: MaybePromise<CallView | undefined>;
      try {
        now = this.publishNow(u);
      } finally {
        this.syncDepth--;
      }
      if (!isPromise(now)) return Promise.resolve(now);
      step = now;
    } else {
      // A publish from inside a publish (a view listener) goes after it, as before: never re-entrant.
      step = (prev ?? Promise.resolve()).then(() => this.publishNow(u));
    }
    const run = step.catch((err: unknown) => {
      this.o.logger?.error({ callId: u.callId, err: errText(err) }, 'call publish failed');
      return undefined;
    });
    this.chains.set(u.callId, run);
    void run.then(() => {
      if (this.chains.get(u.callId) === run) this.chains.delete(u.callId);
    });
    return run;
  }

  /** Every view emitted, with its update (after onEmit): the write-back's webhooks. Returns an unsubscribe function;
   *  a listener's throw is logged. */
  onView(listener: (view: CallView, update: EnrichedUpdate) => void): () => void {
    this.viewListeners.add(listener);
    return () => void this.viewListeners.delete(listener);
  }

  /** Calls with a publish in flight (tests, metrics). */
  get pendingCalls(): number {
    return this.chains.size;
  }

  /** Resolves when every publish started so far has finished. */
  async drain(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  /** seq → live store → emit, synchronously while the stores answer synchronously. Never throws. */
  private publishNow(u: EnrichedUpdate): MaybePromise<CallView | undefined> {
    if (this.o.seq.nextStored) {
      const both = this.storedWithSeq(u);
      if (both) return both;
    }
    let seq: MaybePromise<number>;
    try {
      seq = this.o.seq.next(u.callId);
    } catch (err) {
      return this.noSeq(u, err);
    }
    if (isPromise(seq))
      return seq.then(
        (n) => this.withSeq(u, n),
        (err: unknown) => this.noSeq(u, err),
      );
    return this.withSeq(u, seq);
  }

  /** Seq and live store in one step when the seq source can write the store; undefined when it cannot. */
  private storedWithSeq(u: EnrichedUpdate): Promise<CallView | undefined> | undefined {
    let draft: CallView;
    let step: Promise<number> | undefined;
    try {
      draft = toCallView(u, 0);
      step = this.o.seq.nextStored?.(u.callId, this.o.live, liveKey(u.callId, u.audience), u.audience, draft);
    } catch (err) {
      return Promise.resolve(this.noSeq(u, err));
    }
    if (!step) return undefined;
    return step.then(
      (seq) => this.emitNow(u, { ...draft, id: `${u.callId}:${seq}`, seq }),
      (err: unknown) => this.noSeq(u, err),
    );
  }

  private noSeq(u: EnrichedUpdate, err: unknown): undefined {
    this.o.logger?.error({ callId: u.callId, err: errText(err) }, 'no seq for a call update; dropped');
    this.o.onReject?.('error', u);
    return undefined;
  }

  private withSeq(u: EnrichedUpdate, seq: number): MaybePromise<CallView | undefined> {
    let view: CallView;
    try {
      view = toCallView(u, seq);
    } catch (err) {
      return this.noSeq(u, err);
    }
    let stored: MaybePromise<void>;
    try {
      stored = this.o.live.set(liveKey(u.callId, u.audience), view, u.audience);
    } catch (err) {
      this.liveFailed(u, err);
      stored = undefined;
    }
    if (isPromise(stored)) {
      return stored.then(
        () => this.emitNow(u, view),
        (err: unknown) => {
          this.liveFailed(u, err);
          return this.emitNow(u, view);
        },
      );
    }
    return this.emitNow(u, view);
  }

  /** Still emit: the live stream matters more than the replay of a later connect. */
  private liveFailed(u: EnrichedUpdate, err: unknown): void {
    this.o.logger?.error({ callId: u.callId, err: errText(err) }, 'live call store update failed');
  }

  private emitNow(u: EnrichedUpdate, view: CallView): MaybePromise<CallView | undefined> {
    try {
      this.o.emitter.emitCall(roomsForAudience(this.o.org, u.audience), view);
    } catch (err) {
      this.o.logger?.error({ callId: u.callId, err: errText(err) }, 'call emit failed');
      this.o.onReject?.('error', u);
      return undefined;
    }
    try {
      this.o.onEmit?.(view, u);
    } catch (err) {
      this.o.logger?.warn({ err: errText(err) }, 'onEmit hook failed');
    }
    for (const l of this.viewListeners) {
      try {
        l(view, u);
      } catch (err) {
        this.o.logger?.warn({ err: errText(err) }, 'view listener failed');
      }
    }
    if (view.state === 'ended' && u.audience.kind === 'call' && this.o.seq.forget) {
      let forgotten: MaybePromise<void>;
      try {
        forgotten = this.o.seq.forget(u.callId);
      } catch (err) {
        this.forgetFailed(u, err);
        return view;
      }
      if (isPromise(forgotten)) {
        return forgotten.then(
          () => view,
          (err: unknown) => {
            this.forgetFailed(u, err);
            return view;
          },
        );
      }
    }
    return view;
  }

  private forgetFailed(u: EnrichedUpdate, err: unknown): void {
    this.o.logger?.warn({ callId: u.callId, err: errText(err) }, 'seq forget failed');
  }
}

function isPromise<T>(v: MaybePromise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null | undefined)?.then === 'function';
}
