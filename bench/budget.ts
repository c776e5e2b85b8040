// The CPU budget (pure): a V8 .cpuprofile of a serving process, cut to the measurement window, → CPU ms per
// subsystem (signal intake, engine, enrichment, publisher, Socket.IO, dashboard, metrics, logging, timers, GC,
// other), and the gap between the bridge and the baseline row by row.
//
// Attribution: each sample's time goes to the top-most (leaf-most) frame of its stack that is ours (src/ or dist/,
// bench/baseline-server.ts) or a library's (node_modules/…) and has a row; node internals and native frames are
// passed through to their caller. A stack with no such frame goes by its node internals (timers, else other);
// `(garbage collector)` is GC. Sampled time is the main thread's wall time while not idle; the process's CPU
// (/proc, all threads) differs from it by the GC helper threads, libuv's pool and the profiler's own cost: that
// difference is its own row ("not sampled"), so every column adds up to the measured CPU exactly, and the gap
// column to the measured gap. A large "not sampled" row says the profile explains less of the gap.

export const BUDGET_ROWS = [
  'signal intake',
  'engine',
  'enrichment',
  'publisher + seq + live store',
  'fan-out: rooms, sockets, keepalive (ours)',
  'Socket.IO encode/emit (socket.io, engine.io, ws)',
  'dashboard + directory',
  'metrics',
  'logging',
  'HTTP + auth',
  'timers',
  'GC',
  'other (node internals, native, program)',
  'not sampled (other threads, profiler)',
] as const;
export type BudgetRow = (typeof BUDGET_ROWS)[number];

/** The row of one script URL, or undefined when the frame is passed through to its caller. */
export function rowOfUrl(url: string): BudgetRow | undefined {
  if (!url || url.startsWith('node:')) return undefined;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (/^(socket\.io|socket\.io-adapter|socket\.io-parser|engine\.io|engine\.io-parser|ws|@socket\.io\/.+)$/.test(pkg))
      return 'Socket.IO encode/emit (socket.io, engine.io, ws)';
    if (/^(pino|pino-.+|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|on-exit-leak-free)$/.test(pkg))
      return 'logging';
    if (/^(prom-client|tdigest|bintrees)$/.test(pkg)) return 'metrics';
    if (/^(express|router|body-parser|jsonwebtoken|jws|jwa|finalhandler|send|cors|.*-type|qs)$/.test(pkg))
      return 'HTTP + auth';
    if (pkg === 'ioredis' || pkg.startsWith('@ioredis/') || pkg === 'redis-parser') return undefined;
    // Generic helpers (lru-cache, zod, node-fetch, debug, …) work for whoever called them.
    return undefined;
  }
  const m = /\/(src|dist|bench)\/(.+)$/.exec(url);
  if (!m) return undefined;
  if (m[1] === 'bench') return m[2].startsWith('baseline-server') ? 'publisher + seq + live store' : undefined;
  const path = m[2].replace(/\.[jt]s$/, '');
  const [dir, file = ''] = path.split('/');
  switch (dir) {
    case 'signals':
    case 'upstream':
      return 'signal intake';
    case 'calls':
      return 'engine';
    case 'enrich':
    case 'antcrm':
      return 'enrichment';
    case 'dashboard':
      return 'dashboard + directory';
    case 'antring':
      return file === 'agent-directory' ? 'dashboard + directory' : undefined;
    case 'fanout':
      if (/^(publisher|seq|live-calls|view|redact|placed-sharing)$/.test(file)) return 'publisher + seq + live store';
      if (file === 'dashboard-fanout') return 'dashboard + directory';
      return 'fan-out: rooms, sockets, keepalive (ours)';
    case 'runtime':
      return /^(pipeline|update|fanout-consumer)$/.test(file) ? 'publisher + seq + live store' : undefined;
    case 'http':
      return file === 'metrics' ? 'metrics' : 'HTTP + auth';
    case 'server':
      return 'fan-out: rooms, sockets, keepalive (ours)';
    case 'log':
      return 'logging';
    case 'shared':
    case 'clock':
      return undefined;
    default:
      return undefined;
  }
}

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime?: number;
  endTime?: number;
}

/** Only the samples in this span, in ms back from the end of the profile (the process's exit). */
export interface Span {
  fromEndMs: number;
  toEndMs: number;
}

export type RowMs = Record<BudgetRow, number>;

const emptyRows = (): RowMs => Object.fromEntries(BUDGET_ROWS.map((r) => [r, 0])) as RowMs;

/** Sampled (non-idle) main-thread ms per row, in the span. `measuredCpuMs` fills "not sampled" (measured − sampled). */
export function attribute(profile: CpuProfile, o: { span?: Span; measuredCpuMs?: number } = {}): RowMs {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, BudgetRow | '(idle)'>();
  const rowOf = (id: number): BudgetRow | '(idle)' => {
    const known = memo.get(id);
    if (known) return known;
    const leaf = byId.get(id);
    let row: BudgetRow | '(idle)' | undefined;
    const fn = leaf?.callFrame.functionName;
    if (fn === '(idle)') row = '(idle)';
    else if (fn === '(garbage collector)') row = 'GC';
    let timers = false;
    for (let at: number | undefined = id; row === undefined && at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)?.callFrame.url ?? '';
      row = rowOfUrl(url);
      if (url.startsWith('node:internal/timers')) timers = true;
    }
    row ??= timers ? 'timers' : 'other (node internals, native, program)';
    memo.set(id, row);
    return row;
  };
  const rows = emptyRows();
  let at = profile.startTime ?? 0;
  const end = profile.endTime ?? profile.timeDeltas.reduce((a, d) => a + d, at);
  const from = o.span ? end - o.span.fromEndMs * 1000 : -Infinity;
  const to = o.span ? end - o.span.toEndMs * 1000 : Infinity;
  for (let i = 0; i < profile.samples.length; i++) {
    const d = profile.timeDeltas[i] ?? 0;
    at += d;
    if (at < from || at >= to) continue;
    const row = rowOf(profile.samples[i]);
    if (row !== '(idle)') rows[row] += d / 1000;
  }
  if (o.measuredCpuMs !== undefined) {
    const sampled = BUDGET_ROWS.reduce((a, r) => a + rows[r], 0);
    rows['not sampled (other threads, profiler)'] = o.measuredCpuMs - sampled;
  }
  return rows;
}

export interface BudgetLine {
  row: BudgetRow;
  bridgeMs: number;
  baselineMs: number;
  gapMs: number;
  /** The gap per message delivered in the window (both runs deliver the same messages), µs. */
  gapUsPerMessage: number | null;
  /** Share of the measured gap, percent. */
  gapPct: number | null;
}

export interface Budget {
  workload: { clients: number; rate: number; windowSec: number; messages: number };
  bridgeCpuMs: number;
  baselineCpuMs: number;
  gapMs: number;
  /** Sum of the gap column: equals gapMs (the "not sampled" row closes each column). */
  rowsSumMs: number;
  lines: BudgetLine[];
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Bridge and baseline rows (each closed with its measured CPU) → the budget table, biggest gap first. */
export function budgetTable(
  bridge: RowMs,
  baseline: RowMs,
  w: Budget['workload'],
  measured: { bridgeCpuMs: number; baselineCpuMs: number },
): Budget {
  const gapMs = measured.bridgeCpuMs - measured.baselineCpuMs;
  const lines = BUDGET_ROWS.map((row) => {
    const gap = bridge[row] - baseline[row];
    return {
      row,
      bridgeMs: r1(bridge[row]),
      baselineMs: r1(baseline[row]),
      gapMs: r1(gap),
      gapUsPerMessage: w.messages ? r1((gap * 1000) / w.messages) : null,
      gapPct: gapMs ? r1((gap / gapMs) * 100) : null,
    };
  }).sort((a, b) => b.gapMs - a.gapMs);
  return {
    workload: w,
    bridgeCpuMs: r1(measured.bridgeCpuMs),
    baselineCpuMs: r1(measured.baselineCpuMs),
    gapMs: r1(gapMs),
    rowsSumMs: r1(BUDGET_ROWS.reduce((a, row) => a + bridge[row] - baseline[row], 0)),
    lines,
  };
}

/** The budget as a Markdown table (bench/report.ts and docs/performance.md). */
export function budgetMarkdown(b: Budget): string[] {
  const w = b.workload;
  const out = [
    `${w.clients} clients, ${r1(w.rate)} call events/s, ${w.windowSec} s window, ${w.messages} messages: bridge ${b.bridgeCpuMs} CPU ms, baseline ${b.baselineCpuMs}, gap ${b.gapMs} (rows sum to ${b.rowsSumMs}).`,
    '',
    '| subsystem | bridge CPU ms | baseline CPU ms | gap ms | gap µs per message | share of the gap |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const l of b.lines)
    out.push(
      `| ${l.row} | ${l.bridgeMs} | ${l.baselineMs} | ${l.gapMs} | ${l.gapUsPerMessage ?? '–'} | ${l.gapPct === null ? '–' : `${l.gapPct} %`} |`,
    );
  return out;
}
