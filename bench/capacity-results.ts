// Capacity mode (pure): the JSON shape, how a step is judged (was the generator saturated? did the target meet the
// p99 and no-loss limits?), where the knee is, and how many load processes a step gets.
import type { LoadStep, RunName } from './args.js';
import type { MachineInfo, RunResult } from './results.js';
import { ratio, round } from './stats.js';

/** A step whose generator passed one of these is marked saturated and not counted. */
export interface SaturationLimits {
  /** Share of one core any single load process may use. */
  loadCpuShare: number;
  /** Event-loop delay p99 of any load process (ms). */
  loopDelayP99Ms: number;
  /** How late the orchestrator's frame driver may send frames, p99 (ms). */
  driverLateP99Ms: number;
}

export const SATURATION: SaturationLimits = { loadCpuShare: 0.85, loopDelayP99Ms: 20, driverLateP99Ms: 20 };

/** A load process should stay below this share of a core (when planning the next step's processes). */
export const PLAN_CPU_SHARE = 0.6;

export interface CapacityStep extends LoadStep {
  /** Attempts made (an attempt whose generator saturated is retried once with more load processes). */
  attempts: number;
  /** False when the generator was saturated: the step neither meets nor misses. */
  counted: boolean;
  /** Why the generator is considered saturated (empty when counted). */
  saturated: string[];
  /** p99 within the limit, every pop delivered, every client connected. */
  met: boolean;
  /** Why the step missed (empty when met). */
  missed: string[];
  /** Ring-to-pop on CRM cache hits / misses, p99 (ms). */
  p99Ms: number | null;
  missP99Ms: number | null;
  pops: { expected: number; received: number };
  clientsConnected: number;
  framesPerSec: number;
  messagesPerSec: number;
  /** The serving process(es), summed: CPU seconds in the window, cores used, per 1,000 messages, messages per CPU s. */
  cpu: { seconds: number; cores: number; perThousandMessages: number | null; messagesPerCpuSecond: number | null };
  redisCpuSeconds?: number;
  generator: {
    processes: number;
    /** Share of one core used by each load process in the window, and the largest. */
    cpuShares: number[];
    cpuShareMax: number;
    /** CPU of all load processes, in cores. */
    cores: number;
    loopDelayP99Ms: number[];
    loopDelayP99MaxMs: number;
    driverLateP99Ms: number | null;
  };
  machine: { busyCores: number; otherProcessesCores: number };
  notes: string[];
}

/** A step that could not be measured at all (the target did not start, no client connected, …). */
export interface FailedStep extends LoadStep {
  error: string;
}

export type StepOutcome = CapacityStep | FailedStep;
export const isMeasured = (s: StepOutcome): s is CapacityStep => !('error' in s);

export interface Knee {
  /** The last counted step that met both limits before the first counted miss (null: none did). */
  step: LoadStep | null;
  index: number | null;
  /** The first counted step that missed (null: every counted step met; the knee is at least `step`). */
  past: (LoadStep & { index: number; why: string[] }) | null;
  /** Steps not counted (generator saturated) or not measured. */
  uncounted: number;
}

export interface CapacityRun {
  name: RunName;
  steps: StepOutcome[];
  knee: Knee;
  /** Why stepping stopped. */
  stopped: string;
}

export interface StepComparison extends LoadStep {
  /** CPU per message, bridge / baseline; cluster (both nodes) / bridge (one node). */
  bridgeVsBaselineCpu: number | null;
  clusterVsBridgeCpu: number | null;
  /** Hit p99, bridge / baseline. */
  bridgeVsBaselineP99: number | null;
}

export interface CapacityResult {
  tool: 'antring-bridge bench';
  mode: 'capacity';
  startedAt: string;
  durationSec: number;
  params: {
    steps: LoadStep[];
    runs: RunName[];
    durationSec: number;
    warmupSec: number;
    supervisorShare: number;
    crmDelayMs: number;
    crmBudgetMs: number;
    missRatio: number;
    seed: number;
    hitNumbers: number;
    kneeP99Ms: number;
    saturation: SaturationLimits;
    clientsPerLoad: number;
    maxLoadProcesses: number;
  };
  machine: MachineInfo;
  runs: Partial<Record<RunName, CapacityRun>>;
  comparison: StepComparison[];
  svgPath?: string;
  logsDir?: string;
}

/** Saturation reasons of a measured run's generator (load processes and frame driver); empty = not saturated. */
export function saturationOf(run: RunResult, limits: SaturationLimits = SATURATION): string[] {
  const out: string[] = [];
  const procs = run.load.processes ?? [];
  procs.forEach((p, i) => {
    if (p.cpuShare > limits.loadCpuShare)
      out.push(
        `load process ${i + 1} used ${Math.round(p.cpuShare * 100)} % of a core (limit ${Math.round(limits.loadCpuShare * 100)} %)`,
      );
  });
  const loops = procs.length ? procs.map((p) => p.loopDelayP99Ms) : [run.load.loopDelayP99Ms];
  loops.forEach((d, i) => {
    if (d > limits.loopDelayP99Ms)
      out.push(`load process ${i + 1} event-loop delay p99 ${d} ms (limit ${limits.loopDelayP99Ms} ms)`);
  });
  const late = run.frames.driverLateP99Ms;
  if (late !== null && late > limits.driverLateP99Ms)
    out.push(`the frame driver sent frames late, p99 ${late} ms (limit ${limits.driverLateP99Ms} ms)`);
  return out;
}

/** Why a measured run missed the capacity limits; empty = met. */
export function missesOf(run: RunResult, kneeP99Ms: number): string[] {
  const out: string[] = [];
  const p99 = run.latency.hit.p99;
  if (p99 === null) out.push('no pop on a CRM cache hit was measured');
  else if (p99 > kneeP99Ms) out.push(`ring-to-pop p99 ${p99} ms > ${kneeP99Ms} ms`);
  const lost = run.latency.expected - run.latency.received;
  if (lost > 0) out.push(`${lost} of ${run.latency.expected} pops lost`);
  if (run.clients.failed > 0) out.push(`${run.clients.failed} of ${run.clients.requested} clients could not connect`);
  return out;
}

/** A measured run → its capacity step (judged). */
export function toStep(
  step: LoadStep,
  run: RunResult,
  o: { kneeP99Ms: number; attempts: number; limits?: SaturationLimits },
): CapacityStep {
  const saturated = saturationOf(run, o.limits);
  const missed = missesOf(run, o.kneeP99Ms);
  const procs = run.load.processes ?? [
    {
      clients: run.clients.requested,
      cpuSeconds: run.load.cpuSeconds,
      cpuShare: run.windowSec ? run.load.cpuSeconds / run.windowSec : 0,
      loopDelayP99Ms: run.load.loopDelayP99Ms,
      loopDelayMaxMs: run.load.loopDelayMaxMs,
    },
  ];
  const shares = procs.map((p) => round(p.cpuShare, 3));
  return {
    clients: step.clients,
    rate: step.rate,
    attempts: o.attempts,
    counted: saturated.length === 0,
    saturated,
    met: missed.length === 0,
    missed,
    p99Ms: run.latency.hit.p99,
    missP99Ms: run.latency.miss.p99,
    pops: { expected: run.latency.expected, received: run.latency.received },
    clientsConnected: run.clients.connected,
    framesPerSec: run.frames.perSec,
    messagesPerSec: run.messages.perSec,
    cpu: {
      seconds: run.cpu.seconds,
      cores: run.cpu.utilization,
      perThousandMessages: run.cpu.perThousandMessages,
      messagesPerCpuSecond: run.cpu.messagesPerCpuSecond,
    },
    ...(run.redisCpuSeconds !== undefined ? { redisCpuSeconds: run.redisCpuSeconds } : {}),
    generator: {
      processes: procs.length,
      cpuShares: shares,
      cpuShareMax: Math.max(0, ...shares),
      cores: run.windowSec ? round(run.load.cpuSeconds / run.windowSec, 3) : 0,
      loopDelayP99Ms: procs.map((p) => p.loopDelayP99Ms),
      loopDelayP99MaxMs: Math.max(0, ...procs.map((p) => p.loopDelayP99Ms)),
      driverLateP99Ms: run.frames.driverLateP99Ms,
    },
    machine: { busyCores: run.machine.busyCores, otherProcessesCores: run.machine.otherProcessesCores },
    notes: run.notes,
  };
}

/** The knee: the last counted step that met both limits before the first counted step that missed. */
export function findKnee(steps: readonly StepOutcome[]): Knee {
  let knee: number | null = null;
  let uncounted = 0;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (!isMeasured(s) || !s.counted) {
      uncounted++;
      continue;
    }
    if (s.met) knee = i;
    else {
      return {
        step: knee === null ? null : pick(steps[knee]),
        index: knee,
        past: { ...pick(s), index: i, why: s.missed },
        uncounted,
      };
    }
  }
  return { step: knee === null ? null : pick(steps[knee]), index: knee, past: null, uncounted };
}

const pick = (s: LoadStep): LoadStep => ({ clients: s.clients, rate: s.rate });

/**
 * Why stepping a target stops after these steps, or null to go on: past the knee (a counted miss), or the
 * generator saturated on two steps in a row even with more load processes (this machine cannot measure further).
 */
export function stopReason(steps: readonly StepOutcome[]): string | null {
  const last = steps[steps.length - 1];
  if (!last) return null;
  if (isMeasured(last) && last.counted && !last.met)
    return `past the knee at ${label(last)}: ${last.missed.join('; ')}`;
  if (!isMeasured(last)) return `${label(last)} could not be measured: ${last.error}`;
  const prev = steps[steps.length - 2];
  if (!last.counted && prev && isMeasured(prev) && !prev.counted)
    return `the generator was saturated at ${label(prev)} and ${label(last)}: this machine cannot load the target further`;
  return null;
}

export const label = (s: LoadStep): string => `${s.clients.toLocaleString('en-US')}×${s.rate}`;

/**
 * Load processes for a step: clients / clientsPerLoad, or more when the generator's CPU predicted from the
 * previous step (cores, scaled by clients × rate: supervisors receive every queue call) would put a process above
 * PLAN_CPU_SHARE of a core. Never more than maxProcesses, nor than the clients.
 */
export function planLoadProcesses(
  step: LoadStep,
  o: { clientsPerLoad: number; maxProcesses: number; previous?: { step: LoadStep; generatorCores: number } },
): number {
  let k = Math.ceil(step.clients / o.clientsPerLoad);
  if (o.previous && o.previous.generatorCores > 0) {
    const scale = (step.clients / o.previous.step.clients) * (step.rate / o.previous.step.rate);
    k = Math.max(k, Math.ceil((o.previous.generatorCores * scale) / PLAN_CPU_SHARE));
  }
  return Math.max(1, Math.min(k, o.maxProcesses, step.clients));
}

/** After a saturated attempt: more load processes (double) if that can help and is allowed, else null. */
export function retryProcesses(step: CapacityStep, processes: number, maxProcesses: number): number | null {
  if (step.counted) return null;
  const generatorBound = step.saturated.some((r) => r.startsWith('load process'));
  if (!generatorBound || processes >= maxProcesses) return null;
  return Math.min(maxProcesses, processes * 2, step.clients);
}

/** Per step: CPU per message and p99, bridge vs baseline, and the cluster (both nodes) vs one node. */
export function compareSteps(steps: readonly LoadStep[], runs: CapacityResult['runs']): StepComparison[] {
  const at = (name: RunName, s: LoadStep): CapacityStep | undefined => {
    const found = runs[name]?.steps.find((x) => x.clients === s.clients && x.rate === s.rate);
    return found && isMeasured(found) ? found : undefined;
  };
  return steps.map((s) => {
    const base = at('baseline', s);
    const bridge = at('bridge', s);
    const cluster = at('cluster', s);
    return {
      ...pick(s),
      bridgeVsBaselineCpu: ratio(bridge?.cpu.perThousandMessages, base?.cpu.perThousandMessages),
      clusterVsBridgeCpu: ratio(cluster?.cpu.perThousandMessages, bridge?.cpu.perThousandMessages),
      bridgeVsBaselineP99: ratio(bridge?.p99Ms, base?.p99Ms),
    };
  });
}

/** A run too small to be a capacity measurement: steps below the default workload (2,000 × 100) or < 10 s windows. */
export function isToyRun(res: Pick<CapacityResult, 'params'>): boolean {
  const top = res.params.steps.reduce((m, s) => Math.max(m, s.clients), 0);
  return top < 2000 || res.params.durationSec < 10;
}
