// The scenario engine's machinery (scenarios.ts holds the scenarios): one CallRun per call with the call's dialect
// drawn from the shape mix, events built and published, waits cancelled by close(), agent states and history moved.
import type { Clock } from '../clock.js';
import { CallRun, type Leg, type LinkOnCreate } from './call-run.js';
import { agentByUsername, type SimAgent, type SimData } from './data.js';
import { type HistoryRecord, recordingName, type StatusDetail } from './history.js';
import { buildEvent, type ChannelEventName, type EventFields, type KeyStyle } from './kazoo-payload.js';
import { type CallDialect, ShapeDraw, type ShapeOptions, shapeMix } from './kazoo-shapes.js';
import { DEFAULT_TIMING, type LegBuilders, legBuilders, type Timing } from './scenario-legs.js';
import { type PublishedEvent, ScenarioAbortedError, ScenarioError, type ScenarioResult } from './scenario-types.js';
import type { SimState } from './state.js';

export interface ScenarioEngineOptions {
  data: SimData;
  state: SimState;
  /** The signal hub's publish: hands one payload to every subscriber, returns how many got it. */
  publish: (payload: Record<string, unknown>) => number;
  /** Default: real timers (cancelled by close()). */
  delay?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Forces one key style for every call (default: drawn per call from shapes.keyStyles). */
  keyStyle?: KeyStyle;
  /** How often each real-Kazoo shape appears (kazoo-shapes.ts DEFAULT_SHAPES; PLAIN_SHAPES for the classic ones). */
  shapes?: ShapeOptions;
  timing?: Partial<Timing>;
  onError?: (err: unknown) => void;
  /** Default `ready` of the traffic: resolves when a bridge listens (the simulator: the signal hub has a subscriber). */
  trafficReady?: () => Promise<unknown>;
  /** Timers of the traffic (default: real ones). */
  trafficClock?: Clock;
}

export class ScenarioCore {
  timing: Timing;
  /** The shape draws (mix and injected random); traffic.ts uses it too. */
  readonly draw: ShapeDraw;
  readonly counts = { started: 0, completed: 0, aborted: 0, events: 0, delivered: 0, active: 0 };
  protected readonly data: SimData;
  protected readonly state: SimState;
  protected readonly now: () => number;
  private readonly userDelay?: (ms: number) => Promise<void>;
  private readonly timers = new Set<{ t: NodeJS.Timeout; reject: (e: Error) => void }>();
  private readonly observers = new Set<(e: PublishedEvent) => void>();
  protected closed = false;

  constructor(protected readonly o: ScenarioEngineOptions) {
    this.data = o.data;
    this.state = o.state;
    this.now = o.now ?? Date.now;
    this.userDelay = o.delay;
    this.draw = new ShapeDraw(shapeMix(o.shapes, o.keyStyle), o.random ?? Math.random);
    this.timing = { ...DEFAULT_TIMING, ...o.timing };
  }

  /** See every event as published (tests, the benchmark). Returns the unsubscribe function. */
  observe(fn: (e: PublishedEvent) => void): () => void {
    this.observers.add(fn);
    return () => void this.observers.delete(fn);
  }

  /** Stops every running scenario (their promises reject with ScenarioAbortedError). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.timers) {
      clearTimeout(h.t);
      h.reject(new ScenarioAbortedError());
    }
    this.timers.clear();
  }

  // ---- internals ----
  protected agent(username: string): SimAgent {
    const a = agentByUsername(this.data, username);
    if (!a) throw new ScenarioError(`unknown agent ${username}`);
    return a;
  }

  protected ring(
    run: CallRun,
    init: Parameters<CallRun['create']>[0],
    a: SimAgent,
    other?: Leg,
    link: LinkOnCreate = 'create',
  ): [Leg, SimAgent] {
    const leg = run.create(init, other?.spec.callId, link);
    this.state.legRinging(a);
    return [leg, a];
  }

  protected end(run: CallRun, leg: Leg, a: SimAgent, cause: string, msgId?: string): string | undefined {
    if (leg.destroyedAt !== undefined) return undefined;
    const id = run.destroy(leg, cause, msgId);
    this.state.legEnded(a, leg.answeredAt !== undefined);
    return id;
  }

  /** The two legs of a talk hang up at one instant, in this order; with the call's dialect, on one Msg-ID (issue 9 item 3). */
  protected hangUp(run: CallRun, dialect: CallDialect, order: [Leg, SimAgent?][], cause: string): void {
    let shared: string | undefined;
    for (const [leg, a] of order) {
      const msgId = dialect.sharedDestroyMsgId ? shared : undefined;
      const id = a ? this.end(run, leg, a, cause, msgId) : run.destroy(leg, cause, msgId);
      shared ??= id;
    }
  }

  protected history(
    run: CallRun,
    h: {
      caller: HistoryRecord['caller'];
      callee: HistoryRecord['callee'];
      direction: HistoryRecord['direction'];
      status: StatusDetail;
      leg: Leg;
      billing?: number;
      did?: null;
      internal?: boolean;
      queueStat?: HistoryRecord['queue_stat'];
    },
  ): void {
    const callId = run.rootId;
    this.state.addHistory({
      call_id: callId,
      caller: h.caller,
      callee: h.callee,
      class: h.internal ? 'one_one' : 'trunking',
      did_number: h.did === null ? null : this.data.org.did,
      direction: h.direction,
      status_detail: h.status,
      duration_seconds: CallRun.seconds(h.leg.createdAt, run.at),
      unix_timestamp: Math.floor(h.leg.createdAt / 1000),
      billing_seconds: h.billing ?? 0,
      recording: h.billing ? recordingName(callId) : '',
      queue_stat: h.queueStat ?? [],
    });
  }

  protected async play(
    body: (run: CallRun, legs: LegBuilders, dialect: CallDialect, hide: (legId: string) => void) => Promise<void>,
  ): Promise<ScenarioResult> {
    if (this.closed) throw new ScenarioAbortedError();
    const dialect = this.draw.dialect();
    const hidden = new Set<string>(); // leg ids whose events are not published (a leg under another account)
    const run: CallRun = new CallRun(
      {
        emit: (n, l, f) => (hidden.has(l.spec.callId) ? undefined : this.emit(run, dialect, n, l, f)),
        delay: (ms) => this.delay(ms),
        now: this.now,
      },
      this.data.org,
      { bridgeIdInCcv: dialect.bridgeIdInCcv },
    );
    this.counts.started++;
    this.counts.active++;
    try {
      await body(run, legBuilders(this.data), dialect, (legId) => void hidden.add(legId));
      this.counts.completed++;
    } catch (err) {
      if (err instanceof ScenarioAbortedError) this.counts.aborted++;
      throw err;
    } finally {
      this.counts.active--;
    }
    return { callId: run.rootId, legs: run.legs.map((l) => l.spec.callId) };
  }

  private emit(run: CallRun, dialect: CallDialect, name: ChannelEventName, leg: Leg, f: EventFields): void {
    if (this.closed) throw new ScenarioAbortedError();
    const payload = buildEvent(name, leg.spec, f, dialect.style, dialect.payload);
    this.counts.events++;
    this.counts.delivered += this.o.publish(payload);
    const e: PublishedEvent = { name, legId: leg.spec.callId, callId: run.rootId, payload };
    for (const fn of this.observers) fn(e);
  }

  private async delay(ms: number): Promise<void> {
    if (this.closed) throw new ScenarioAbortedError();
    if (this.userDelay) await this.userDelay(ms);
    else if (ms > 0) {
      await new Promise<void>((resolve, reject) => {
        const h = {
          t: setTimeout(() => {
            this.timers.delete(h);
            resolve();
          }, ms),
          reject,
        };
        h.t.unref();
        this.timers.add(h);
      });
    }
    if (this.closed) throw new ScenarioAbortedError();
  }
}

export const FAR_CAUSE = {
  answered: 'NORMAL_CLEARING',
  busy: 'USER_BUSY',
  missed: 'NO_ANSWER',
  failed: 'UNALLOCATED_NUMBER',
} as const;
export const OUT_STATUS: Record<keyof typeof FAR_CAUSE, StatusDetail> = {
  answered: 'SUCCESS',
  busy: 'BUSY',
  missed: 'CANCELLED',
  failed: 'UNSUCCESS',
};
export const billed = (leg: Leg): number =>
  leg.answeredAt !== undefined && leg.destroyedAt !== undefined ? CallRun.seconds(leg.answeredAt, leg.destroyedAt) : 0;
