// The delivery worker over an OutboxStore: claims due deliveries (its own concurrency, never the screen-pop path),
// runs the target kind's handler with a 10 s timeout, and settles: delivered, retried on the §7.2 schedule, or
// given up (a handler's give-up, or older than the maximum age). Stop: grace for in-flight attempts, then abort.
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { maskNumbersIn } from '../shared/mask.js';
import { DEFAULT_JITTER, DEFAULT_RETRY_DELAYS_MS, nextDelayMs, type RetrySchedule } from './schedule.js';
import { type Claimed, errorText, type OutboxStore, type Settlement } from './store.js';
import {
  type DeliveryHandler,
  type DeliveryRecord,
  type DeliveryResult,
  type EnqueueOptions,
  type Outbox,
  type OutboxCounters,
  OutboxStateError,
  type OutboxStats,
  type SettledEvent,
} from './types.js';

export interface OutboxWorkerOptions {
  logger: Logger;
  /** Attempts in flight at once, all targets. Default 16. */
  concurrency?: number;
  /** Attempts in flight at once per target (keys.ts laneOf: each webhook endpoint, AntCRM, AntBot). Default 4. */
  perTargetConcurrency?: number;
  /** Per attempt. Default 10000. */
  attemptTimeoutMs?: number;
  /** A claim's lease: longer than an attempt can take. Default max(30000, 3 × attemptTimeoutMs). */
  leaseMs?: number;
  /** Looks for due deliveries (other processes', ended leases) at least this often. Default 1000. */
  pollMs?: number;
  /** OUTBOX_MAX_AGE_H in ms. Default 24 h. */
  maxAgeMs?: number;
  retryDelaysMs?: readonly number[];
  jitter?: number;
  random?: () => number;
  /** Delivered and failed records are kept (so their keys stay known) this long. Default 30 days. */
  retainMs?: number;
  /** stop(): how long in-flight attempts may finish before they are aborted. Default 2000. */
  stopGraceMs?: number;
  /** failures listed by stats(). Default 50. */
  maxFailures?: number;
  /** Claims that never settled (the process died in the attempt) before a delivery is given up. Default 3
   * (BullMQ's maxStalledJobCount model): a delivery that crashes the process is not retried forever. */
  maxStalls?: number;
}

const HOUR = 3_600_000;

export class DeliveryOutbox implements Outbox {
  private readonly handlers = new Map<string, DeliveryHandler>();
  private readonly listeners = new Set<(e: SettledEvent) => void>();
  private readonly inflight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly schedule: RetrySchedule;
  private readonly concurrency: number;
  private readonly perLane: number;
  /** Attempts in flight per lane. */
  private readonly busy = new Map<string, number>();
  /** Lanes whose last attempt here was refused: the next delivery there means the target is back. */
  private readonly troubled = new Set<string>();
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
  private readonly n: OutboxCounters = {
    enqueued: 0,
    duplicates: 0,
    attempts: 0,
    delivered: 0,
    retried: 0,
    failed: 0,
    attemptsByTarget: {},
  };
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
          busy: this.busy,
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
    this.busy.set(c.lane, (this.busy.get(c.lane) ?? 0) + 1);
    const done = this.attempt(c, controller).finally(() => {
      this.inflight.delete(c.token + c.key);
      const n = (this.busy.get(c.lane) ?? 1) - 1;
      if (n > 0) this.busy.set(c.lane, n);
      else this.busy.delete(c.lane);
      this.kick();
    });
    this.inflight.set(c.token + c.key, { controller, done });
  }

  private async attempt(c: Claimed, controller: AbortController): Promise<void> {
    this.n.attempts++;
    this.n.attemptsByTarget[c.target] = (this.n.attemptsByTarget[c.target] ?? 0) + 1;
    const settlement = this.refused(c) ?? this.settlementOf(c, await this.callHandler(c, controller));
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
    this.laneSettled(c.lane, settlement.state);
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

  private async callHandler(c: Claimed, controller: AbortController): Promise<DeliveryResult> {
    const handler = this.handlers.get(c.target);
    if (!handler) return { kind: 'retry', error: `no handler for ${c.target}` };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const r = await Promise.race([
        handler({ key: c.key, target: c.target, payload: c.payload, attempt: c.attempt, signal: controller.signal }),
        new Promise<DeliveryResult>((resolve) => {
          controller.signal.addEventListener('abort', () => resolve({ kind: 'retry', error: 'aborted' }), {
            once: true,
          });
        }),
      ]);
      if (timedOut) return { kind: 'retry', error: `timeout after ${this.timeoutMs} ms` };
      if (controller.signal.aborted && !this.running) return { kind: 'retry', error: 'outbox stopped' };
      return isResult(r) ? r : { kind: 'retry', error: 'handler answered nothing usable' };
    } catch (err) {
      if (timedOut) return { kind: 'retry', error: `timeout after ${this.timeoutMs} ms` };
      // Only the class name: a thrown error's message may quote a URL.
      return { kind: 'retry', error: `handler threw ${err instanceof Error ? err.name : typeof err}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** A target back after refusals: what waits for a retry there goes now, not at its backed-off time (issue 15
   * item 4: a lead two retries deep waited minutes after AntCRM came back while fresh tickets went at once). */
  private laneSettled(lane: string, state: Settlement['state']): void {
    if (state === 'pending') {
      this.troubled.add(lane);
      return;
    }
    if (state !== 'delivered' || !this.troubled.delete(lane)) return;
    this.store
      .makeLaneDue(lane)
      .then((n) => {
        if (!n) return;
        this.logger.info({ lane, due: n }, 'outbox target back: its waiting retries are due now');
        this.kick();
      })
      .catch((err: unknown) => this.logger.warn({ lane, err: name(err) }, 'outbox could not make a lane due'));
  }

  /** Given up before an attempt: stalled too often, or older than the maximum age (a claim after a crash loop). */
  private refused(c: Claimed): Settlement | undefined {
    if (c.stalls >= this.maxStalls)
      return {
        state: 'failed',
        error: `stalled ${c.stalls} times: its attempts never finished (the process died or hung during them)`,
      };
    if (c.ageMs > this.schedule.maxAgeMs)
      return { state: 'failed', error: `older than the maximum age after ${c.attempt - 1} attempts` };
    return undefined;
  }

  private settlementOf(c: Claimed, r: DeliveryResult): Settlement {
    if (r.kind === 'ok')
      return r.result === undefined ? { state: 'delivered' } : { state: 'delivered', result: r.result };
    const error = errorText(r.error);
    if (r.kind === 'give-up') return { state: 'failed', error };
    if (error === 'outbox stopped') return { state: 'pending', delayMs: 0, error };
    const delayMs = nextDelayMs(this.schedule, c.attempt, c.ageMs);
    if (delayMs === undefined) return { state: 'failed', error: `${error} (given up after ${c.attempt} attempts)` };
    return { state: 'pending', delayMs, error };
  }
}

/** A payload as stored, or OutboxStateError when it is not JSON. */
function jsonText(key: string, payload: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(payload);
  } catch {
    throw new OutboxStateError(`outbox payload of ${key} is not JSON`);
  }
  if (text === undefined) throw new OutboxStateError(`outbox payload of ${key} is not JSON`);
  return text;
}

function isResult(r: unknown): r is DeliveryResult {
  if (!r || typeof r !== 'object') return false;
  const k = (r as { kind?: unknown }).kind;
  if (k === 'ok') return true;
  return (k === 'retry' || k === 'give-up') && typeof (r as { error?: unknown }).error === 'string';
}

/** A secret-free description of an error: its class name and message (our errors never carry secrets). */
function name(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
