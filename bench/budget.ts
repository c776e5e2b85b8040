// The CPU budget (pure): a V8 .cpuprofile of a serving process, cut to the measurement window, → CPU ms per
// subsystem (signal intake, engine, enrichment, publisher, Socket.IO, dashboard, metrics, logging, timers, GC,
// other), and the gap between the bridge and the baseline row by row.
//
// Attribution: each sample's time goes to the top-most (leaf-most) frame of its stack that is ours (src/ or dist/,
// bench/baseline-server.ts) or a library's (node_modules/…) and has a row; node internals and native frames are
// passed through to their caller. A stack with no such frame goes by its node internals (timers, else other);
// `(garbage collector)` is GC. Sampled time is the main thread's wall time while not idle; the process's CPU
// (/proc) counts every thread. So the main thread's CPU (/proc/<pid>/task/<pid>) is spread over the rows in
// proportion to the samples (each column's scale, main-thread CPU / sampled ms, is reported: near 1 when the machine
// was not short of CPU; the unscaled ms are kept in the JSON), and the other threads' CPU (process − main thread) is
// its own row. Each column then adds up to the measured CPU and the gap column to the measured gap.

export const BUDGET_ROWS = [
  'signal intake',
  'engine',
  'enrichment',
  'publisher + seq + live store',
  'fan-out: rooms, sockets, keepalive (ours)',
  'Socket.IO encode/emit (socket.io, engine.io, ws)',
  'Redis adapter (@socket.io/redis-streams-adapter)',
  'Redis client + cluster gate (ioredis, src/cluster)',
  'dashboard + directory',
  'REST clients (AntRing, AntCRM: node-fetch, node:http client)',
  'metrics',
  'logging',
  'HTTP + auth',
  'timers',
  'GC',
  'other (node internals, native, program)',
  'other threads (GC helpers, libuv pool, module loader)',
] as const;
export type BudgetRow = (typeof BUDGET_ROWS)[number];

/** The row of one script URL, or undefined when the frame is passed through to its caller. */
export function rowOfUrl(url: string): BudgetRow | undefined {
  if (!url || url.startsWith('node:')) return undefined;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    // The cluster's Redis (bench/cluster-budget.ts): the streams adapter, and the client every cluster store uses.
    if (pkg === '@socket.io/redis-streams-adapter') return 'Redis adapter (@socket.io/redis-streams-adapter)';
    if (/^(ioredis|redis-parser|redis-errors|denque|standard-as-callback|cluster-key-slot)$/.test(pkg))
      return 'Redis client + cluster gate (ioredis, src/cluster)';
    if (/^(socket\.io|socket\.io-adapter|socket\.io-parser|engine\.io|engine\.io-parser|ws|@socket\.io\/.+)$/.test(pkg))
      return 'Socket.IO encode/emit (socket.io, engine.io, ws)';
    if (/^(pino|pino-.+|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|on-exit-leak-free)$/.test(pkg))
      return 'logging';
    if (/^(prom-client|tdigest|bintrees)$/.test(pkg)) return 'metrics';
    if (/^(express|router|body-parser|jsonwebtoken|jws|jwa|finalhandler|send|cors|.*-type|qs)$/.test(pkg))
      return 'HTTP + auth';
    if (
      /^(node-fetch|fetch-blob|data-uri-to-buffer|formdata-polyfill|node-domexception|web-streams-polyfill)$/.test(pkg)
    )
      return 'REST clients (AntRing, AntCRM: node-fetch, node:http client)';
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
      return 'signal intake';
    case 'cluster':
      // The cluster's versions of the single node's stores keep their rows; the gate, leases, keys: their own.
      if (/^(seq|live-calls)$/.test(file)) return 'publisher + seq + live store';
      if (file === 'contact-cache') return 'enrichment';
      if (file === 'dashboard-source') return 'dashboard + directory';
      return 'Redis client + cluster gate (ioredis, src/cluster)';
    case 'upstream':
      return 'REST clients (AntRing, AntCRM: node-fetch, node:http client)';
    case 'calls':
      return 'engine';
    case 'enrich':
    case 'antcrm':
      return 'enrichment';
    case 'dashboard':
      return 'dashboard + directory';
    case 'antring':
      return file === 'agent-directory'
        ? 'dashboard + directory'
        : 'REST clients (AntRing, AntCRM: node-fetch, node:http client)';
    case 'fanout':
      if (/^(publisher|seq|live-calls|view|redact|placed-sharing)$/.test(file)) return 'publisher + seq + live store';
      if (file === 'dashboard-fanout') return 'dashboard + directory';
      return 'fan-out: rooms, sockets, keepalive (ours)';
    case 'runtime':
      if (file === 'pipeline') return 'engine';
      return /^(update|fanout-consumer|consumers)$/.test(file) ? 'publisher + seq + live store' : undefined;
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

/** Sampled (non-idle) main-thread ms per row, in the span. */
export function attribute(profile: CpuProfile, o: { span?: Span } = {}): RowMs {
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
    let httpClient = false;
    for (let at: number | undefined = id; row === undefined && at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)?.callFrame.url ?? '';
      row = rowOfUrl(url);
      if (url.startsWith('node:internal/timers')) timers = true;
      if (/^node:_http_(client|incoming|agent)$/.test(url)) httpClient = true;
    }
    row ??= httpClient
      ? 'REST clients (AntRing, AntCRM: node-fetch, node:http client)'
      : timers
        ? 'timers'
        : 'other (node internals, native, program)';
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
  return rows;
}

export interface BudgetLine {
  row: BudgetRow;
  /** CPU ms in the window (sampled ms × the column's scale). */
  bridgeMs: number;
  baselineMs: number;
  /** Unscaled sampled ms. */
  bridgeSampledMs: number;
  baselineSampledMs: number;
  gapMs: number;
  /** The gap per message delivered in the window (both runs deliver the same messages), µs. */
  gapUsPerMessage: number | null;
  /** Share of the measured gap, percent. */
  gapPct: number | null;
}

export interface Budget {
  /** `messages`: the bridge's in the window; `baselineMessages`: the baseline's (its column is scaled to the bridge's
   *  messages when they differ, e.g. a saturated step: the budget compares CPU per message). */
  workload: { clients: number; rate: number; windowSec: number; messages: number; baselineMessages?: number };
  bridgeCpuMs: number;
  /** For the bridge's messages (see workload). */
  baselineCpuMs: number;
  gapMs: number;
  /** Main-thread CPU / sampled ms, per column. */
  scale: { bridge: number; baseline: number };
  /** Sum of the gap column: equals gapMs (each column is scaled to its measured CPU). */
  rowsSumMs: number;
  lines: BudgetLine[];
  /** Where the profiles are and the window in them (ms back from their end): bench/profiled.ts. */
  profiles?: Record<'bridge' | 'baseline', { file: string; span: Span }>;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

const sum = (r: RowMs) => BUDGET_ROWS.reduce((a, row) => a + r[row], 0);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Bridge and baseline sampled rows → the budget table (each column scaled to its measured CPU), biggest gap first. */
export function budgetTable(
  bridgeSampled: RowMs,
  baselineSampled: RowMs,
  w: Budget['workload'],
  measured: { bridgeCpuMs: number; baselineCpuMs: number; bridgeMainMs?: number; baselineMainMs?: number },
): Budget {
  // The baseline's CPU for the bridge's messages (1 when both delivered the same messages).
  const perMsg = w.baselineMessages ? w.messages / w.baselineMessages : 1;
  const baselineCpuMs = measured.baselineCpuMs * perMsg;
  const gapMs = measured.bridgeCpuMs - baselineCpuMs;
  const bridgeMain = measured.bridgeMainMs ?? measured.bridgeCpuMs;
  const baseMain = (measured.baselineMainMs ?? measured.baselineCpuMs) * perMsg;
  const kBridge = sum(bridgeSampled) ? bridgeMain / sum(bridgeSampled) : 0;
  const kBase = sum(baselineSampled) ? baseMain / sum(baselineSampled) : 0;
  const threads: BudgetRow = 'other threads (GC helpers, libuv pool, module loader)';
  const bridge = (row: BudgetRow) =>
    row === threads ? measured.bridgeCpuMs - bridgeMain : bridgeSampled[row] * kBridge;
  const baseline = (row: BudgetRow) => (row === threads ? baselineCpuMs - baseMain : baselineSampled[row] * kBase);
  const lines = BUDGET_ROWS.map((row) => {
    const gap = bridge(row) - baseline(row);
    return {
      row,
      bridgeMs: r1(bridge(row)),
      baselineMs: r1(baseline(row)),
      bridgeSampledMs: r1(bridgeSampled[row]),
      baselineSampledMs: r1(baselineSampled[row]),
      gapMs: r1(gap),
      gapUsPerMessage: w.messages ? r1((gap * 1000) / w.messages) : null,
      gapPct: gapMs ? r1((gap / gapMs) * 100) : null,
    };
  }).sort((a, b) => b.gapMs - a.gapMs);
  return {
    workload: w,
    bridgeCpuMs: r1(measured.bridgeCpuMs),
    baselineCpuMs: r1(baselineCpuMs),
    gapMs: r1(gapMs),
    scale: { bridge: r3(kBridge), baseline: r3(kBase) },
    rowsSumMs: r1(BUDGET_ROWS.reduce((a, row) => a + bridge(row) - baseline(row), 0)),
    lines,
  };
}

/** The budget as a Markdown table (bench/report.ts and docs/performance.md). */
export function budgetMarkdown(b: Budget): string[] {
  const w = b.workload;
  const out = [
    `${w.clients} clients, ${r1(w.rate)} call events/s, ${w.windowSec} s window, ${w.messages} messages${w.baselineMessages && w.baselineMessages !== w.messages ? ` (baseline: ${w.baselineMessages}; its column is scaled to the bridge's messages)` : ''}: bridge ${b.bridgeCpuMs} CPU ms, baseline ${b.baselineCpuMs}, gap ${b.gapMs} (rows sum to ${b.rowsSumMs}). Main-thread rows are the profile's samples scaled to the main thread's CPU (× ${b.scale.bridge} bridge, × ${b.scale.baseline} baseline).`,
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
