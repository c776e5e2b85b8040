// The upstream pipeline: signal subscriber → call engine → (the mode's leases: all updates on one node, the gate's
// share in a cluster) → sink (the enricher). Each lease term gets a fresh engine and subscriber; the pipeline keeps
// the signal state for readiness and status. start() once; stop() is idempotent and releases the lease, the
// subscriber and the sweep timer.
import type { CallUpdate } from '../calls/types.js';
import type { Clock } from '../clock.js';
import { signalNotReadyReason } from '../http/health.js';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import type { LegEvent } from '../signals/types.js';
import type { UpstreamLeases } from './mode.js';

/** What the pipeline needs of the CallEngine. */
export interface EngineLike {
  apply(event: LegEvent): CallUpdate[];
  sweep(nowMs: number): CallUpdate[];
  readonly liveCalls: number;
}

/** What the pipeline needs of the SignalSubscriber. */
export interface SubscriberLike {
  start(): void;
  stop(): Promise<void>;
  stats(): { reconnects: number; problem?: string };
}

export interface SubscriberHandlers {
  onEvent(event: LegEvent): void;
  onStateChange(state: string): void;
}

export interface UpstreamPipelineOptions {
  leases: UpstreamLeases;
  createEngine(): EngineLike;
  /** A new subscriber wired to `h` (not started). */
  createSubscriber(h: SubscriberHandlers): SubscriberLike;
  /** Where the updates this node publishes go. */
  sink(u: CallUpdate): void;
  clock: Clock;
  logger: Logger;
  /** Every signal state change (metrics). */
  onSignalState?(state: string): void;
  /** Engine sweep period (stale calls ended). Default 30000. */
  sweepEveryMs?: number;
}

export interface PipelineStatus {
  signal: string;
  reconnects: number;
  liveCalls: number;
}

const SWEEP_EVERY_MS = 30_000;

export class UpstreamPipeline {
  private engine: EngineLike;
  private subscriber?: SubscriberLike;
  /** Built at construction (its options are checked then: a bad signal URL throws from createBridge), started by
   *  the first lease term. */
  private spare?: SubscriberLike;
  private signalState = 'idle';
  private sweepTimer?: NodeJS.Timeout;
  private started = false;
  private draining = false;
  private stopping?: Promise<void>;

  constructor(private readonly o: UpstreamPipelineOptions) {
    this.engine = o.createEngine();
    this.spare = this.newSubscriber();
  }

  /** Takes the lease (at once on a single node) and runs the upstream while it is held. */
  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    this.o.leases.start(
      {
        acquire: () => {
          if (this.draining || this.stopping) return;
          this.engine = this.o.createEngine();
          this.subscriber = this.spare ?? this.newSubscriber();
          this.spare = undefined;
          this.subscriber.start();
        },
        release: async () => {
          await this.subscriber?.stop();
          this.signalState = 'idle';
        },
        busy: () => this.engine.liveCalls > 0,
      },
      (u) => this.o.sink(u),
    );
    this.sweepTimer = setInterval(() => {
      this.o.leases.route(undefined, this.engine.sweep(this.o.clock.now()));
    }, this.o.sweepEveryMs ?? SWEEP_EVERY_MS);
    this.sweepTimer.unref();
  }

  /** Graceful stop, step 1: take no new lease (the current one is kept until stop()). */
  prepareStop(): void {
    this.draining = true;
    this.o.leases.stopAcquiring();
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.doStop());
  }

  status(): PipelineStatus {
    return {
      signal: this.signalState,
      reconnects: (this.subscriber ?? this.spare)?.stats().reconnects ?? 0,
      liveCalls: this.engine.liveCalls,
    };
  }

  /** Not ready while this node holds the upstream and its subscription is not live. */
  notReadyReasons(): string[] {
    if (this.signalState === 'live' || !this.o.leases.holdsUpstream()) return [];
    // A problem retrying cannot fix (e.g. a server offering only xhr-polling) is said as such, not as "backoff".
    const problem = (this.subscriber ?? this.spare)?.stats().problem;
    return [signalNotReadyReason(this.signalState, problem ? { problem } : {})];
  }

  private newSubscriber(): SubscriberLike {
    const engine = () => this.engine;
    return this.o.createSubscriber({
      onEvent: (event) => this.o.leases.route(event, engine().apply(event)),
      onStateChange: (state) => {
        this.signalState = state;
        this.o.onSignalState?.(state);
      },
    });
  }

  private async doStop(): Promise<void> {
    this.draining = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    const errors: unknown[] = [];
    await this.o.leases.leave().catch((err: unknown) => errors.push(err));
    // On a single node leave() stops it already; in a cluster the lease may have been lost before: stop it anyway.
    await this.subscriber?.stop().catch((err: unknown) => errors.push(err));
    if (errors.length) this.o.logger.error({ errors: errors.map(errText) }, 'stopping the upstream pipeline failed');
  }
}
