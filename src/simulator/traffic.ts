// Demo traffic: calls arriving at random (Poisson) with a realistic mix: inbound queue calls ringing 1–3 free
// agents (mostly answered, some abandoned), direct calls (answered, missed, busy), click-to-calls, internal calls.
// Customers come from the seed: some with a contact, some stored in legacy form, some matching several, some unknown.
import { callerProfiles, type CallerProfile, type SimAgent, type SimData } from './data.js';
import type { ScenarioEngine } from './scenarios.js';
import type { SimState } from './state.js';

export interface TrafficMix {
  queue: number;
  direct: number;
  clickToCall: number;
  internal: number;
}

export interface TrafficOptions {
  callsPerMinute: number;
  /** Relative weights. Default { queue: 6, direct: 1.5, clickToCall: 1.5, internal: 1 }. */
  mix?: Partial<TrafficMix>;
  /** [min, max] ms. Defaults [3000, 15000] and [15000, 120000]. */
  ringMs?: [number, number];
  talkMs?: [number, number];
  /** Time in the queue (music) before agents ring, [min, max] ms. Default [1000, 8000]. */
  queueMs?: [number, number];
  /**
   * The demo's agent (default: the seed's first agent; null: nobody): rung by every queue call of her queues while
   * she is free, preferred for direct calls and click-to-calls, and rung by the first call, which starts at once
   * with a customer who has one CRM contact. Someone opening the demo as that agent sees pops within seconds.
   */
  focusAgent?: string | null;
}

const DEFAULT_MIX: TrafficMix = { queue: 6, direct: 1.5, clickToCall: 1.5, internal: 1 };

export class TrafficGenerator {
  private timer?: NodeJS.Timeout;
  private readonly mix: TrafficMix;
  private readonly groups: { single: CallerProfile[]; legacy: CallerProfile[]; multiple: CallerProfile[]; unknown: CallerProfile[] };
  started = 0;

  constructor(
    private readonly engine: ScenarioEngine,
    private readonly data: SimData,
    private readonly state: SimState,
    private readonly opts: TrafficOptions,
    private readonly random: () => number,
    private readonly onError?: (err: unknown) => void,
  ) {
    if (!(opts.callsPerMinute > 0)) throw new RangeError('callsPerMinute must be > 0');
    this.mix = { ...DEFAULT_MIX, ...opts.mix };
    const all = callerProfiles(data.contacts);
    this.groups = {
      single: all.filter((p) => p.records.length === 1 && !p.legacy),
      legacy: all.filter((p) => p.legacy),
      multiple: all.filter((p) => p.records.length > 1),
      unknown: all.filter((p) => p.records.length === 0),
    };
  }

  start(): void {
    this.track(this.firstCall());
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts one random call now (also used by start()'s timer). */
  tick(): void {
    this.started++;
    const kind = this.pickKind();
    this.track(kind === 'queue' ? this.queueCall() : kind === 'direct' ? this.directCall() : kind === 'clickToCall' ? this.clickToCall() : this.internalCall());
  }

  private track(run: Promise<unknown> | undefined): void {
    run?.catch((err: unknown) => {
      if ((err as Error)?.name !== 'ScenarioAbortedError') this.onError?.(err);
    });
  }

  private get focus(): SimAgent | undefined {
    const name = this.opts.focusAgent === undefined ? this.data.agents[0]?.username : this.opts.focusAgent;
    return name ? this.data.agents.find((a) => a.username === name) : undefined;
  }

  /** A queue call that rings the focus agent at once, from a customer with exactly one contact. */
  private firstCall(): Promise<unknown> | undefined {
    const focus = this.focus;
    const queue = focus && this.data.queues.find((q) => q.agents.includes(focus.userId));
    if (!focus || !queue || !this.state.isAvailable(focus)) return undefined;
    this.started++;
    return this.engine.inboundQueueCall({
      customer: this.pick(this.groups.single.length ? this.groups.single : this.groups.unknown).number,
      queueId: queue.id, agents: [focus.username], answeredBy: focus.username,
      ivrMs: 200, queueMs: 500, ringMs: this.between([8_000, 15_000]), talkMs: this.talk(),
    });
  }

  /** The focus agent when free and allowed (and the coin says so), else a random one of `free`. */
  private prefer(free: SimAgent[], chance: number): SimAgent {
    const f = this.focus;
    return f && free.includes(f) && this.random() < chance ? f : this.pick(free);
  }

  private schedule(): void {
    const meanMs = 60_000 / this.opts.callsPerMinute;
    const wait = -Math.log(1 - this.random()) * meanMs;
    this.timer = setTimeout(() => {
      this.tick();
      this.schedule();
    }, Math.min(wait, meanMs * 10));
    this.timer.unref();
  }

  private pickKind(): keyof TrafficMix {
    const entries = Object.entries(this.mix) as [keyof TrafficMix, number][];
    const total = entries.reduce((s, [, w]) => s + Math.max(0, w), 0);
    let r = this.random() * total;
    for (const [k, w] of entries) if ((r -= Math.max(0, w)) < 0) return k;
    return 'queue';
  }

  private between([min, max]: [number, number]): number {
    return Math.round(min + this.random() * (max - min));
  }

  private ring(): number {
    return this.between(this.opts.ringMs ?? [3_000, 15_000]);
  }

  private talk(): number {
    return this.between(this.opts.talkMs ?? [15_000, 120_000]);
  }

  private pick<T>(xs: T[]): T {
    return xs[Math.floor(this.random() * xs.length)];
  }

  private customer(): string {
    const r = this.random();
    const g = r < 0.45 ? this.groups.single : r < 0.6 ? this.groups.legacy : r < 0.75 ? this.groups.multiple : this.groups.unknown;
    return this.pick(g.length ? g : this.groups.unknown).number;
  }

  private free(among: SimAgent[] = this.data.agents): SimAgent[] {
    return among.filter((a) => this.state.isAvailable(a));
  }

  private queueCall(): Promise<unknown> {
    const queue = this.pick(this.data.queues);
    const members = this.data.agents.filter((a) => queue.agents.includes(a.userId));
    const free = this.free(members).sort(() => this.random() - 0.5);
    const rung = free.slice(0, 1 + Math.floor(this.random() * 3));
    const f = this.focus;
    if (f && free.includes(f) && !rung.includes(f)) rung[0] = f;
    const abandon = rung.length === 0 || this.random() < 0.2;
    return this.engine.inboundQueueCall({
      customer: this.customer(),
      queueId: queue.id,
      agents: rung.map((a) => a.username),
      answeredBy: abandon ? null : this.pick(rung).username,
      ivrMs: this.between([200, 800]),
      queueMs: this.between(this.opts.queueMs ?? [1_000, 8_000]),
      ringMs: this.ring(),
      talkMs: this.talk(),
      hangupBy: this.random() < 0.5 ? 'agent' : 'customer',
    });
  }

  private directCall(): Promise<unknown> | undefined {
    const free = this.free();
    if (!free.length) return undefined;
    const r = this.random();
    return this.engine.directCall({
      customer: this.customer(), agent: this.prefer(free, 0.5).username,
      result: r < 0.6 ? 'answered' : r < 0.9 ? 'missed' : 'busy', ringMs: this.ring(), talkMs: this.talk(),
    });
  }

  private clickToCall(): Promise<unknown> | undefined {
    const free = this.free();
    if (!free.length) return undefined;
    const r = this.random();
    return this.engine.clickToCall({
      agent: this.prefer(free, 0.5).username, number: this.customer(), agentRingMs: this.between([1_000, 4_000]),
      result: r < 0.65 ? 'answered' : r < 0.85 ? 'missed' : r < 0.95 ? 'busy' : 'failed', ringMs: this.ring(), talkMs: this.talk(),
    });
  }

  private internalCall(): Promise<unknown> | undefined {
    const free = this.free().sort(() => this.random() - 0.5);
    if (free.length < 2) return undefined;
    return this.engine.internalCall({
      from: free[0].username, to: free[1].username, result: this.random() < 0.8 ? 'answered' : 'missed', ringMs: this.ring(), talkMs: this.talk(),
    });
  }
}
