// Polls AntRing's dashboard, queues and agents (all three per round, in parallel) every intervalMs and hands the
// mapped Dashboard to onChange only when it changed (canonical form without `at`; `stale` flipping is a change).
//
// Failures: the last good data is kept; the next round waits a capped, jittered backoff. When a round fails and the
// data is at least one interval old, the dashboard is re-sent once with `stale: true` (same numbers, same `at`: the
// time of the data); the next good round clears it. No numbers are ever made up.
// A failed queues or agents call alone does not fail the round when an earlier list is at hand (it is reused).
// The queues and agents lists change rarely and are the large answers (one row per agent): they are fetched again
// only once the last good pair is listsEveryMs old (default 60 s, the agent directory's refresh); the dashboard
// itself every round.
// ANTRING_DOMAIN/ANTRING_EMAIL unset (AntRingConfigError): logged once, nothing more is polled.

import type { Agent, Queue } from '../antring/client.js';
import { AntRingConfigError } from '../antring/errors.js';
import { type Clock, systemClock } from '../clock.js';
import type { Dashboard } from '../contract.js';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import { canonicalDashboard, mapDashboard } from './mapping.js';
import { membersOf, withMembers } from './scope.js';

export interface DashboardSource {
  dashboard(): Promise<unknown>;
  queues(): Promise<Queue[]>;
  agents(): Promise<Agent[]>;
}

export type PollResult = 'ok' | 'error';

export interface DashboardPollerOptions {
  /** The AntRing client (signed calls). */
  client: DashboardSource;
  /** The account id: every Dashboard's `org`. */
  org: string;
  /** DASHBOARD_POLL_MS. */
  intervalMs: number;
  /** Refetch the queues and agents lists when the last good pair is this old (ms); 0: every round. Default 60000. */
  listsEveryMs?: number;
  /** Ceiling of the backoff after failures. Default max(intervalMs, 60000). */
  maxBackoffMs?: number;
  clock?: Clock;
  /** 0..1, for the backoff's jitter. Default Math.random. */
  random?: () => number;
  logger: Logger;
  /** A changed dashboard (full, unredacted): the fanout's emitDashboard. */
  onChange?: (d: Dashboard) => void;
  /** After each round (metrics). */
  onPoll?: (result: PollResult, changed: boolean) => void;
  /** The agents and queues each good round fetched (e.g. to refresh a directory). */
  onLists?: (agents: Agent[], queues: Queue[]) => void;
}

export interface DashboardPollerStatus {
  rounds: number;
  failures: number;
  consecutiveFailures: number;
  /** Items the mapping dropped (no username / no call id), in all. */
  dropped: number;
  lastOkAt?: number;
  stale: boolean;
  configured: boolean;
}

export class DashboardPoller {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly intervalMs: number;
  private readonly maxBackoffMs: number;
  private current?: Dashboard;
  private currentKey?: string;
  private lastOkAt?: number;
  private lastQueues?: Queue[];
  private lastAgents?: Agent[];
  /** When both lists were last fetched together successfully (clock ms). */
  private listsAt?: number;
  private readonly listsEveryMs: number;
  private timer?: unknown;
  private inFlight?: Promise<void>;
  private started = false;
  private stopped = false;
  private stopping?: Promise<void>;
  private configured = true;
  private readonly counts = { rounds: 0, failures: 0, consecutiveFailures: 0, dropped: 0 };

  constructor(private readonly o: DashboardPollerOptions) {
    if (!Number.isFinite(o.intervalMs) || o.intervalMs <= 0)
      throw new RangeError('dashboard poller: intervalMs must be > 0');
    this.clock = o.clock ?? systemClock;
    this.log = o.logger;
    this.random = o.random ?? Math.random;
    this.intervalMs = o.intervalMs;
    this.maxBackoffMs = Math.max(o.intervalMs, o.maxBackoffMs ?? 60_000);
    this.listsEveryMs = Math.max(0, o.listsEveryMs ?? 60_000);
  }

  /** Polls now, then every intervalMs (backing off on failures). Idempotent. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.run();
  }

  /** The latest dashboard (its `at` is the latest good poll's time), or undefined before the first good poll. */
  latest(): Dashboard | undefined {
    return this.current;
  }

  status(): DashboardPollerStatus {
    return {
      ...this.counts,
      ...(this.lastOkAt !== undefined ? { lastOkAt: this.lastOkAt } : {}),
      stale: this.current?.stale ?? false,
      configured: this.configured,
    };
  }

  /** Clears the timer and waits for a round in progress (whose result is then dropped). Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= this.doStop());
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.inFlight;
  }

  private run(): void {
    const p = this.round().then(
      (nextMs) => {
        if (nextMs !== undefined) this.schedule(nextMs);
      },
      (err: unknown) => {
        // round() handles its own errors; this is a bug guard so the poller never dies silently.
        this.log.error({ err: errText(err) }, 'dashboard: poll round failed unexpectedly');
        this.schedule(this.intervalMs);
      },
    );
    this.inFlight = p;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, ms);
  }

  /** One round; resolves to the delay before the next one (undefined: no next round). */
  private async round(): Promise<number | undefined> {
    const c = this.o.client;
    const fetchLists =
      this.listsAt === undefined || this.listsEveryMs === 0 || this.clock.now() - this.listsAt >= this.listsEveryMs;
    const [dash, queues, agents] = await Promise.allSettled([
      call(() => c.dashboard()),
      fetchLists ? call(() => c.queues()) : Promise.resolve(this.lastQueues ?? []),
      fetchLists ? call(() => c.agents()) : Promise.resolve(this.lastAgents ?? []),
    ]);
    if (this.stopped) return undefined;
    this.counts.rounds++;

    const config = [dash, queues, agents].find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof AntRingConfigError,
    );
    if (config) {
      this.configured = false;
      this.log.warn({ error: (config.reason as Error).message }, 'dashboard: not configured; not polling');
      return undefined;
    }

    if (queues.status === 'fulfilled') this.lastQueues = queues.value;
    else
      this.log.warn(
        { err: errText(queues.reason), reused: this.lastQueues !== undefined },
        'dashboard: queues call failed',
      );
    if (agents.status === 'fulfilled') this.lastAgents = agents.value;
    else
      this.log.warn(
        { err: errText(agents.reason), reused: this.lastAgents !== undefined },
        'dashboard: agents call failed',
      );

    if (dash.status === 'rejected') return this.failed(dash.reason);
    if (!this.lastQueues) return this.failed(queues.status === 'rejected' ? queues.reason : new Error('no queues'));

    const at = this.clock.now();
    let mapped: ReturnType<typeof mapDashboard>;
    try {
      mapped = mapDashboard({ org: this.o.org, at, raw: dash.value, queues: this.lastQueues, agents: this.lastAgents });
    } catch (err) {
      return this.failed(err);
    }
    if (mapped.dropped) {
      this.counts.dropped += mapped.dropped;
      this.log.warn({ dropped: mapped.dropped }, 'dashboard: items without username or call id dropped');
    }
    if (this.counts.consecutiveFailures > 0) {
      this.log.info({ after: this.counts.consecutiveFailures }, 'dashboard: polling recovered');
    }
    this.counts.consecutiveFailures = 0;
    this.lastOkAt = at;
    if (fetchLists && queues.status === 'fulfilled' && agents.status === 'fulfilled') {
      this.listsAt = at;
      this.lists(agents.value, queues.value);
    }
    const changed = this.offer(mapped.dashboard);
    this.report('ok', changed);
    return this.intervalMs;
  }

  private failed(err: unknown): number {
    this.counts.failures++;
    const n = ++this.counts.consecutiveFailures;
    const delay = this.backoff(n);
    this.log.warn(
      { err: errText(err), consecutive: n, retryInMs: delay },
      'dashboard: poll failed; keeping the last data',
    );
    let changed = false;
    const cur = this.current;
    if (cur && !cur.stale && this.lastOkAt !== undefined && this.clock.now() - this.lastOkAt >= this.intervalMs) {
      // The data's own time stays: `at` says how old the numbers are.
      changed = this.offer(
        withMembers({ ...cur, at: new Date(this.lastOkAt).toISOString(), stale: true }, membersOf(cur)),
      );
    }
    this.report('error', changed);
    return delay;
  }

  /** Keeps d as the latest; emits it when its canonical form differs from the previous one. */
  private offer(d: Dashboard): boolean {
    const key = canonicalDashboard(d);
    this.current = d;
    if (key === this.currentKey) return false;
    this.currentKey = key;
    try {
      this.o.onChange?.(d);
    } catch (err) {
      this.log.error({ err: errText(err) }, 'dashboard: onChange failed');
    }
    return true;
  }

  /** Equal jitter over a capped exponential: in [ceiling/2, ceiling], never under one interval. */
  private backoff(consecutive: number): number {
    const ceiling = Math.min(this.maxBackoffMs, this.intervalMs * 2 ** Math.min(consecutive, 30));
    let r = this.random();
    if (!Number.isFinite(r) || r < 0) r = 0;
    if (r > 1) r = 1;
    return Math.max(this.intervalMs, Math.round(ceiling / 2 + (r * ceiling) / 2));
  }

  private report(result: 'ok' | 'error', changed: boolean): void {
    try {
      this.o.onPoll?.(result, changed);
    } catch (err) {
      this.log.error({ err: errText(err) }, 'dashboard: onPoll failed');
    }
  }

  private lists(agents: Agent[], queues: Queue[]): void {
    try {
      this.o.onLists?.(agents, queues);
    } catch (err) {
      this.log.error({ err: errText(err) }, 'dashboard: onLists failed');
    }
  }
}

/** A call whose synchronous throw becomes a rejection. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  return fn();
}

/** Error class and message only (AntRing errors never carry secrets or URLs in their messages). */
