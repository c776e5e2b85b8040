// The bench JSON → docs/performance.md (pure): what is measured, the machine, one table with the absolute figures and
// the bridge/baseline ratios, the targets (met or by how much missed), the profile, and the closing note
// (bench/notes.md, written by a person after reading the figures).
import { budgetMarkdown } from './budget.js';
import type { BenchResult, RunResult, SkippedRun } from './results.js';
import { isRun } from './results.js';
import type { Summary } from './stats.js';
import { round } from './stats.js';

const dash = '–';
const ms = (v: number | null | undefined) => (v === null || v === undefined ? dash : `${v}`);
const pct = (s: Summary) => (s.count ? `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} / ${ms(s.max)}` : dash);
const mb = (b: number) => `${round(b / 1024 / 1024, 1)} MB`;
const kb = (b: number) => `${round(b / 1024, 1)} KB`;
const num = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined ? dash : round(v, digits).toLocaleString('en-US');

type Row = [label: string, get: (r: RunResult) => string, ratio?: keyof NonNullable<BenchResult['ratios']>];

const ROWS: Row[] = [
  ['clients connected', (r) => `${r.clients.connected} / ${r.clients.requested}`],
  ['call events (Kazoo frames) per second', (r) => num(r.frames.perSec, 1)],
  ['messages delivered per second', (r) => num(r.messages.perSec), 'messagesPerSec'],
  ['ring-to-pop, CRM cache hit: p50 / p95 / p99 / max (ms)', (r) => pct(r.latency.hit), 'p99'],
  ['ring-to-pop, CRM cache miss: p50 / p95 / p99 / max (ms)', (r) => pct(r.latency.miss)],
  ['… agents only (hit + miss), p99 (ms)', (r) => ms(r.latency.byRole.agent.p99)],
  ['… supervisors only, p99 (ms)', (r) => ms(r.latency.byRole.supervisor.p99)],
  ['… admin only, p99 (ms)', (r) => ms(r.latency.byRole.admin.p99)],
  ['pops received / expected', (r) => `${r.latency.received} / ${r.latency.expected}`],
  [
    'CPU seconds in the window (utilisation of one core)',
    (r) => `${num(r.cpu.seconds, 2)} (${num(r.cpu.utilization * 100)} %)`,
  ],
  ['CPU seconds per 1,000 messages', (r) => num(r.cpu.perThousandMessages, 4), 'cpuPerMessage'],
  ['messages per CPU second', (r) => num(r.cpu.messagesPerCpuSecond), 'messagesPerCpuSecond'],
  ['RSS idle → with every client connected', (r) => `${mb(r.memory.idle.rss)} → ${mb(r.memory.connected.rss)}`],
  ['RSS per connected client', (r) => kb(r.memory.perClient.rssBytes)],
  ['peak RSS of the run', (r) => mb(r.memory.peakRss)],
  ['V8 heap per connected client', (r) => kb(r.memory.perClient.heapBytes)],
  [
    'load process: CPU s / event-loop delay p99 (ms)',
    (r) => `${num(r.load.cpuSeconds, 2)} / ${ms(r.load.loopDelayP99Ms)}`,
  ],
  [
    'machine busy cores / used by processes outside the bench',
    (r) => `${num(r.machine.busyCores, 2)} / ${num(r.machine.otherProcessesCores, 2)}`,
  ],
];

function table(res: BenchResult): string {
  const cols: (RunResult | SkippedRun | undefined)[] = [res.runs.baseline, res.runs.bridge, res.runs.cluster];
  const head = ['', 'baseline (bare Socket.IO)', 'bridge (1 node)', 'bridge / baseline', 'cluster (2 nodes + Redis)'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`];
  for (const [label, get, ratioKey] of ROWS) {
    const cell = (r: RunResult | SkippedRun | undefined) =>
      isRun(r) ? get(r) : r && 'skipped' in r ? 'skipped' : dash;
    const ratio = ratioKey && res.ratios ? ms(res.ratios[ratioKey]) : '';
    lines.push(`| ${label} | ${cell(cols[0])} | ${cell(cols[1])} | ${ratio} | ${cell(cols[2])} |`);
  }
  return lines.join('\n');
}

/** The plain baseline, "baseline+recovery" and the bridge side by side, with the bridge's ratio to each; no lines
 *  when baseline-recovery was not run. */
export function recoveryTable(res: BenchResult): string[] {
  const withRecovery = res.runs['baseline-recovery'];
  if (!withRecovery) return [];
  const picked: [string, (r: RunResult) => string, keyof NonNullable<BenchResult['ratios']> | undefined][] = [
    ['CPU seconds per 1,000 messages', (r) => num(r.cpu.perThousandMessages, 4), 'cpuPerMessage'],
    ['messages per CPU second', (r) => num(r.cpu.messagesPerCpuSecond), 'messagesPerCpuSecond'],
    ['ring-to-pop, CRM cache hit: p99 (ms)', (r) => ms(r.latency.hit.p99), 'p99'],
    ['V8 heap per connected client', (r) => kb(r.memory.perClient.heapBytes), undefined],
    ['RSS per connected client', (r) => kb(r.memory.perClient.rssBytes), undefined],
  ];
  const cell = (r: RunResult | SkippedRun | undefined, get: (r: RunResult) => string) =>
    isRun(r) ? get(r) : r && 'skipped' in r ? 'skipped' : dash;
  const ratioCell = (
    rs: BenchResult['ratios'] | undefined,
    key: keyof NonNullable<BenchResult['ratios']> | undefined,
  ) => (key && rs ? ms(rs[key]) : '');
  const out = [
    "### Against a baseline with the bridge's recovery options",
    '',
    '"baseline+recovery" is the same bare Socket.IO server with the options the bridge runs with: connection state',
    'recovery (the same window; every broadcast kept with an offset and sent with it) and the same keepalive broadcast',
    "to every socket (src/fanout/recovery.ts). What is left between it and the bridge is the bridge's own work. The",
    'headline ratio and the target stay against the plain baseline.',
    '',
    '| | baseline | baseline+recovery | bridge (1 node) | bridge / baseline | bridge / baseline+recovery |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const [label, get, key] of picked) {
    out.push(
      `| ${label} | ${cell(res.runs.baseline, get)} | ${cell(withRecovery, get)} | ${cell(res.runs.bridge, get)} | ${ratioCell(res.ratios, key)} | ${ratioCell(res.ratiosVsRecovery, key)} |`,
    );
  }
  out.push('');
  return out;
}

export function renderReport(res: BenchResult, notes?: string): string {
  const p = res.params;
  const m = res.machine;
  const out: string[] = [];
  out.push('# Performance');
  out.push('');
  out.push(
    `> Generated by \`npm run bench\` (bench/) on ${res.startedAt}, in ${res.durationSec} s. Do not edit by hand: rerun the` +
      ' bench; the closing note comes from `bench/notes.md`.',
  );
  out.push('');
  out.push(
    'Two numbers decide a bridge: how fast a ring becomes a pop, and how many agents one box serves. These are ours,',
  );
  out.push(
    'measured in one run on one machine against the floor our stack allows: a bare Socket.IO server (same version, same',
  );
  out.push('options) that receives the same calls already enriched and emits them to the same rooms.');
  out.push('');
  out.push('## How it is measured');
  out.push('');
  out.push(
    '* **Processes.** The orchestrator (`bench/run.ts`) hosts the AntRing + AntCRM simulator and plays a call script;',
  );
  out.push(
    '  the bridge runs as its own process (`node dist/main.js`, production build, `LOG_LEVEL=info`); the clients run in',
  );
  out.push(
    '  a load process (`bench/load.ts`: socket.io-client over WebSocket, one JWT each). CPU comes from `/proc/<pid>/stat`,',
  );
  out.push(
    '  RSS from `/proc/<pid>/status`, heap from a preload (`bench/probe.mjs`: on SIGUSR2, full GC then `process.memoryUsage()`).',
  );
  out.push(
    `* **Clients.** ${p.clients}: ${p.agents} agents (one synthetic agent each, added to the simulator's org), ${p.supervisors}` +
      ` supervisors (queues ["*"]) and ${p.admins} admin.`,
  );
  out.push(
    `* **Calls.** One script (seed ${p.seed}) drives every run: inbound queue calls ringing 1–3 agents and direct calls,` +
      ` Poisson arrivals at ${num(res.script.callsPerSec, 1)} calls/s = ${p.rate} Kazoo call events (frames) per second,` +
      ` ${res.script.framesPerCall.toFixed(1)} frames a call. ${p.durationSec} s measured after ${p.warmupSec} s of warm-up traffic.`,
  );
  out.push(
    `* **CRM.** The simulated AntCRM answers after ${p.crmDelayMs} ms (CRM_BUDGET_MS ${p.crmBudgetMs}). ${p.hitNumbers} caller` +
      ` numbers are looked up once before the measurement (cache hits); ${Math.round(p.missRatio * 100)} % of the calls come from a` +
      ' number never seen (cache miss): direct calls whose agent rings at once, so the pop has to wait for AntCRM.',
  );
  out.push(
    p.writeback
      ? '* **Write-back on** (`--writeback`): the bridge and the cluster write tickets, leads and webhooks (to the' +
          " simulator's receiver) through the durable outbox (SQLite in the run's folder; Redis in the cluster)."
      : '* **Write-back off** (the default; `--writeback` turns AntCRM tickets, leads and webhooks on through the outbox).',
  );
  out.push(
    '* **Ring-to-pop.** From the moment the simulator sends the frame (its send time, one clock: the same machine) to the',
  );
  out.push(
    "  moment a client receives the `call` message it causes: an agent's own leg CHANNEL_CREATE → that agent; a call's",
  );
  out.push(
    '  first agent leg CHANNEL_CREATE → the admin and, for queue calls, every supervisor (a call is shown once an agent',
  );
  out.push("  rings, not while the customer is in the IVR). Every client's pop counts.");
  out.push(
    '* **Throughput.** `call` messages received by all clients per second in the window; CPU of the serving process(es) in',
  );
  out.push('  the same window. The cluster run sums both nodes (Redis reported apart).');
  out.push(
    '* **Load process.** Its CPU (share of a core) and event-loop delay p99: how late a 10 ms sampling timer fired, beyond',
  );
  out.push(
    '  its interval (`perf_hooks.monitorEventLoopDelay`); above ~20 ms, client-side queueing is part of the latency.',
  );
  out.push(
    '* **Capacity.** `npm run bench -- --capacity` steps the load up instead, over as many load processes as it needs, and',
  );
  out.push("  finds each run's knee: the [Capacity](#capacity) section and its chart.");
  out.push('');
  out.push('## Machine');
  out.push('');
  out.push(
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB memory, Node ${m.node}, ${m.os}; load average ${m.loadAvgAtStart} at start` +
      ' (every process of the bench shares these cores: simulator, load process, bridge).',
  );
  out.push('');
  out.push('## Results');
  out.push('');
  out.push(table(res));
  out.push('');
  out.push(...recoveryTable(res));
  for (const r of Object.values(res.runs)) {
    if (r && 'skipped' in r) out.push(`* ${r.name}: **skipped**: ${r.skipped}`);
    else if (r?.notes.length) for (const n of r.notes) out.push(`* ${r.name}: ${n}`);
  }
  out.push('');
  out.push('## Targets (2-core machine)');
  out.push('');
  out.push('| target | aim | measured | met |');
  out.push('|---|---|---|---|');
  for (const t of res.targets) {
    out.push(
      `| ${t.name} | ${t.target} | ${t.actual} | ${t.met === null ? dash : t.met ? 'yes' : `**no**: ${t.gap ?? 'below the target load'}`} |`,
    );
  }
  out.push('');
  if (res.profile) {
    out.push('## Profile of the bridge (node --cpu-prof, single-node run)');
    out.push('');
    if ('error' in res.profile) out.push(`Not available: ${res.profile.error}`);
    else {
      const pr = res.profile;
      out.push(
        `${num(pr.busyMs)} ms busy, ${num(pr.idleMs)} ms idle (${pr.covers}; the profiler itself adds a few % of CPU). Self time by area:`,
      );
      out.push('');
      out.push('| area | self % |');
      out.push('|---|---:|');
      for (const a of pr.areas) out.push(`| ${a.name} | ${a.selfPct} |`);
      out.push('');
      out.push('Top functions by self time:');
      out.push('');
      out.push('| function | self % |');
      out.push('|---|---:|');
      for (const f of pr.topFunctions) out.push(`| \`${f.name.replace(/\|/g, '\\|')}\` | ${f.selfPct} |`);
    }
    out.push('');
  }
  if (res.budget) {
    out.push('## CPU budget: the bridge beside the baseline, by subsystem (--profile)');
    out.push('');
    if ('error' in res.budget) out.push(`Not available: ${res.budget.error}`);
    else out.push(...budgetMarkdown(res.budget));
    out.push('');
    if (res.budgetVsRecovery && !('error' in res.budgetVsRecovery)) {
      out.push(
        "Against baseline+recovery (the bare server with the bridge's connection state recovery and keepalive):",
      );
      out.push('');
      out.push(...budgetMarkdown(res.budgetVsRecovery));
      out.push('');
    }
  }
  if (notes?.trim()) {
    out.push(notes.trim());
    out.push('');
  }
  out.push('## Reproduce');
  out.push('');
  out.push('```sh');
  out.push(
    `npm run bench -- --clients ${p.clients} --rate ${p.rate} --duration ${p.durationSec} --crm-delay ${p.crmDelayMs}${p.profile ? ' --profile' : ''}${p.writeback ? ' --writeback' : ''}`,
  );
  out.push('npm run bench -- --help   # every option; JSON on stdout, progress on stderr');
  out.push('```');
  out.push('');
  return out.join('\n');
}
