// The benchmark's command line (pure): `npm run bench -- --clients 2000 --rate 100 --duration 20 --crm-delay 50`.
// Defaults finish in under 2 minutes on an idle 2-core machine (three runs: baseline, bridge, cluster).

export type RunName = 'baseline' | 'baseline-recovery' | 'bridge' | 'cluster';
/** Every run, in the order they run. "baseline-recovery" is the bare server with the bridge's Socket.IO recovery
 *  options; a normal run adds it after "baseline" unless --no-recovery-baseline (see runList). */
export const RUN_NAMES: readonly RunName[] = ['baseline', 'baseline-recovery', 'bridge', 'cluster'];

export interface BenchOptions {
  /** Connected Socket.IO clients: agents (one per synthetic agent), supervisors (queues ["*"]) and one admin. */
  clients: number;
  /** Share of the clients that are supervisors (the rest, less the admin, are agents). */
  supervisorShare: number;
  /** Kazoo call events (channel-event frames) per second, sent by the simulator. */
  rate: number;
  /** Measured seconds per run. */
  durationSec: number;
  /** Traffic before the measurement (JIT, caches), seconds. */
  warmupSec: number;
  /** The simulated AntCRM's answer delay (ms): what a cache miss waits for. */
  crmDelayMs: number;
  /** The bridge's CRM_BUDGET_MS (how long a pop may wait for AntCRM). */
  crmBudgetMs: number;
  /** Share of calls whose number is not in the bridge's contact cache. */
  missRatio: number;
  /** PRNG seed of the call script (the same script drives every run). */
  seed: number;
  runs: RunName[];
  /** A normal run with "baseline" also runs "baseline-recovery" right after it (--no-recovery-baseline: not). */
  recoveryBaseline: boolean;
  /** node --cpu-prof on the bridge (single-node run); the summary lands in the JSON and the doc. */
  profile: boolean;
  /** The bridge (and cluster) with AntCRM write-back and webhooks on, through the durable outbox. */
  writeback: boolean;
  /** Run `npm run build` first (the bridge runs from dist/). */
  build: boolean;
  /** Where to write the Markdown report; null = do not write it. */
  docPath: string | null;
  /** Also write the JSON here. */
  jsonPath: string | null;
  /** Write every pop (receipt time, latency, role, CRM class) of every run here, as JSON. */
  samplesPath: string | null;
  /** Capacity mode: step the load up until ring→pop p99 passes the limit or a pop is lost (bench/capacity.ts). */
  capacity: boolean;
  /** Capacity mode: the load steps, in order. */
  steps: LoadStep[];
  /** Capacity mode: ring→pop p99 limit on CRM cache hits (ms); a step above it is past the knee. */
  kneeP99Ms: number;
  /** Capacity mode: clients per load process at the start (more processes when one nears saturation). */
  clientsPerLoad: number;
  /** Capacity mode: at most this many load processes. */
  maxLoadProcesses: number;
  /** Capacity mode: where to write the SVG chart; null = do not write it. */
  svgPath: string | null;
  help: boolean;
}

/** One capacity step: connected clients × Kazoo call events per second. */
export interface LoadStep {
  clients: number;
  rate: number;
}

/** 2,000×100, 4,000×200, … 16,000×800: 50 call events/s per 1,000 clients, as the issue's workloads. */
export const DEFAULT_STEPS: readonly LoadStep[] = Array.from({ length: 8 }, (_, i) => ({
  clients: 2000 * (i + 1),
  rate: 100 * (i + 1),
}));

/** Capacity runs are shorter than the normal ones (many steps); --duration/--warmup override these. */
export const CAPACITY_DURATION_SEC = 10;
export const CAPACITY_WARMUP_SEC = 2;

export const DEFAULTS: BenchOptions = {
  clients: 2000,
  supervisorShare: 0.05,
  rate: 100,
  durationSec: 20,
  warmupSec: 3,
  crmDelayMs: 50,
  crmBudgetMs: 150,
  missRatio: 0.1,
  seed: 1,
  runs: ['baseline', 'bridge', 'cluster'],
  recoveryBaseline: true,
  profile: false,
  writeback: false,
  build: true,
  docPath: 'docs/performance.md',
  jsonPath: null,
  samplesPath: null,
  capacity: false,
  steps: [...DEFAULT_STEPS],
  kneeP99Ms: 100,
  clientsPerLoad: 2000,
  maxLoadProcesses: 8,
  svgPath: 'docs/performance-capacity.svg',
  help: false,
};

export const USAGE = `npm run bench -- [options]

  --clients N          connected clients (default ${DEFAULTS.clients}): agents, supervisors and one admin
  --supervisors S      share of supervisors, 0..1 (default ${DEFAULTS.supervisorShare})
  --rate R             Kazoo call events per second (default ${DEFAULTS.rate})
  --duration S         measured seconds per run (default ${DEFAULTS.durationSec})
  --warmup S           unmeasured traffic before each measurement (default ${DEFAULTS.warmupSec})
  --crm-delay MS       simulated AntCRM delay, what a cache miss waits for (default ${DEFAULTS.crmDelayMs})
  --crm-budget MS      the bridge's CRM_BUDGET_MS (default ${DEFAULTS.crmBudgetMs})
  --miss-ratio X       share of calls from numbers not in the contact cache (default ${DEFAULTS.missRatio})
  --seed N             call script seed (default ${DEFAULTS.seed})
  --runs LIST          comma list of baseline,baseline-recovery,bridge,cluster (default baseline,bridge,cluster;
                       a normal run adds baseline-recovery after baseline: the bare server with the bridge's
                       connection state recovery, same window, and its keepalive broadcast)
  --no-recovery-baseline  do not add baseline-recovery to a run with baseline
  --profile            node --cpu-prof the single-node bridge (and the baseline) and summarise the hot path; with
                       the baseline, the CPU budget: the bridge's CPU by subsystem beside the baseline's, in the
                       window (bench/budget.ts; JSON "budget", and a section of --doc)
  --clients-per-load N, --max-load-procs N   also spread a normal run's clients over load processes (see below)
  --writeback          the bridge and the cluster with write-back on (ANTCRM_WRITEBACK=tickets,leads,wrapup, the
                       SQLite outbox in the run's folder, or Redis in the cluster) and webhooks to the simulator's
                       receiver: the pops must not be slowed by the outbox
  --no-build           use dist/ as it is
  --doc PATH           Markdown report (default ${DEFAULTS.docPath}); --no-doc to skip
  --json PATH          also write the JSON result to PATH
  --samples PATH       write every pop of every run (unix ms, latency ms, role, crm) to PATH as JSON
  -h, --help

Capacity mode (npm run bench -- --capacity): steps the load up, for each run of --runs (default baseline,bridge;
add cluster to step the 2-node cluster too), until ring-to-pop p99 on CRM cache hits passes --knee-p99 or a pop is
lost, and reports each run's knee (the last step that met both). Each step starts its target afresh. The clients
are spread over load processes (--clients-per-load, more when one nears a full core); a step whose generator was
saturated (a load process > 85 % of a core, its event-loop delay p99 > 20 ms, or the frame driver late by > 20 ms)
is marked and not counted. Writes the capacity section of --doc and an SVG chart (--svg). Every process shares
this machine's cores: CPU is measured per process so CPU per message stays comparable.

  --capacity           capacity mode (--duration defaults to ${CAPACITY_DURATION_SEC}, --warmup to ${CAPACITY_WARMUP_SEC})
  --steps LIST         comma list of CLIENTSxRATE (default ${DEFAULT_STEPS.map((x) => `${x.clients}x${x.rate}`).join(',')})
  --knee-p99 MS        p99 limit of a step (default ${DEFAULTS.kneeP99Ms})
  --clients-per-load N clients per load process to start with (default ${DEFAULTS.clientsPerLoad})
  --max-load-procs N   at most N load processes (default ${DEFAULTS.maxLoadProcesses})
  --svg PATH           the chart (default docs/performance-capacity.svg); --no-svg to skip

Other modes: --tenants N (idle cost of N tenants, bench/tenants.ts); --split-tenants N (one workload as 1 tenant,
then split over N tenants: the bridge's CPU ratio, bench/split-tenants.ts; --split-tenants N --help).

JSON result on stdout; progress on stderr.`;

export class BenchArgsError extends Error {
  override readonly name = 'BenchArgsError';
}

function num(flag: string, raw: string | undefined, min: number, max: number, integer = false): number {
  const v = Number(raw);
  if (
    raw === undefined ||
    raw.trim() === '' ||
    !Number.isFinite(v) ||
    v < min ||
    v > max ||
    (integer && !Number.isInteger(v))
  ) {
    throw new BenchArgsError(
      `${flag}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${raw ?? 'nothing'}`,
    );
  }
  return v;
}

/** argv without node and the script. Throws BenchArgsError on anything it does not know. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = { ...DEFAULTS, runs: [...DEFAULTS.runs], steps: [...DEFAULTS.steps] };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    given.add(flag);
    switch (flag) {
      case '--clients':
        o.clients = num(flag, value(), 3, 100_000, true);
        break;
      case '--supervisors':
        o.supervisorShare = num(flag, value(), 0, 0.9);
        break;
      case '--rate':
        o.rate = num(flag, value(), 1, 100_000);
        break;
      case '--duration':
        o.durationSec = num(flag, value(), 1, 3600);
        break;
      case '--warmup':
        o.warmupSec = num(flag, value(), 0, 600);
        break;
      case '--crm-delay':
        o.crmDelayMs = num(flag, value(), 0, 10_000, true);
        break;
      case '--crm-budget':
        o.crmBudgetMs = num(flag, value(), 0, 10_000, true);
        break;
      case '--miss-ratio':
        o.missRatio = num(flag, value(), 0, 1);
        break;
      case '--seed':
        o.seed = num(flag, value(), 0, 2 ** 31, true);
        break;
      case '--runs': {
        const list = (value() ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const bad = list.filter((r) => !(RUN_NAMES as readonly string[]).includes(r));
        if (!list.length || bad.length)
          throw new BenchArgsError(
            `--runs: expected a comma list of ${RUN_NAMES.join(',')}, got ${list.join(',') || 'nothing'}`,
          );
        o.runs = RUN_NAMES.filter((r) => list.includes(r));
        break;
      }
      case '--no-recovery-baseline':
        o.recoveryBaseline = false;
        break;
      case '--writeback':
        o.writeback = true;
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--no-build':
        o.build = false;
        break;
      case '--doc': {
        const p = value();
        if (!p) throw new BenchArgsError('--doc: expected a path');
        o.docPath = p;
        break;
      }
      case '--no-doc':
        o.docPath = null;
        break;
      case '--json': {
        const p = value();
        if (!p) throw new BenchArgsError('--json: expected a path');
        o.jsonPath = p;
        break;
      }
      case '--samples': {
        const p = value();
        if (!p) throw new BenchArgsError('--samples: expected a path');
        o.samplesPath = p;
        break;
      }
      case '--capacity':
        o.capacity = true;
        break;
      case '--steps':
        o.steps = parseSteps(value());
        break;
      case '--knee-p99':
        o.kneeP99Ms = num(flag, value(), 1, 60_000);
        break;
      case '--clients-per-load':
        o.clientsPerLoad = num(flag, value(), 10, 100_000, true);
        break;
      case '--max-load-procs':
        o.maxLoadProcesses = num(flag, value(), 1, 64, true);
        break;
      case '--svg': {
        const p = value();
        if (!p) throw new BenchArgsError('--svg: expected a path');
        o.svgPath = p;
        break;
      }
      case '--no-svg':
        o.svgPath = null;
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new BenchArgsError(`unknown option ${arg} (see --help)`);
    }
  }
  if (o.capacity) {
    if (!given.has('--duration')) o.durationSec = CAPACITY_DURATION_SEC;
    if (!given.has('--warmup')) o.warmupSec = CAPACITY_WARMUP_SEC;
    if (!given.has('--runs')) o.runs = ['baseline', 'bridge'];
  }
  return o;
}

/** The runs a normal (not capacity) run measures: --runs, plus "baseline-recovery" right after "baseline" when
 *  recoveryBaseline is on; in RUN_NAMES order. */
export function runList(o: Pick<BenchOptions, 'runs' | 'recoveryBaseline' | 'capacity'>): RunName[] {
  const want = new Set<RunName>(o.runs);
  if (o.recoveryBaseline && !o.capacity && want.has('baseline')) want.add('baseline-recovery');
  return RUN_NAMES.filter((r) => want.has(r));
}

/** `2000x100,4000x200` (x or ×) → steps; throws BenchArgsError naming --steps. */
export function parseSteps(raw: string | undefined): LoadStep[] {
  const parts = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length) throw new BenchArgsError('--steps: expected a comma list of CLIENTSxRATE, got nothing');
  return parts.map((p) => {
    const m = /^(\d+)\s*[x×]\s*(\d+(?:\.\d+)?)$/i.exec(p);
    const clients = m ? Number(m[1]) : NaN;
    const rate = m ? Number(m[2]) : NaN;
    if (!m || clients < 3 || clients > 100_000 || rate < 1 || rate > 100_000) {
      throw new BenchArgsError(
        `--steps: expected CLIENTSxRATE with 3..100000 clients and 1..100000 events/s, got ${p}`,
      );
    }
    return { clients, rate };
  });
}

/** How the clients split: one admin, round(share × N) supervisors (at least 1 when N ≥ 3), the rest agents. */
export function clientMix(o: Pick<BenchOptions, 'clients' | 'supervisorShare'>): {
  agents: number;
  supervisors: number;
  admins: number;
} {
  const admins = 1;
  const supervisors = Math.min(
    o.clients - 2,
    Math.max(o.supervisorShare > 0 ? 1 : 0, Math.round(o.clients * o.supervisorShare)),
  );
  return { agents: o.clients - admins - supervisors, supervisors, admins };
}
