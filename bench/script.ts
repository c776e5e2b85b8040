// The call script (deterministic from a seed): every Kazoo frame of every call with its time from the script start,
// built by the simulator's own CallRun and leg builders (docs/call-model.md section 3) on a virtual clock. The same
// script drives the baseline, the bridge and the cluster, so all of them see the same calls at the same times.
//
//   phase "crm-warm": one short missed call per hit number (the bridge looks each number up once: cache hits later)
//   phase "traffic":  Poisson arrivals of inbound queue calls (ring-all 1–3 agents) and direct calls, at the rate
//                     that makes `rate` frames per second; calls from a miss number are direct calls whose agent leg
//                     rings at once (the pop has to wait for AntCRM: the worst case).
import { CallRun, type Leg } from '../src/simulator/call-run.js';
import type { SimAgent, SimData } from '../src/simulator/data.js';
import type { ChannelEventName, EventFields, LegSpec } from '../src/simulator/kazoo-payload.js';
import { legBuilders } from '../src/simulator/scenario-legs.js';
import { round } from './stats.js';
import type { BenchWorld } from './world.js';

export interface ScriptFrame {
  /** ms from the script start. */
  t: number;
  call: number;
  name: ChannelEventName;
  spec: LegSpec;
  fields: EventFields;
  /** This frame rings an agent (the agent leg's CHANNEL_CREATE): the agent's username. */
  rings?: string;
}

export interface ScriptCall {
  index: number;
  /** The root leg's Call-ID: the callId of every view of the call. */
  callId: string;
  kind: 'warm' | 'queue' | 'direct';
  crm: 'hit' | 'miss';
  number: string;
  agents: string[];
  queueId?: string;
  /** ms from the script start. */
  start: number;
  /** Started inside the measurement window. */
  measured: boolean;
  /** --split-tenants: the division (tenant) the call belongs to. */
  division?: number;
  frames: ScriptFrame[];
}

export interface Script {
  calls: ScriptCall[];
  /** Every frame, by time. */
  frames: ScriptFrame[];
  /** Measurement window, ms from the script start. */
  window: { start: number; end: number };
  /** Last frame time. */
  end: number;
  /** Mean frames per traffic call, and the call arrival rate used (calls/s). */
  framesPerCall: number;
  callsPerSec: number;
}

export interface ScriptOptions {
  rate: number;
  durationSec: number;
  warmupSec: number;
  missRatio: number;
  seed: number;
  /** After the window, traffic goes on this long (the pops of the last measured calls). Default 1500 ms. */
  tailMs?: number;
  /** Share of hit calls that are direct calls (the rest are queue calls). Default 0.25. */
  directShare?: number;
  timing?: Partial<ScriptTiming>;
}

export interface ScriptTiming {
  ivrMs: number;
  queueMs: number;
  ringMs: number;
  talkMs: number;
  /** crm-warm calls: customer leg created → destroyed. */
  warmMs: number;
  /** crm-warm calls per second. */
  warmRate: number;
}

export const SCRIPT_TIMING: ScriptTiming = {
  ivrMs: 150,
  queueMs: 300,
  ringMs: 2000,
  talkMs: 3000,
  warmMs: 200,
  warmRate: 200,
};

/** Mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A call body: synchronous, `wait` advances the virtual clock (CallRun.at follows it). */
type Body = (run: CallRun, wait: (ms: number) => void, t: ScriptTiming) => void;

/** Plays one call body on a virtual clock: waits advance scenario time, nothing sleeps. */
function record(
  data: SimData,
  start: number,
  body: (run: CallRun, wait: (ms: number) => void) => void,
): { callId: string; frames: Omit<ScriptFrame, 'call'>[] } {
  const frames: Omit<ScriptFrame, 'call'>[] = [];
  let now = start;
  const owners = new Map(data.agents.map((a) => [a.userId, a.username]));
  const run = new CallRun(
    {
      emit: (name: ChannelEventName, leg: Leg, f: EventFields) => {
        const rings = name === 'CHANNEL_CREATE' && leg.spec.ownerId ? owners.get(leg.spec.ownerId) : undefined;
        frames.push({ t: now, name, spec: { ...leg.spec }, fields: { ...f }, ...(rings ? { rings } : {}) });
      },
      delay: () => Promise.resolve(),
      now: () => now,
    },
    data.org,
  );
  body(run, (ms) => void (now += ms));
  return { callId: run.rootId, frames };
}

export function buildScript(data: SimData, world: BenchWorld, o: ScriptOptions): Script {
  const timing = { ...SCRIPT_TIMING, ...o.timing };
  const random = prng(o.seed);
  const legs = legBuilders(data);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const byQueue = new Map<string, SimAgent[]>();
  for (const a of world.agents) {
    const q = world.queueOf(a);
    byQueue.set(q, [...(byQueue.get(q) ?? []), a]);
  }
  const queues = [...byQueue.keys()];
  const calls: ScriptCall[] = [];
  const add = (
    kind: ScriptCall['kind'],
    crm: ScriptCall['crm'],
    number: string,
    agents: SimAgent[],
    start: number,
    queueId: string | undefined,
    body: Body,
  ) => {
    const r = record(data, start, (run, wait) => body(run, wait, timing));
    const index = calls.length;
    calls.push({
      index,
      callId: r.callId,
      kind,
      crm,
      number,
      agents: agents.map((a) => a.username),
      ...(queueId ? { queueId } : {}),
      start,
      measured: false,
      frames: r.frames.map((f) => ({ ...f, call: index })),
    });
  };
  const ring = (run: CallRun, a: SimAgent, customer: string, other: Leg, queueId?: string) =>
    run.create(legs.agentOut(a, customer, queueId), other.spec.callId);

  // Phase 1: warm the bridge's contact cache with every hit number: a short missed direct call each (a call is only
  // shown, and its number looked up, once an agent rings: docs/call-model.md).
  let t = 0;
  for (const number of world.hitNumbers) {
    const agent = pick(world.agents);
    add('warm', 'hit', number, [agent], t, undefined, (run, sleep, tm) => {
      const c = run.create(legs.customerIn(number));
      const leg = ring(run, agent, number, c);
      sleep(tm.warmMs);
      run.destroy(leg, 'NO_ANSWER');
      run.destroy(c, 'NORMAL_CLEARING');
    });
    t += 1000 / timing.warmRate;
  }
  const trafficStart = Math.ceil(t + timing.warmMs + 500);

  // Phase 2: traffic. Call bodies first (their frame counts set the arrival rate), start times after.
  type Plan = {
    kind: 'queue' | 'direct';
    crm: 'hit' | 'miss';
    number: string;
    agents: SimAgent[];
    queueId?: string;
    answered: boolean;
    frames: number;
  };
  const directShare = o.directShare ?? 0.25;
  let missNext = 0;
  const framesOf = (p: Omit<Plan, 'frames'>): number =>
    p.kind === 'direct' ? (p.answered ? 7 : 3) : p.answered ? 6 + 2 * p.agents.length : 2 + 2 * p.agents.length;
  const plan = (): Plan => {
    const miss = random() < o.missRatio && missNext < world.missNumbers.length;
    if (miss || random() < directShare) {
      const number = miss ? world.missNumbers[missNext++] : pick(world.hitNumbers);
      const p = {
        kind: 'direct' as const,
        crm: (miss ? 'miss' : 'hit') as Plan['crm'],
        number,
        agents: [pick(world.agents)],
        answered: random() < 0.8,
      };
      return { ...p, frames: framesOf(p) };
    }
    const queueId = pick(queues);
    const members = byQueue.get(queueId)!;
    const k = Math.min(members.length, 1 + Math.floor(random() * 3));
    const chosen = new Set<SimAgent>();
    while (chosen.size < k) chosen.add(pick(members));
    const p = {
      kind: 'queue' as const,
      crm: 'hit' as const,
      number: pick(world.hitNumbers),
      agents: [...chosen],
      queueId,
      answered: random() < 0.9,
    };
    return { ...p, frames: framesOf(p) };
  };
  const pilot = Array.from({ length: 400 }, plan);
  const framesPerCall = pilot.reduce((s, p) => s + p.frames, 0) / pilot.length;
  const callsPerSec = o.rate / framesPerCall;
  const windowStart = trafficStart + o.warmupSec * 1000;
  const windowEnd = windowStart + o.durationSec * 1000;
  const trafficEnd = windowEnd + (o.tailMs ?? 1500);
  const queue = [...pilot];
  t = trafficStart;
  for (;;) {
    t += (-Math.log(1 - random()) / callsPerSec) * 1000;
    if (t >= trafficEnd) break;
    const p = queue.shift() ?? plan();
    const start = Math.round(t * 1000) / 1000;
    const body: Body =
      p.kind === 'direct'
        ? (run, sleep, tm) => {
            const [a] = p.agents;
            const c = run.create(legs.customerIn(p.number));
            const leg = ring(run, a, p.number, c);
            sleep(tm.ringMs);
            if (p.answered) {
              run.answer(leg);
              run.markAnswered(c);
              run.bridge(leg, c);
              sleep(tm.talkMs);
              run.destroy(c, 'NORMAL_CLEARING');
              run.destroy(leg, 'NORMAL_CLEARING');
            } else {
              run.destroy(leg, 'NO_ANSWER');
              run.destroy(c, 'NORMAL_CLEARING');
            }
          }
        : (run, sleep, tm) => {
            const c = run.create(legs.customerIn(p.number));
            sleep(tm.ivrMs);
            run.answer(c);
            sleep(tm.queueMs);
            const rung = p.agents.map((a) => ring(run, a, p.number, c, p.queueId));
            sleep(tm.ringMs);
            if (!p.answered) {
              run.destroy(c, 'ORIGINATOR_CANCEL');
              for (const l of rung) run.destroy(l, 'ORIGINATOR_CANCEL');
              return;
            }
            const [won, ...lost] = rung;
            run.answer(won);
            run.bridge(won, c);
            for (const l of lost) run.destroy(l, 'LOSE_RACE');
            sleep(tm.talkMs);
            run.destroy(c, 'NORMAL_CLEARING');
            run.destroy(won, 'NORMAL_CLEARING');
          };
    add(p.kind, p.crm, p.number, p.agents, start, p.queueId, body);
    const call = calls[calls.length - 1];
    call.measured = start >= windowStart && start < windowEnd;
  }
  // Traffic stops at trafficEnd: frames of calls still running then are not sent (the run is over).
  const frames = calls.flatMap((c) => c.frames).filter((f) => f.t < trafficEnd);
  frames.sort((a, b) => a.t - b.t || a.call - b.call);
  return {
    calls,
    frames,
    window: { start: windowStart, end: windowEnd },
    end: frames.length ? frames[frames.length - 1].t : 0,
    framesPerCall,
    callsPerSec,
  };
}

/** The summary of a script a bench result carries. */
export function scriptSummary(script: Script) {
  return {
    calls: script.calls.filter((c) => c.kind !== 'warm').length,
    measuredCalls: script.calls.filter((c) => c.measured).length,
    frames: script.frames.length,
    framesPerCall: round(script.framesPerCall, 2),
    callsPerSec: round(script.callsPerSec, 2),
  };
}
