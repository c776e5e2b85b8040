// `npm run bench -- --split-tenants 20` (pure parts): the command line, how the clients split into divisions (one
// division per tenant), and the ratio the target reads (the 20-tenant run's CPU ÷ the one-tenant run's).
// The runner is bench/split-tenants.ts; the worlds and the script bench/split-world.ts.
import { BenchArgsError, type BenchOptions, clientMix, parseArgs } from './args.js';
import type { RunResult } from './results.js';
import { ratio } from './stats.js';

/** The target: the same workload over 20 tenants costs at most 1.1 × the CPU of one tenant. */
export const SPLIT_TARGET = 1.1;
export const SPLIT_FLAG = '--split-tenants';
const REPEAT_FLAG = '--repeat';
const MAX_TENANTS = 200;
const MAX_REPEAT = 10;

export interface SplitOptions {
  /** Tenants the workload is split over (the second run); the first run has one. */
  tenants: number;
  /** Pairs of runs (1 tenant, N tenants), in ABBA order; the ratio is of their sums. */
  repeat: number;
  bench: BenchOptions;
}

export const SPLIT_USAGE = `npm run bench -- --split-tenants N [--clients N --rate R --duration S --warmup S --seed N
                                  --crm-delay MS --crm-budget MS --miss-ratio X --repeat K --profile --no-build --json PATH]

Runs one workload twice against the bridge started with a TENANTS file: once as one tenant (one AntRing account in
the simulator), once split over N tenants (N accounts, each with its share of the agents, supervisors and calls), and
prints the bridge's CPU in the window for each and their ratio (N tenants ÷ 1; target ≤ ${SPLIT_TARGET}). The clients
and the calls form N divisions (agent i and supervisor i in division i mod N, two queues per division, each
division's calls among its own agents and callers); supervisors watch their division's queues in both runs, so both
runs deliver the same messages. Admins: one in the one-tenant run, one per tenant in the split run (same messages).
--repeat K: K pairs of runs in ABBA order (1, N, N, 1, 1, N, …; a fresh bridge each), the ratio of their sums (the
machine is shared: one pair's ratio is noisy).
--profile: the CPU budget of the split run beside the one-tenant run (JSON "budget": "bridge" = N tenants,
"baseline" = 1 tenant). JSON on stdout, the summary on stderr.`;

function integer(flag: string, raw: string | undefined, min: number, max: number): number {
  const v = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isInteger(v) || v < min || v > max)
    throw new BenchArgsError(`${flag}: expected an integer from ${min} to ${max}, got ${raw ?? 'nothing'}`);
  return v;
}

/** argv without node and the script: `--split-tenants N [--repeat K]` plus the normal run's workload options. */
export function parseSplitArgs(argv: readonly string[]): SplitOptions {
  const rest: string[] = [];
  const own = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const flag = [SPLIT_FLAG, REPEAT_FLAG].find((f) => a === f || a.startsWith(`${f}=`));
    if (!flag) rest.push(a);
    else own.set(flag, a === flag ? argv[++i] : a.slice(flag.length + 1));
  }
  if (!own.has(SPLIT_FLAG)) throw new BenchArgsError(`${SPLIT_FLAG}: missing`);
  const tenants = integer(SPLIT_FLAG, own.get(SPLIT_FLAG), 2, MAX_TENANTS);
  const repeat = own.has(REPEAT_FLAG) ? integer(REPEAT_FLAG, own.get(REPEAT_FLAG), 1, MAX_REPEAT) : 1;
  for (const f of ['--capacity', '--runs', '--writeback', '--samples', '--steps'])
    if (rest.some((a) => a === f || a.startsWith(`${f}=`)))
      throw new BenchArgsError(`${f} does not go with ${SPLIT_FLAG} (it runs the bridge twice: 1 tenant, then N)`);
  const bench = parseArgs(rest);
  const mix = clientMix(bench);
  if (!bench.help && (mix.agents < tenants || mix.supervisors < tenants))
    throw new BenchArgsError(
      `${SPLIT_FLAG} ${tenants}: every tenant needs an agent and a supervisor (${mix.agents} agents, ${mix.supervisors} supervisors)`,
    );
  return { tenants, repeat, bench };
}

/** Division of the i-th agent or supervisor (round robin: every division gets its share, within one). */
export const divisionOf = (i: number, tenants: number): number => i % tenants;

/** Clients of each run: the same agents and supervisors; admins: one for the one tenant, one per tenant split. */
export function splitMix(
  o: Pick<BenchOptions, 'clients' | 'supervisorShare'>,
  tenants: number,
): { agents: number; supervisors: number; admins: { one: number; split: number } } {
  const m = clientMix(o);
  return { agents: m.agents, supervisors: m.supervisors, admins: { one: m.admins, split: tenants } };
}

/** A run's figures the ratio reads (RunResult's). */
export type SplitFigures = Pick<RunResult, 'cpu' | 'messages' | 'frames' | 'windowSec'>;

export interface SplitRatio {
  /** CPU seconds in the windows: N tenants ÷ 1 tenant (the "costs ≤ 1.1 × the CPU of one tenant"). */
  cpuSeconds: number | null;
  /** CPU seconds per 1,000 messages: N tenants ÷ 1 tenant. */
  cpuPerThousandMessages: number | null;
  /** Messages in the windows: N ÷ 1 (1 when both runs delivered the same work). */
  messages: number | null;
  /** Kazoo frames per second: N ÷ 1. */
  frames: number | null;
  /** What each tenant beyond the first adds: (CPU of N − CPU of 1) / window / (N − 1), ms of CPU per second. */
  extraCpuMsPerTenantPerSec: number | null;
  target: number;
  /** cpuPerThousandMessages ≤ target (null when either side has no figure). */
  met: boolean | null;
}

const total = (rs: readonly SplitFigures[], f: (r: SplitFigures) => number) => rs.reduce((s, r) => s + f(r), 0);

/** The ratio of the summed figures of the N-tenant runs to the one-tenant runs (one pair or several). */
export function splitRatio(
  ones: readonly SplitFigures[],
  splits: readonly SplitFigures[],
  tenants: number,
): SplitRatio {
  const cpu1 = total(ones, (r) => r.cpu.seconds);
  const cpuN = total(splits, (r) => r.cpu.seconds);
  const msg1 = total(ones, (r) => r.messages.inWindow);
  const msgN = total(splits, (r) => r.messages.inWindow);
  const perMsg = ratio(msgN ? cpuN / msgN : null, msg1 ? cpu1 / msg1 : null);
  const windowSec = total(splits, (r) => r.windowSec) / Math.max(1, splits.length);
  const extra =
    ones.length && splits.length && windowSec > 0 && tenants > 1
      ? ((cpuN / splits.length - cpu1 / ones.length) * 1000) / windowSec / (tenants - 1)
      : null;
  return {
    cpuSeconds: ones.length === splits.length ? ratio(cpuN, cpu1) : null,
    cpuPerThousandMessages: perMsg,
    messages: ones.length === splits.length ? ratio(msgN, msg1) : null,
    frames: ratio(
      total(splits, (r) => r.frames.perSec) / splits.length,
      total(ones, (r) => r.frames.perSec) / ones.length,
    ),
    extraCpuMsPerTenantPerSec: extra === null ? null : Math.round(extra * 100) / 100,
    target: SPLIT_TARGET,
    met: perMsg === null ? null : perMsg <= SPLIT_TARGET,
  };
}

/** ABBA: pair i runs the one tenant first when i is even, the N tenants first when odd (drift cancels). */
export const pairOrder = (i: number): ('one' | 'split')[] => (i % 2 === 0 ? ['one', 'split'] : ['split', 'one']);
