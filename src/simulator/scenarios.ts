// The scenario engine: plays calls as Kazoo leg events (docs/call-model.md section 3), through an injected
// publish (the signal hub's), and moves the simulated agent statuses, queue counters and call history.
import { CallRun, type Leg } from './call-run.js';
import { agentByUsername, queuesOfAgent, type SimAgent, type SimData } from './data.js';
import { numberParty, queueStat, recordingName, userParty, type HistoryRecord, type StatusDetail } from './history.js';
import { buildEvent, type ChannelEventName, type EventFields, type KeyStyle } from './kazoo-payload.js';
import type { SimState } from './state.js';
import { TrafficGenerator, type TrafficOptions } from './traffic.js';
import { DEFAULT_TIMING, legBuilders, type LegBuilders, type Timing } from './scenario-legs.js';
import {
  ScenarioAbortedError, ScenarioError, type ClickToCall, type DirectCall, type InboundQueueCall, type InternalCall, type PublishedEvent,
  type ScenarioResult,
} from './scenario-types.js';

export type { Timing } from './scenario-legs.js';
export * from './scenario-types.js';
export type { TrafficOptions } from './traffic.js';

export interface ScenarioEngineOptions {
  data: SimData;
  state: SimState;
  /** The signal hub's publish: hands one payload to every subscriber, returns how many got it. */
  publish: (payload: Record<string, unknown>) => number;
  /** Default: real timers (cancelled by close()). */
  delay?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  keyStyle?: KeyStyle;
  timing?: Partial<Timing>;
  onError?: (err: unknown) => void;
}

export class ScenarioEngine {
  keyStyle: KeyStyle;
  timing: Timing;
  readonly counts = { started: 0, completed: 0, aborted: 0, events: 0, delivered: 0, active: 0 };
  private readonly data: SimData;
  private readonly state: SimState;
  private readonly now: () => number;
  private readonly userDelay?: (ms: number) => Promise<void>;
  private readonly timers = new Set<{ t: NodeJS.Timeout; reject: (e: Error) => void }>();
  private readonly observers = new Set<(e: PublishedEvent) => void>();
  private traffic?: TrafficGenerator;
  private closed = false;

  constructor(private readonly o: ScenarioEngineOptions) {
    this.data = o.data;
    this.state = o.state;
    this.now = o.now ?? Date.now;
    this.userDelay = o.delay;
    this.keyStyle = o.keyStyle ?? 'title';
    this.timing = { ...DEFAULT_TIMING, ...o.timing };
  }

  /** See every event as published (tests, the benchmark). Returns the unsubscribe function. */
  observe(fn: (e: PublishedEvent) => void): () => void {
    this.observers.add(fn);
    return () => void this.observers.delete(fn);
  }

  async inboundQueueCall(c: InboundQueueCall): Promise<ScenarioResult> {
    const agents = c.agents.map((u) => this.agent(u));
    const abandon = c.abandon === true || c.answeredBy === null;
    if (agents.length > 3 || (!agents.length && !abandon)) throw new ScenarioError('an inbound queue call rings 1 to 3 agents');
    const winner = abandon ? undefined : this.agent(c.answeredBy ?? c.agents[0]);
    if (winner && !agents.includes(winner)) throw new ScenarioError(`${winner.username} is not among the agents rung`);
    const queue = c.queueId ? this.data.queues.find((q) => q.id === c.queueId) : (agents[0] && queuesOfAgent(this.data, agents[0].userId)[0]) || this.data.queues[0];
    if (!queue) throw new ScenarioError(`unknown queue ${c.queueId}`);
    return this.play(async (run, legs) => {
      const cust = run.create(legs.customerIn(c.customer, c.customerName));
      await run.wait(c.ivrMs ?? this.timing.ivrMs);
      run.answer(cust);
      const entered = run.at;
      this.state.queueEntered({ callId: cust.spec.callId, queueId: queue.id, number: c.customer, name: c.customerName ?? c.customer, enteredAt: entered });
      await run.wait(c.queueMs ?? this.timing.queueMs);
      const rung = agents.map((a) => this.ring(run, legs.agentOut(a, c.customer, queue.id), a, cust));
      await run.wait(c.ringMs ?? this.timing.ringMs);
      const stat = { callId: cust.spec.callId, queueId: queue.id, org: this.data.org.accountId, number: c.customer, enteredS: Math.floor(entered / 1000) };
      if (!winner) {
        run.destroy(cust, 'ORIGINATOR_CANCEL');
        this.state.queueLeft(cust.spec.callId, false, run.at);
        for (const [leg, a] of rung) this.end(run, leg, a, 'ORIGINATOR_CANCEL');
        const waitS = CallRun.seconds(entered, run.at);
        this.history(run, { caller: numberParty(c.customer), callee: numberParty(this.data.org.did), direction: 'to_ab', status: 'IVR', leg: cust,
          queueStat: [queueStat({ ...stat, waitS, talkS: 0, missed: agents })] });
        return;
      }
      const [won] = rung.find(([, a]) => a === winner)!;
      run.answer(won);
      this.state.legAnswered(winner);
      this.state.queueLeft(cust.spec.callId, true, run.at);
      const waitS = CallRun.seconds(entered, run.at);
      run.bridge(won, cust);
      for (const [leg, a] of rung) if (a !== winner) this.end(run, leg, a, 'LOSE_RACE');
      await run.wait(c.talkMs ?? this.timing.talkMs);
      if (c.hangupBy === 'agent') this.end(run, won, winner, 'NORMAL_CLEARING');
      run.destroy(cust, 'NORMAL_CLEARING');
      this.end(run, won, winner, 'NORMAL_CLEARING');
      const talkS = CallRun.seconds(won.answeredAt!, run.at);
      this.state.queueTalked(queue.id, talkS);
      this.history(run, { caller: numberParty(c.customer), callee: userParty(winner), direction: 'to_ab', status: 'SUCCESS', leg: cust, billing: talkS,
        queueStat: [queueStat({ ...stat, waitS, talkS, answeredBy: winner, missed: agents.filter((a) => a !== winner), hungUpBy: c.hangupBy === 'agent' ? 'agent' : 'caller' })] });
    });
  }

  async directCall(c: DirectCall): Promise<ScenarioResult> {
    const agent = this.agent(c.agent);
    return this.play(async (run, legs) => {
      const cust = run.create(legs.customerIn(c.customer));
      await run.wait(this.timing.routeMs);
      const [leg] = this.ring(run, legs.agentOut(agent, c.customer), agent, cust);
      if (c.result === 'busy') {
        await run.wait(Math.min(this.timing.routeMs, c.ringMs ?? this.timing.ringMs));
        this.end(run, leg, agent, 'USER_BUSY');
      } else {
        await run.wait(c.ringMs ?? this.timing.ringMs);
        if (c.result === 'missed') this.end(run, leg, agent, 'NO_ANSWER');
      }
      if (c.result === 'answered') {
        run.answer(leg);
        this.state.legAnswered(agent);
        run.markAnswered(cust);
        run.bridge(leg, cust);
        await run.wait(c.talkMs ?? this.timing.talkMs);
        run.destroy(cust, 'NORMAL_CLEARING');
        this.end(run, leg, agent, 'NORMAL_CLEARING');
      } else run.destroy(cust, 'NORMAL_CLEARING');
      const status: StatusDetail = c.result === 'answered' ? 'SUCCESS' : c.result === 'busy' ? 'BUSY' : 'IVR';
      this.history(run, { caller: numberParty(c.customer), callee: userParty(agent), direction: 'to_ab', status, leg: cust, billing: billed(leg) });
    });
  }

  async clickToCall(c: ClickToCall): Promise<ScenarioResult> {
    const agent = this.agent(c.agent);
    return this.play(async (run, legs) => {
      const [a] = this.ring(run, legs.agentDevice(agent, c.number), agent);
      await run.wait(c.agentRingMs ?? this.timing.agentRingMs);
      run.answer(a);
      this.state.legAnswered(agent);
      await run.wait(this.timing.routeMs);
      const b = run.create(legs.customerOut(c.number), a.spec.callId);
      await run.wait(c.result === 'busy' || c.result === 'failed' ? this.timing.routeMs : (c.ringMs ?? this.timing.ringMs));
      if (c.result === 'answered') {
        run.answer(b);
        run.bridge(b, a);
        await run.wait(c.talkMs ?? this.timing.talkMs);
      }
      const cause = { answered: 'NORMAL_CLEARING', busy: 'USER_BUSY', missed: 'NO_ANSWER', failed: 'UNALLOCATED_NUMBER' }[c.result];
      run.destroy(b, cause);
      this.end(run, a, agent, 'NORMAL_CLEARING');
      const status: StatusDetail = { answered: 'SUCCESS', busy: 'BUSY', missed: 'CANCELLED', failed: 'UNSUCCESS' }[c.result] as StatusDetail;
      this.history(run, { caller: userParty(agent), callee: numberParty(c.number), direction: 'from_ab', status, leg: a, billing: billed(b), did: null });
    });
  }

  async internalCall(c: InternalCall): Promise<ScenarioResult> {
    const x = this.agent(c.from);
    const y = this.agent(c.to);
    const result = c.result ?? 'answered';
    return this.play(async (run, legs) => {
      const [xl] = this.ring(run, legs.internalCaller(x, y), x);
      await run.wait(this.timing.routeMs);
      const [yl] = this.ring(run, legs.internalCallee(x, y), y, xl);
      await run.wait(result === 'busy' ? this.timing.routeMs : (c.ringMs ?? this.timing.ringMs));
      if (result === 'answered') {
        run.answer(yl);
        this.state.legAnswered(y);
        run.markAnswered(xl);
        this.state.legAnswered(x);
        run.bridge(yl, xl);
        await run.wait(c.talkMs ?? this.timing.talkMs);
        this.end(run, xl, x, 'NORMAL_CLEARING');
        this.end(run, yl, y, 'NORMAL_CLEARING');
      } else {
        this.end(run, yl, y, result === 'busy' ? 'USER_BUSY' : 'NO_ANSWER');
        this.end(run, xl, x, 'NORMAL_CLEARING');
      }
      const status: StatusDetail = result === 'answered' ? 'SUCCESS' : result === 'busy' ? 'BUSY' : 'CANCELLED';
      this.history(run, { caller: userParty(x), callee: userParty(y), direction: 'from_ab', status, leg: xl, billing: billed(yl), did: null, internal: true });
    });
  }

  startTraffic(opts: TrafficOptions): void {
    this.stopTraffic();
    this.traffic = new TrafficGenerator(this, this.data, this.state, opts, this.o.random ?? Math.random, this.o.onError);
    this.traffic.start();
  }

  stopTraffic(): void {
    this.traffic?.stop();
    this.traffic = undefined;
  }

  get trafficRunning(): boolean {
    return this.traffic !== undefined;
  }

  stats(): ScenarioEngine['counts'] & { traffic: boolean } {
    return { ...this.counts, traffic: this.trafficRunning };
  }

  /** Stops the traffic and every running scenario (their promises reject with ScenarioAbortedError). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTraffic();
    for (const h of this.timers) {
      clearTimeout(h.t);
      h.reject(new ScenarioAbortedError());
    }
    this.timers.clear();
  }

  // ---- internals ----
  private agent(username: string): SimAgent {
    const a = agentByUsername(this.data, username);
    if (!a) throw new ScenarioError(`unknown agent ${username}`);
    return a;
  }

  private ring(run: CallRun, init: Parameters<CallRun['create']>[0], a: SimAgent, other?: Leg): [Leg, SimAgent] {
    const leg = run.create(init, other?.spec.callId);
    this.state.legRinging(a);
    return [leg, a];
  }

  private end(run: CallRun, leg: Leg, a: SimAgent, cause: string): void {
    if (leg.destroyedAt !== undefined) return;
    run.destroy(leg, cause);
    this.state.legEnded(a, leg.answeredAt !== undefined);
  }

  private history(run: CallRun, h: { caller: HistoryRecord['caller']; callee: HistoryRecord['callee']; direction: HistoryRecord['direction'];
    status: StatusDetail; leg: Leg; billing?: number; did?: null; internal?: boolean; queueStat?: HistoryRecord['queue_stat'] }): void {
    const callId = run.rootId;
    this.state.addHistory({
      call_id: callId, caller: h.caller, callee: h.callee, class: h.internal ? 'one_one' : 'trunking',
      did_number: h.did === null ? null : this.data.org.did, direction: h.direction, status_detail: h.status,
      duration_seconds: CallRun.seconds(h.leg.createdAt, run.at), unix_timestamp: Math.floor(h.leg.createdAt / 1000),
      billing_seconds: h.billing ?? 0, recording: h.billing ? recordingName(callId) : '', queue_stat: h.queueStat ?? [],
    });
  }

  private async play(body: (run: CallRun, legs: LegBuilders) => Promise<void>): Promise<ScenarioResult> {
    if (this.closed) throw new ScenarioAbortedError();
    const run: CallRun = new CallRun({ emit: (n, l, f) => this.emit(run, n, l, f), delay: (ms) => this.delay(ms), now: this.now }, this.data.org);
    this.counts.started++;
    this.counts.active++;
    try {
      await body(run, legBuilders(this.data));
      this.counts.completed++;
    } catch (err) {
      if (err instanceof ScenarioAbortedError) this.counts.aborted++;
      throw err;
    } finally {
      this.counts.active--;
    }
    return { callId: run.rootId, legs: run.legs.map((l) => l.spec.callId) };
  }

  private emit(run: CallRun, name: ChannelEventName, leg: Leg, f: EventFields): void {
    if (this.closed) throw new ScenarioAbortedError();
    const payload = buildEvent(name, leg.spec, f, this.keyStyle);
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
        const h = { t: setTimeout(() => { this.timers.delete(h); resolve(); }, ms), reject };
        h.t.unref();
        this.timers.add(h);
      });
    }
    if (this.closed) throw new ScenarioAbortedError();
  }
}

const billed = (leg: Leg): number => (leg.answeredAt !== undefined && leg.destroyedAt !== undefined ? CallRun.seconds(leg.answeredAt, leg.destroyedAt) : 0);
