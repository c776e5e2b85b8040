// Demo traffic: calls arriving at random (Poisson) with a realistic mix: inbound queue calls ringing 1–3 free
// agents (about 9 in 10 answered: a busy centre, not one in crisis; a queue call that would find every agent busy
// does not arrive, and other calls leave agents free for the queues), direct calls (answered, missed, busy), click-to-calls, internal calls,
// agents dialling out from the desk phone and dialling feature codes. Customers come from the seed: some with a
// contact, some stored in legacy form, some matching several, some unknown; some show a caller-ID name (Vietnamese,
// sometimes with an emoji). The focus agent gets a ringing call with a CRM contact as soon as the bridge listens,
// then about every minute (issue 10 item 15).
import { type Clock, systemClock } from '../clock.js';
import type { SimAgent, SimData } from './data.js';
import { ScenarioAbortedError } from './scenario-types.js';
import type { ScenarioEngine } from './scenarios.js';
import type { SimState } from './state.js';
import { DEFAULT_MIX, TrafficDice, type TrafficMix } from './traffic-mix.js';

export type { TrafficMix } from './traffic-mix.js';

export interface TrafficOptions {
  callsPerMinute: number;
  /** Relative weights. Default { queue: 6, direct: 1.5, clickToCall: 1.5, internal: 1, deskDialOut: 1, featureCode: 0.5 }. */
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
  /** The focus agent's pops after the first: [min, max] ms between two. Default [50000, 70000]. */
  focusEveryMs?: [number, number];
  /** Resolves when the events can be seen (the bridge subscribed); the first pop waits for it, at most readyTimeoutMs. */
  ready?: () => Promise<unknown>;
  /** Default 8000. */
  readyTimeoutMs?: number;
  /** Timers of the traffic (default: real ones). */
  clock?: Clock;
}

/** Of the queue calls that find a free agent, the share whose caller hangs up before an agent answers. */
const ABANDON_SHARE = 0.1;
/** Calls other than queue calls leave this many free agents to the queues. */
const QUEUE_RESERVE = 2;
const FEATURE_CODES = ['*97', '*98', '*8', '*3', '*4', '#'];
/** While a focus pop is due, how often to look whether the focus agent is free. */
const FOCUS_RETRY_MS = 2_000;
/** Before a focus pop, the regular traffic leaves the focus agent alone for this long; her calls talk at most FOCUS_TALK_MAX_MS. */
const FOCUS_KEEP_MS = 45_000;
const FOCUS_TALK_MAX_MS = 20_000;

export class TrafficGenerator {
  private timer?: unknown;
  private focusTimer?: unknown;
  private focusDue = false;
  private nextFocusAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  private readonly clock: Clock;
  private readonly dice: TrafficDice;
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
    this.clock = opts.clock ?? systemClock;
    this.dice = new TrafficDice({ ...DEFAULT_MIX, ...opts.mix }, data, random);
  }

  start(): void {
    this.schedule();
    if (!this.focus) return;
    this.focusDue = true;
    const go = () => {
      if (this.stopped || this.focusTimer !== undefined) return;
      this.clock.clearTimeout(guard);
      this.focusTick();
    };
    const guard = this.clock.setTimeout(go, this.opts.readyTimeoutMs ?? 8_000);
    if (this.opts.ready) this.opts.ready().then(go, go);
    else go();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (this.focusTimer !== undefined) this.clock.clearTimeout(this.focusTimer);
    this.timer = this.focusTimer = undefined;
  }

  /** Starts one random call now (also used by start()'s timer). */
  tick(): void {
    this.started++;
    const kind = this.dice.pickKind();
    const run = {
      queue: () => this.queueCall(),
      direct: () => this.directCall(),
      clickToCall: () => this.clickToCall(),
      internal: () => this.internalCall(),
      deskDialOut: () => this.deskDialOut(),
      featureCode: () => this.featureCode(),
    }[kind];
    this.track(run());
  }

  private track(run: Promise<unknown> | undefined): void {
    run?.catch((err: unknown) => {
      if (!(err instanceof ScenarioAbortedError)) this.onError?.(err);
    });
  }

  private get focus(): SimAgent | undefined {
    const name = this.opts.focusAgent === undefined ? this.data.agents[0]?.username : this.opts.focusAgent;
    return name ? this.data.agents.find((a) => a.username === name) : undefined;
  }

  /** A focus pop is due: ring the focus agent now if she is free, else look again shortly; then schedule the next. */
  private focusTick(): void {
    this.focusTimer = undefined;
    if (this.stopped) return;
    const run = this.focusCall();
    if (!run) {
      this.focusTimer = this.clock.setTimeout(() => this.focusTick(), FOCUS_RETRY_MS);
      return;
    }
    this.focusDue = false;
    this.track(run);
    const every = this.dice.between(this.opts.focusEveryMs ?? [50_000, 70_000]);
    this.nextFocusAt = this.clock.now() + every;
    this.focusTimer = this.clock.setTimeout(() => {
      this.focusDue = true;
      this.focusTick();
    }, every);
  }

  /** A queue call that rings the focus agent at once, from a customer with exactly one contact; undefined when she is busy. */
  private focusCall(): Promise<unknown> | undefined {
    const focus = this.focus;
    const queue = focus && this.data.queues.find((q) => q.agents.includes(focus.userId));
    if (!focus || !queue || !this.state.isAvailable(focus)) return undefined;
    this.started++;
    const who = this.dice.pick(this.dice.groups.single.length ? this.dice.groups.single : this.dice.groups.unknown);
    return this.engine.inboundQueueCall({
      customer: who.number,
      customerName: this.dice.callerName(who),
      queueId: queue.id,
      agents: [focus.username],
      answeredBy: focus.username,
      ivrMs: 200,
      queueMs: 500,
      ringMs: this.dice.between([8_000, 15_000]),
      talkMs: this.dice.between([10_000, 30_000]),
    });
  }

  /** The focus agent when free and allowed (and the coin says so), else a random one of `free`. */
  private prefer(free: SimAgent[], chance: number): SimAgent {
    const f = this.focus;
    return f && free.includes(f) && this.random() < chance ? f : this.dice.pick(free);
  }

  private schedule(): void {
    const meanMs = 60_000 / this.opts.callsPerMinute;
    const wait = -Math.log(1 - this.random()) * meanMs;
    this.timer = this.clock.setTimeout(
      () => {
        if (this.stopped) return;
        this.tick();
        this.schedule();
      },
      Math.min(wait, meanMs * 10),
    );
  }

  private ring(): number {
    return this.dice.between(this.opts.ringMs ?? [3_000, 15_000]);
  }

  private talk(): number {
    return this.dice.between(this.opts.talkMs ?? [15_000, 120_000]);
  }

  /** Agents free for a new call; the focus agent is kept free while her next pop is due or near (FOCUS_KEEP_MS). */
  private free(among: SimAgent[] = this.data.agents): SimAgent[] {
    const f = this.focusDue || this.clock.now() >= this.nextFocusAt - FOCUS_KEEP_MS ? this.focus : undefined;
    return among.filter((a) => a !== f && this.state.isAvailable(a));
  }

  /**
   * Agents free for a call other than a queue call: none unless QUEUE_RESERVE agents stay free for the queues
   * (callers waiting in a queue come first in a real centre; without this the other calls take every agent).
   */
  private spare(): SimAgent[] {
    const free = this.free();
    return free.length > QUEUE_RESERVE ? free : [];
  }

  /** A talk; short when the focus agent is on the call, so she is free again for her next pop. */
  private talkFor(agents: SimAgent[]): number {
    const t = this.talk();
    return this.focus && agents.includes(this.focus) ? Math.min(t, FOCUS_TALK_MAX_MS) : t;
  }

  private queueCall(): Promise<unknown> | undefined {
    const queue = this.dice.pick(this.data.queues);
    const members = this.data.agents.filter((a) => queue.agents.includes(a.userId));
    const free = this.free(members).sort(() => this.random() - 0.5);
    const rung = free.slice(0, 1 + Math.floor(this.random() * 3));
    const f = this.focus;
    if (f && free.includes(f) && !rung.includes(f)) rung[0] = f;
    // Every member busy: the call does not arrive (the demo's arrivals follow what its few agents can take, so the
    // wallboard shows a busy centre, not one in crisis). Otherwise a share of callers hang up before an agent answers.
    if (!rung.length) return undefined;
    const abandon = this.random() < ABANDON_SHARE;
    const who = this.dice.customerProfile();
    return this.engine.inboundQueueCall({
      customer: who.number,
      customerName: this.dice.callerName(who),
      queueId: queue.id,
      agents: rung.map((a) => a.username),
      answeredBy: abandon ? null : this.dice.pick(rung).username,
      ivrMs: this.dice.between([200, 800]),
      queueMs: this.dice.between(this.opts.queueMs ?? [1_000, 8_000]),
      ringMs: this.ring(),
      talkMs: this.talkFor(rung),
      hangupBy: this.random() < 0.5 ? 'agent' : 'customer',
    });
  }

  private directCall(): Promise<unknown> | undefined {
    const free = this.spare();
    if (!free.length) return undefined;
    const r = this.random();
    const agent = this.prefer(free, 0.5);
    return this.engine.directCall({
      customer: this.dice.customer(),
      agent: agent.username,
      result: r < 0.6 ? 'answered' : r < 0.9 ? 'missed' : 'busy',
      ringMs: this.ring(),
      talkMs: this.talkFor([agent]),
    });
  }

  private clickToCall(): Promise<unknown> | undefined {
    const free = this.spare();
    if (!free.length) return undefined;
    const r = this.random();
    const agent = this.prefer(free, 0.5);
    return this.engine.clickToCall({
      agent: agent.username,
      number: this.dice.customer(),
      agentRingMs: this.dice.between([1_000, 4_000]),
      result: r < 0.65 ? 'answered' : r < 0.85 ? 'missed' : r < 0.95 ? 'busy' : 'failed',
      ringMs: this.ring(),
      talkMs: this.talkFor([agent]),
    });
  }

  private deskDialOut(): Promise<unknown> | undefined {
    const free = this.spare();
    if (!free.length) return undefined;
    const r = this.random();
    const agent = this.prefer(free, 0.3);
    return this.engine.deskDialOut({
      agent: agent.username,
      number: this.dice.customer(),
      result: r < 0.65 ? 'answered' : r < 0.85 ? 'missed' : r < 0.95 ? 'busy' : 'failed',
      carrierLegSeen: this.random() < 0.7,
      hangupBy: this.random() < 0.5 ? 'agent' : 'customer',
      ringMs: this.ring(),
      talkMs: this.talkFor([agent]),
    });
  }

  private featureCode(): Promise<unknown> | undefined {
    const free = this.spare();
    if (!free.length) return undefined;
    return this.engine.featureCode({
      agent: this.dice.pick(free).username,
      code: this.dice.pick(FEATURE_CODES),
      talkMs: this.dice.between([2_000, 20_000]),
    });
  }

  private internalCall(): Promise<unknown> | undefined {
    const free = this.spare().sort(() => this.random() - 0.5);
    if (free.length < 2) return undefined;
    return this.engine.internalCall({
      from: free[0].username,
      to: free[1].username,
      result: this.random() < 0.8 ? 'answered' : 'missed',
      ringMs: this.ring(),
      talkMs: this.talkFor(free.slice(0, 2)),
    });
  }
}
