// The benchmark's command line (pure): `npm run bench -- --clients 2000 --rate 100 --duration 20 --crm-delay 50`.
// Defaults finish in under 2 minutes on an idle 2-core machine (three runs: baseline, bridge, cluster).

export type RunName = 'baseline' | 'bridge' | 'cluster';
export const RUN_NAMES: readonly RunName[] = ['baseline', 'bridge', 'cluster'];

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
  /** node --cpu-prof on the bridge (single-node run); the summary lands in the JSON and the doc. */
  profile: boolean;
  /** Run `npm run build` first (the bridge runs from dist/). */
  build: boolean;
  /** Where to write the Markdown report; null = do not write it. */
  docPath: string | null;
  /** Also write the JSON here. */
  jsonPath: string | null;
  /** Write every pop (receipt time, latency, role, CRM class) of every run here, as JSON. */
  samplesPath: string | null;
  help: boolean;
}

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
  runs: [...RUN_NAMES],
  profile: false,
  build: true,
  docPath: 'docs/performance.md',
  jsonPath: null,
  samplesPath: null,
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
  --runs LIST          comma list of baseline,bridge,cluster (default all)
  --profile            node --cpu-prof the single-node bridge and summarise its hot path
  --no-build           use dist/ as it is
  --doc PATH           Markdown report (default ${DEFAULTS.docPath}); --no-doc to skip
  --json PATH          also write the JSON result to PATH
  --samples PATH       write every pop of every run (unix ms, latency ms, role, crm) to PATH as JSON
  -h, --help

JSON result on stdout; progress on stderr.`;

export class BenchArgsError extends Error {
  override readonly name = 'BenchArgsError';
}

function num(flag: string, raw: string | undefined, min: number, max: number, integer = false): number {
  const v = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new BenchArgsError(`${flag}: expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${raw ?? 'nothing'}`);
  }
  return v;
}

/** argv without node and the script. Throws BenchArgsError on anything it does not know. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = { ...DEFAULTS, runs: [...DEFAULTS.runs] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--clients': o.clients = num(flag, value(), 3, 100_000, true); break;
      case '--supervisors': o.supervisorShare = num(flag, value(), 0, 0.9); break;
      case '--rate': o.rate = num(flag, value(), 1, 100_000); break;
      case '--duration': o.durationSec = num(flag, value(), 1, 3600); break;
      case '--warmup': o.warmupSec = num(flag, value(), 0, 600); break;
      case '--crm-delay': o.crmDelayMs = num(flag, value(), 0, 10_000, true); break;
      case '--crm-budget': o.crmBudgetMs = num(flag, value(), 0, 10_000, true); break;
      case '--miss-ratio': o.missRatio = num(flag, value(), 0, 1); break;
      case '--seed': o.seed = num(flag, value(), 0, 2 ** 31, true); break;
      case '--runs': {
        const list = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const bad = list.filter((r) => !(RUN_NAMES as readonly string[]).includes(r));
        if (!list.length || bad.length) throw new BenchArgsError(`--runs: expected a comma list of ${RUN_NAMES.join(',')}, got ${list.join(',') || 'nothing'}`);
        o.runs = RUN_NAMES.filter((r) => list.includes(r));
        break;
      }
      case '--profile': o.profile = true; break;
      case '--no-build': o.build = false; break;
      case '--doc': {
        const p = value();
        if (!p) throw new BenchArgsError('--doc: expected a path');
        o.docPath = p;
        break;
      }
      case '--no-doc': o.docPath = null; break;
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
      case '-h': case '--help': o.help = true; break;
      default: throw new BenchArgsError(`unknown option ${arg} (see --help)`);
    }
  }
  return o;
}

/** How the clients split: one admin, round(share × N) supervisors (at least 1 when N ≥ 3), the rest agents. */
export function clientMix(o: Pick<BenchOptions, 'clients' | 'supervisorShare'>): { agents: number; supervisors: number; admins: number } {
  const admins = 1;
  const supervisors = Math.min(o.clients - 2, Math.max(o.supervisorShare > 0 ? 1 : 0, Math.round(o.clients * o.supervisorShare)));
  return { agents: o.clients - admins - supervisors, supervisors, admins };
}
