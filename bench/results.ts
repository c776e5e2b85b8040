// The shape of `npm run bench`'s JSON (stdout), read by report.ts to write docs/performance.md; and the targets.
import type { BenchOptions, RunName } from './args.js';
import type { Budget } from './budget.js';
import type { ClusterBudget } from './cluster-budget.js';
import type { PopLatency } from './latency.js';
import type { ProfileSummary } from './profile.js';
import { ratio, round } from './stats.js';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the bench started (the machine may be shared). */
  loadAvgAtStart: number;
}

export interface RunResult {
  name: RunName;
  /** What served the clients. */
  target: string;
  clients: { requested: number; connected: number; failed: number; connectMs: number; disconnects: number };
  frames: { sent: number; perSec: number; undelivered: number; driverLateP99Ms: number | null };
  messages: { inWindow: number; perSec: number; total: number };
  latency: PopLatency;
  /** Measured processes (bridge nodes, or the baseline server), summed. */
  cpu: {
    seconds: number;
    /** The main thread's share of `seconds` (what a CPU profile samples); the rest is GC helpers, libuv's pool. */
    mainThreadSeconds?: number;
    utilization: number;
    perThousandMessages: number | null;
    messagesPerCpuSecond: number | null;
  };
  memory: {
    idle: { rss: number; heapUsed: number };
    connected: { rss: number; heapUsed: number };
    /** Highest resident set of the run (VmHWM), bytes. */
    peakRss: number;
    perClient: { rssBytes: number; heapBytes: number };
  };
  /** The whole machine in the window: busy cores, and those used by processes outside the bench (noise). */
  machine: { busyCores: number; otherProcessesCores: number; orchestratorCpuSeconds: number };
  /** Redis CPU (cluster), seconds in the window. */
  redisCpuSeconds?: number;
  /** The load processes (clients' side): CPU summed, event-loop delay the worst of them; each one in `processes`. */
  load: { cpuSeconds: number; loopDelayP99Ms: number; loopDelayMaxMs: number; processes?: LoadProcessFigures[] };
  windowSec: number;
  /** The measurement window, unix ms. */
  windowAt: { start: number; end: number };
  notes: string[];
}

export interface LoadProcessFigures {
  clients: number;
  cpuSeconds: number;
  /** CPU seconds / window seconds: the share of one core this load process used. */
  cpuShare: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface SkippedRun {
  name: RunName;
  skipped: string;
}

export interface Target {
  name: string;
  target: string;
  actual: string;
  met: boolean | null;
  /** How far from the target, in words, when missed. */
  gap?: string;
}

export interface BenchResult {
  tool: 'antring-bridge bench';
  startedAt: string;
  durationSec: number;
  params: Omit<
    BenchOptions,
    'help' | 'build' | 'docPath' | 'jsonPath' | 'samplesPath' | 'recoveryBaseline' | CapacityOnly
  > & {
    agents: number;
    supervisors: number;
    admins: number;
    hitNumbers: number;
  };
  machine: MachineInfo;
  script: { calls: number; measuredCalls: number; frames: number; framesPerCall: number; callsPerSec: number };
  runs: Partial<Record<RunName, RunResult | SkippedRun>>;
  ratios: {
    p99: number | null;
    messagesPerSec: number | null;
    cpuPerMessage: number | null;
    messagesPerCpuSecond: number | null;
  } | null;
  /** The same ratios against "baseline-recovery" (the bare server with the bridge's recovery options); null when
   *  either run is missing. The headline (and the target) stays `ratios`, against the plain baseline. */
  ratiosVsRecovery?: BenchResult['ratios'];
  targets: Target[];
  profile?: ProfileSummary | { error: string };
  /** --profile with the baseline: the bridge's CPU by subsystem beside the baseline's, in the window (bench/budget.ts). */
  budget?: Budget | { error: string };
  /** The same budget against baseline+recovery (the bare server with the bridge's recovery options). */
  budgetVsRecovery?: Budget | { error: string };
  /** --profile with bridge and cluster: both cluster nodes + Redis beside the single node (bench/cluster-budget.ts). */
  clusterBudget?: ClusterBudget | { error: string };
  logsDir?: string;
}

/** Options of the capacity mode only (not in the normal run's params). */
export type CapacityOnly = 'capacity' | 'steps' | 'kneeP99Ms' | 'clientsPerLoad' | 'maxLoadProcesses' | 'svgPath';

export const isRun = (r: RunResult | SkippedRun | undefined): r is RunResult => !!r && !('skipped' in r);

export const TARGETS = {
  clients: 2000,
  rate: 100,
  p99Ms: 15,
  cpuRatio: 0.8,
  rssPerClientBytes: 20 * 1024,
  clusterP99Ms: 30,
};

export function computeRatios(bridge: RunResult | undefined, baseline: RunResult | undefined): BenchResult['ratios'] {
  if (!bridge || !baseline) return null;
  return {
    p99: ratio(bridge.latency.hit.p99, baseline.latency.hit.p99),
    messagesPerSec: ratio(bridge.messages.perSec, baseline.messages.perSec),
    cpuPerMessage: ratio(bridge.cpu.perThousandMessages, baseline.cpu.perThousandMessages),
    messagesPerCpuSecond: ratio(bridge.cpu.messagesPerCpuSecond, baseline.cpu.messagesPerCpuSecond),
  };
}

const kb = (b: number) => `${round(b / 1024, 1)} KB`;

export function evaluateTargets(
  params: BenchResult['params'],
  runs: BenchResult['runs'],
  ratios: BenchResult['ratios'],
): Target[] {
  const out: Target[] = [];
  const bridge = isRun(runs.bridge) ? runs.bridge : undefined;
  const cluster = isRun(runs.cluster) ? runs.cluster : undefined;
  const atLoad = params.clients >= TARGETS.clients && params.rate >= TARGETS.rate;
  const loadNote = atLoad
    ? ''
    : ` (this run: ${params.clients} clients, ${params.rate} events/s, below the target load)`;
  const p99 = bridge?.latency.hit.p99 ?? null;
  out.push({
    name: `ring-to-pop p99 on CRM cache hits, ${TARGETS.clients} clients, ${TARGETS.rate} call events/s`,
    target: `≤ ${TARGETS.p99Ms} ms`,
    actual: p99 === null ? 'not measured' : `${p99} ms${loadNote}`,
    met: p99 === null ? null : p99 <= TARGETS.p99Ms && atLoad,
    ...(p99 !== null && p99 > TARGETS.p99Ms
      ? { gap: `${round(p99 - TARGETS.p99Ms, 1)} ms over (${round(p99 / TARGETS.p99Ms, 2)}× the target)` }
      : {}),
  });
  const r = ratios?.messagesPerCpuSecond ?? null;
  out.push({
    name: 'bridge messages per CPU second vs the bare Socket.IO baseline',
    target: `≥ ${TARGETS.cpuRatio} × baseline`,
    actual: r === null ? 'not measured' : `${r} × baseline`,
    met: r === null ? null : r >= TARGETS.cpuRatio,
    ...(r !== null && r < TARGETS.cpuRatio
      ? {
          gap: `${round((TARGETS.cpuRatio - r) * 100, 0)} points short (${round(r / TARGETS.cpuRatio, 2)}× the target)`,
        }
      : {}),
  });
  const per = bridge?.memory.perClient.rssBytes ?? null;
  out.push({
    name: 'bridge RSS per connected client',
    target: `≤ ${kb(TARGETS.rssPerClientBytes)}`,
    actual: per === null ? 'not measured' : kb(per),
    met: per === null ? null : per <= TARGETS.rssPerClientBytes,
    ...(per !== null && per > TARGETS.rssPerClientBytes
      ? {
          gap: `${kb(per - TARGETS.rssPerClientBytes)} over (${round(per / TARGETS.rssPerClientBytes, 2)}× the target)`,
        }
      : {}),
  });
  const cp99 = cluster?.latency.hit.p99 ?? null;
  out.push({
    name: 'cluster (2 nodes + Redis) ring-to-pop p99 on CRM cache hits',
    target: `≤ ${TARGETS.clusterP99Ms} ms`,
    actual:
      cp99 === null
        ? runs.cluster && 'skipped' in runs.cluster
          ? `skipped: ${runs.cluster.skipped}`
          : 'not measured'
        : `${cp99} ms${loadNote}`,
    met: cp99 === null ? null : cp99 <= TARGETS.clusterP99Ms && atLoad,
    ...(cp99 !== null && cp99 > TARGETS.clusterP99Ms
      ? {
          gap: `${round(cp99 - TARGETS.clusterP99Ms, 1)} ms over (${round(cp99 / TARGETS.clusterP99Ms, 2)}× the target)`,
        }
      : {}),
  });
  return out;
}
