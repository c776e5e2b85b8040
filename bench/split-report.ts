// The "Split over tenants" section of docs/performance.md (pure): written by `npm run bench -- --split-tenants N`
// between its markers, kept when `npm run bench` regenerates the page (bench/tenants-report.ts).
import type { BenchOptions } from './args.js';
import type { MachineInfo, RunResult } from './results.js';
import type { SplitRatio } from './split-args.js';

export const SPLIT_BEGIN = '<!-- split-tenants:begin -->';
export const SPLIT_END = '<!-- split-tenants:end -->';

/** The JSON of `--split-tenants` (stdout), what the section is written from. */
export interface SplitResult {
  tool: string;
  startedAt: string;
  durationSec: number;
  params: Pick<
    BenchOptions,
    'rate' | 'durationSec' | 'warmupSec' | 'crmDelayMs' | 'crmBudgetMs' | 'missRatio' | 'seed' | 'profile'
  > & {
    tenants: number;
    clients: { one: number; split: number };
    agents: number;
    supervisors: number;
    admins: { one: number; split: number };
    hitNumbers: number;
    repeat: number;
  };
  machine: MachineInfo;
  script: { calls: number; measuredCalls: number; frames: number; framesPerCall: number; callsPerSec: number };
  runs: { oneTenant: RunResult[]; split: RunResult[] };
  ratio: SplitRatio;
  /** CPU per 1,000 messages, N ÷ 1, of each pair. */
  pairs: (number | null)[];
  profile?: unknown;
  budget?: unknown;
  logsDir?: string;
}

const sum = (rs: readonly RunResult[], f: (r: RunResult) => number) => rs.reduce((s, r) => s + f(r), 0);
const fmt = (v: number | null, digits = 2) => (v === null ? 'n/a' : v.toFixed(digits));

export function renderSplitSection(r: SplitResult): string {
  const n = r.params.tenants;
  const side = (rs: RunResult[]) => {
    const cpu = sum(rs, (x) => x.cpu.seconds);
    const msgs = sum(rs, (x) => x.messages.inWindow);
    const win = sum(rs, (x) => x.windowSec);
    return {
      clients: rs[0]?.clients.connected ?? 0,
      frames: rs.length ? sum(rs, (x) => x.frames.perSec) / rs.length : 0,
      msgsPerSec: win ? msgs / win : 0,
      cpu: rs.length ? cpu / rs.length : 0,
      perThousand: msgs ? (cpu / msgs) * 1000 : null,
      each: rs.map((x) => x.cpu.seconds.toFixed(2)).join(', '),
      p99: rs.map((x) => x.latency.hit.p99 ?? 'n/a').join(', '),
      others: rs.length ? sum(rs, (x) => x.machine.otherProcessesCores) / rs.length : 0,
    };
  };
  const a = side(r.runs.oneTenant);
  const b = side(r.runs.split);
  const met = r.ratio.met === null ? 'no figure' : r.ratio.met ? 'met' : 'missed';
  return [
    SPLIT_BEGIN,
    '## Split over tenants',
    '',
    `Issue 19: the same workload costs ≤ ${r.ratio.target} × the CPU of one tenant when split over ${n} tenants. ` +
      `\`npm run bench -- --split-tenants ${n}\` (bench/split-tenants.ts) starts the bridge with a TENANTS file twice: ` +
      `one simulated AntRing account with every client and call, then ${n} accounts with a division each (agent and ` +
      `supervisor i in division i mod ${n}, two queues per division, each division's calls among its own agents ` +
      `and callers). Supervisors watch their division's queues in both runs, so both deliver the same messages ` +
      `(${r.params.agents} agents, ${r.params.supervisors} supervisors; admins: ${r.params.admins.one} for one tenant, ` +
      `one per tenant when split). ${r.params.rate} Kazoo events/s, ${r.params.durationSec} s windows, ` +
      `${r.params.repeat} pair${r.params.repeat > 1 ? 's' : ''} of runs in ABBA order; run ${r.startedAt}.`,
    '',
    `|  | 1 tenant | ${n} tenants | ${n} ÷ 1 |`,
    '|---|---:|---:|---:|',
    `| clients connected | ${a.clients} | ${b.clients} |  |`,
    `| call events (frames) per second | ${fmt(a.frames, 1)} | ${fmt(b.frames, 1)} | ${fmt(r.ratio.frames)} |`,
    `| messages delivered per second | ${fmt(a.msgsPerSec, 0)} | ${fmt(b.msgsPerSec, 0)} | ${fmt(r.ratio.messages)} |`,
    `| bridge CPU seconds per window (mean; each run) | ${fmt(a.cpu)} (${a.each}) | ${fmt(b.cpu)} (${b.each}) | ${fmt(r.ratio.cpuSeconds)} |`,
    `| bridge CPU seconds per 1,000 messages | ${fmt(a.perThousand, 4)} | ${fmt(b.perThousand, 4)} | **${fmt(r.ratio.cpuPerThousandMessages)}** (target ≤ ${r.ratio.target}: ${met}) |`,
    `| ring→pop p99, CRM cache hit (ms; each run) | ${a.p99} | ${b.p99} |  |`,
    `| cores used by other processes in the window (mean) | ${fmt(a.others)} | ${fmt(b.others)} |  |`,
    '',
    `Each tenant beyond the first adds ${fmt(r.ratio.extraCpuMsPerTenantPerSec)} ms of bridge CPU per second; ` +
      `the ratio of each pair: ${r.pairs.map((p) => fmt(p)).join(', ')}.`,
    SPLIT_END,
  ].join('\n');
}

/** Puts the section in the page: in place of the old one, else at the end. */
export function spliceSplitSection(doc: string, section: string): string {
  const a = doc.indexOf(SPLIT_BEGIN);
  const b = doc.indexOf(SPLIT_END, a + 1);
  if (a >= 0 && b > a) return doc.slice(0, a) + section + doc.slice(b + SPLIT_END.length);
  return `${doc.replace(/\n*$/, '\n\n')}${section}\n`;
}
