// The delivery worker over an OutboxStore: claims due deliveries (its own concurrency, never the screen-pop path),
// runs the target kind's handler with a 10 s timeout, and settles: delivered, retried on the §7.2 schedule, or
// given up (a handler's give-up, or older than the maximum age). Stop: grace for in-flight attempts, then abort.
// Its per-lane bookkeeping (attempts in flight per target, targets back after refusals) is in lanes.ts.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { maskNumbersIn } from '../shared/mask.js';
import { callHandler, jsonText, errName as name, refusedSettlement, settlementOf } from './attempt.js';
import { LaneBook } from './lanes.js';
import { DEFAULT_JITTER, DEFAULT_RETRY_DELAYS_MS, type RetrySchedule } from './schedule.js';
import type { Claimed, OutboxStore } from './store.js';
import {
  type DeliveryHandler,
  type DeliveryRecord,
  type EnqueueOptions,
  noCounters,
  type Outbox,
  type OutboxCounters,
  OutboxStateError,
  type OutboxStats,
  type SettledEvent,
} from './types.js';
import type { OutboxWorkerOptions } from './worker-options.js';

export type { OutboxWorkerOptions } from './worker-options.js';

const HOUR = 3_600_000;

export class DeliveryOutbox implements Outbox {
  private readonly handlers = new Map<string, DeliveryHandler>();
  private readonly listeners = new Set<(e: SettledEvent) => void>();
  private readonly inflight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly schedule: RetrySchedule;
  private readonly concurrency: number;
  private readonly perLane: number;
  /** Attempts in flight per lane, and the lanes whose retries are made due when their target is back (lanes.ts). */
  private readonly lanes: LaneBook;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly retainMs: number;
  private readonly stopGraceMs: number;
  private readonly maxFailures: number;
  private readonly maxStalls: number;
  private readonly logger: Logger;
  private readonly nodeToken = randomBytes(6).toString('hex');
  private claimSeq = 0;
  private readonly n: OutboxCounters = noCounters();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking = false;
  private again = false;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly store: OutboxStore,
    o: OutboxWorkerOptions,
  ) {
    this.logger = o.logger;
    this.concurrency = Math.max(1, o.concurrency ?? 16);
    this.perLane = Math.max(1, Math.min(this.concurrency, o.perTargetConcurrency ?? 4));
    this.timeoutMs = Math.max(1, o.attemptTimeoutMs ?? 10_000);
    this.leaseMs = Math.max(this.timeoutMs + 1, o.leaseMs ?? Math.max(30_000, 3 * this.timeoutMs));
    this.pollMs = Math.max(10, o.pollMs ?? 1000);
    this.retainMs = o.retainMs ?? 30 * 24 * HOUR;
    this.stopGraceMs = Math.max(0, o.stopGraceMs ?? 2000);
    this.maxFailures = Math.max(0, o.maxFailures ?? 50);
    this.maxStalls = Math.max(1, o.maxStalls ?? 3);
    this.lanes = new LaneBook(store, this.logger, () => this.kick());
    this.schedule = {
      delaysMs: o.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      jitter: o.jitter ?? DEFAULT_JITTER,
      maxAgeMs: o.maxAgeMs ?? 24 * HOUR,
      random: o.random ?? Math.random,
    };
  }

  async enqueue(key: string, target: string, payload: unknown, opts?: EnqueueOptions): Promise<boolean> {
    if (this.stopping) throw new OutboxStateError('outbox stopped');
    if (typeof key !== 'string' || key === '' || key.length > 512)
      throw new OutboxStateError('outbox key must be 1-512 chars');
    const fresh = await this.store.insert(key, target, jsonText(key, payload), opts?.notBefore);
    if (fresh) {
      this.n.enqueued++;
      this.kick();
    } else {
      this.n.duplicates++;
    }
    return fresh;
  }

  async replace(key: string, payload: unknown): Promise<boolean> {
    if (this.stopping) throw new OutboxStateError('outbox stopped');
    return this.store.replace(key, jsonText(key, payload));
  }

  handle(target: string, handler: DeliveryHandler): void {
    this.handlers.set(target, handler);
  }

  onSettled(listener: (e: SettledEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  get(key: string): Promise<DeliveryRecord | undefined> {
    return this.store.get(key);
  }

  stats(): Promise<OutboxStats> {
    return this.store.stats(this.maxFailures);
  }

  counters(): OutboxCounters {
    return { ...this.n, attemptsByTarget: { ...this.n.attemptsByTarget } };
  }

  start(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return (this.starting ??= this.doStart());
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.doStop());
  }

  private async doStart(): Promise<void> {
    const due = await this.store.makeAllDue();
    const pruned = await this.store.prune(this.retainMs);
    if (due || pruned) this.logger.info({ due, pruned }, 'outbox started: pending deliveries are due now');
    if (this.stopping) return;
    this.running = true;
    this.pruneTimer = setInterval(() => {
      this.store
        .prune(this.retainMs)
        .catch((err: unknown) => this.logger.warn({ err: name(err) }, 'outbox prune failed'));
    }, HOUR);
    this.pruneTimer.unref();
    this.kick();
  }

  private async doStop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.timer = this.pruneTimer = undefined;
    const pending = [...this.inflight.values()];
    if (pending.length) {
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(pending.map((p) => p.done)),
        new Promise<void>((r) => {
          grace = setTimeout(r, this.stopGraceMs);
        }),
      ]);
      clearTimeout(grace);
      for (const p of this.inflight.values()) p.controller.abort();
      await Promise.all([...this.inflight.values()].map((p) => p.done));
    }
    await this.store.close();
  }

  /** Claim now (coalesced: one claim loop at a time). */
  private kick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ticking = true;
    void this.tick().finally(() => {
      this.ticking = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async tick(): Promise<void> {
    let wait = this.pollMs;
    try {
      const free = this.concurrency - this.inflight.size;
      if (free > 0) {
        const batch = await this.store.claim(free, this.leaseMs, `${this.nodeToken}.${++this.claimSeq}`, {
          perLane: this.perLane,
          busy: this.lanes.busy,
        });
        for (const c of batch.claimed) this.run(c);
        if (batch.nextDueInMs !== undefined) wait = Math.min(wait, Math.max(0, batch.nextDueInMs));
        // Full, or what is due belongs to full lanes: a finishing attempt kicks again.
        if (batch.claimed.length === free || (batch.nextDueInMs === 0 && batch.claimed.length < free))
          wait = this.pollMs;
      }
    } catch (err) {
      this.logger.warn({ err: name(err) }, 'outbox claim failed');
    }
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, wait);
    this.timer.unref();
  }

  private run(c: Claimed): void {
    const controller = new AbortController();
    this.lanes.began(c.lane);
    const done = this.attempt(c, controller).finally(() => {
      this.inflight.delete(c.token + c.key);
      this.lanes.ended(c.lane);
      this.kick();
    });
    this.inflight.set(c.token + c.key, { controller, done });
  }

  private async attempt(c: Claimed, controller: AbortController): Promise<void> {
    this.n.attempts++;
    this.n.attemptsByTarget[c.target] = (this.n.attemptsByTarget[c.target] ?? 0) + 1;
    const settlement =
      refusedSettlement(c, this.maxStalls, this.schedule.maxAgeMs) ??
      settlementOf(
        this.schedule,
        c,
        await callHandler(this.handlers.get(c.target), c, controller, this.timeoutMs, () => this.running),
      );
    try {
      const kept = await this.store.settle(c, settlement);
      if (!kept) {
        this.logger.warn(
          { key: maskNumbersIn(c.key), target: c.target },
          'outbox lease lost before the attempt was recorded',
        );
        return;
      }
    } catch (err) {
      // The lease ends and the delivery is tried again: at least once.
      this.logger.error(
        { key: maskNumbersIn(c.key), target: c.target, err: name(err) },
        'outbox could not record an attempt',
      );
      return;
    }
    this.lanes.settled(c.lane, settlement.state);
    if (settlement.state === 'delivered') this.n.delivered++;
    else if (settlement.state === 'failed') this.n.failed++;
    else this.n.retried++;
    const log = { key: maskNumbersIn(c.key), target: c.target, attempt: c.attempt }; // a lead's key holds its number
    if (settlement.state === 'failed')
      this.logger.warn({ ...log, error: settlement.error }, 'outbox delivery given up');
    else if (settlement.state === 'pending')
      this.logger.info(
        { ...log, error: settlement.error, retryInMs: settlement.delayMs },
        'outbox delivery will be retried',
      );
    else this.logger.debug(log, 'outbox delivered');
    const event: SettledEvent = { key: c.key, target: c.target, state: settlement.state, attempts: c.attempt };
    if (settlement.state === 'delivered') {
      if (settlement.result !== undefined) event.result = settlement.result;
    } else {
      event.error = settlement.error;
    }
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.logger.error({ key: maskNumbersIn(c.key), err: name(err) }, 'outbox listener threw');
      }
    }
  }
}
