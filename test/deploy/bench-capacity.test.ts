// The capacity mode's pure parts (bench/capacity-*.ts, bench/measure.ts helpers): its arguments, saturation
// marking, misses, the knee, load-process planning, client spreading, the SVG chart (well-formed XML with the
// expected series) and the capacity section of docs/performance.md.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchArgsError, DEFAULT_STEPS, DEFAULTS, parseArgs } from '../../bench/args.js';
import { BEGIN, END, extractSection, renderCapacitySection, spliceSection } from '../../bench/capacity-report.js';
import {
  type CapacityResult,
  compareSteps,
  findKnee,
  missesOf,
  planLoadProcesses,
  retryProcesses,
  type StepOutcome,
  saturationOf,
  stopReason,
  toStep,
} from '../../bench/capacity-results.js';
import { escapeXml, renderCapacitySvg } from '../../bench/capacity-svg.js';
import { mergeReceipts, spreadClients } from '../../bench/measure.js';
import type { LoadProcessFigures, RunResult } from '../../bench/results.js';

const summary = (p99: number | null) =>
  p99 === null
    ? { count: 0, p50: null, p95: null, p99: null, max: null, mean: null }
    : { count: 10, p50: 1, p95: 2, p99, max: p99 + 1, mean: 1 };

function run(
  o: {
    p99?: number | null;
    lost?: number;
    failed?: number;
    procs?: Partial<LoadProcessFigures>[];
    late?: number;
    cpuPerK?: number;
  } = {},
): RunResult {
  const procs = (o.procs ?? [{}]).map((p) => ({
    clients: 1000,
    cpuSeconds: 3,
    cpuShare: 0.3,
    loopDelayP99Ms: 10,
    loopDelayMaxMs: 12,
    ...p,
  }));
  return {
    name: 'bridge',
    target: 'bridge',
    clients: {
      requested: 2000,
      connected: 2000 - (o.failed ?? 0),
      failed: o.failed ?? 0,
      connectMs: 1000,
      disconnects: 0,
    },
    frames: { sent: 1000, perSec: 100, undelivered: 0, driverLateP99Ms: o.late ?? 1 },
    messages: { inWindow: 40000, perSec: 2000, total: 50000 },
    latency: {
      hit: summary(o.p99 === undefined ? 20 : o.p99),
      miss: summary(60),
      byRole: { agent: summary(20), supervisor: summary(20), admin: summary(20) },
      expected: 100,
      received: 100 - (o.lost ?? 0),
      uncorrelated: 0,
    },
    cpu: { seconds: 2, utilization: 0.2, perThousandMessages: o.cpuPerK ?? 0.05, messagesPerCpuSecond: 20_000 },
    memory: {
      idle: { rss: 1e8, heapUsed: 2e7 },
      connected: { rss: 1.2e8, heapUsed: 3e7 },
      peakRss: 1.3e8,
      perClient: { rssBytes: 8000, heapBytes: 5000 },
    },
    machine: { busyCores: 0.5, otherProcessesCores: 0, orchestratorCpuSeconds: 1 },
    load: {
      cpuSeconds: procs.reduce((s, p) => s + p.cpuSeconds, 0),
      loopDelayP99Ms: Math.max(...procs.map((p) => p.loopDelayP99Ms)),
      loopDelayMaxMs: 12,
      processes: procs,
    },
    windowSec: 10,
    windowAt: { start: 1, end: 10_001 },
    notes: [],
  };
}

const step = (clients: number, rate: number, r: RunResult, attempts = 1) =>
  toStep({ clients, rate }, r, { kneeP99Ms: 100, attempts });

const args = suite('bench capacity: arguments');
args('--capacity: shorter runs, baseline and bridge, the default steps; the normal run is unchanged', () => {
  const o = parseArgs(['--capacity']);
  assert.ok(o.capacity);
  assert.is(o.durationSec, 10);
  assert.is(o.warmupSec, 2);
  assert.equal(o.runs, ['baseline', 'bridge']);
  assert.equal(o.steps, [...DEFAULT_STEPS]);
  assert.equal(o.steps.slice(0, 3), [
    { clients: 2000, rate: 100 },
    { clients: 4000, rate: 200 },
    { clients: 6000, rate: 300 },
  ]);
  assert.is(o.kneeP99Ms, 100);
  assert.is(o.svgPath, 'docs/performance-capacity.svg');
  assert.equal(parseArgs([]), DEFAULTS);
  assert.not.ok(DEFAULTS.capacity);
});
args('--steps, explicit --duration/--runs kept, --no-svg, limits', () => {
  const o = parseArgs([
    '--capacity',
    '--steps',
    '200x20, 400×40',
    '--duration',
    '3',
    '--runs',
    'bridge,cluster',
    '--no-svg',
    '--knee-p99',
    '50',
    '--clients-per-load',
    '100',
    '--max-load-procs',
    '3',
  ]);
  assert.equal(o.steps, [
    { clients: 200, rate: 20 },
    { clients: 400, rate: 40 },
  ]);
  assert.is(o.durationSec, 3);
  assert.equal(o.runs, ['bridge', 'cluster']);
  assert.is(o.svgPath, null);
  assert.is(o.kneeP99Ms, 50);
  assert.is(o.clientsPerLoad, 100);
  assert.is(o.maxLoadProcesses, 3);
  assert.throws(
    () => parseArgs(['--steps', '200']),
    (e: Error) => e instanceof BenchArgsError && /--steps/.test(e.message),
  );
  assert.throws(() => parseArgs(['--steps', '2x10']), /--steps/);
  assert.throws(() => parseArgs(['--steps', '']), /--steps/);
  assert.throws(() => parseArgs(['--max-load-procs', '0']), /--max-load-procs/);
});
args.run();

const judge = suite('bench capacity: saturation, misses, knee');
judge('a load process above 85 % of a core, a lagging loop or a late driver marks the step not counted', () => {
  assert.equal(saturationOf(run()), []);
  assert.ok(step(2000, 100, run()).counted);
  const cpu = step(2000, 100, run({ procs: [{ cpuShare: 0.5 }, { cpuShare: 0.9 }] }));
  assert.not.ok(cpu.counted);
  assert.equal(cpu.saturated, ['load process 2 used 90 % of a core (limit 85 %)']);
  assert.equal(cpu.generator.cpuShares, [0.5, 0.9]);
  assert.is(cpu.generator.cpuShareMax, 0.9);
  assert.is(cpu.generator.processes, 2);
  assert.is(cpu.generator.cores, 0.6, 'both processes: 6 CPU s in a 10 s window');
  const loop = step(2000, 100, run({ procs: [{ loopDelayP99Ms: 25 }] }));
  assert.not.ok(loop.counted);
  assert.match(loop.saturated[0], /event-loop delay p99 25 ms/);
  assert.is(loop.generator.loopDelayP99MaxMs, 25);
  const late = step(2000, 100, run({ late: 30 }));
  assert.not.ok(late.counted);
  assert.match(late.saturated[0], /frame driver/);
  assert.ok(
    step(2000, 100, run({ procs: [{ cpuShare: 0.85, loopDelayP99Ms: 20 }], late: 20 })).counted,
    'the limits themselves are allowed',
  );
});
judge('a step misses on p99 over the limit, a lost pop, a client that could not connect', () => {
  assert.equal(missesOf(run({ p99: 100 }), 100), []);
  assert.equal(missesOf(run({ p99: 100.5 }), 100), ['ring-to-pop p99 100.5 ms > 100 ms']);
  assert.equal(missesOf(run({ lost: 1 }), 100), ['1 of 100 pops lost']);
  assert.match(missesOf(run({ failed: 3 }), 100)[0], /3 of 2000 clients could not connect/);
  assert.match(missesOf(run({ p99: null }), 100)[0], /no pop/);
  const s = step(2000, 100, run({ p99: 150, lost: 2 }));
  assert.not.ok(s.met);
  assert.is(s.missed.length, 2);
});
judge('the knee is the last counted step that met both before the first counted miss', () => {
  const ok = (c: number) => step(c, c / 20, run({ p99: 10 }));
  const sat = (c: number) => step(c, c / 20, run({ p99: 500, procs: [{ cpuShare: 0.95 }] }));
  const bad = (c: number) => step(c, c / 20, run({ p99: 150 }));
  const k = findKnee([ok(2000), ok(4000), sat(6000), bad(8000), ok(10000)]);
  assert.equal(k.step, { clients: 4000, rate: 200 });
  assert.is(k.index, 1);
  assert.equal(k.past && { clients: k.past.clients, index: k.past.index }, { clients: 8000, index: 3 });
  assert.match(k.past?.why[0] ?? '', /p99 150 ms/);
  assert.is(k.uncounted, 1, 'the saturated step neither meets nor misses');
  assert.equal(findKnee([bad(2000), ok(4000)]).step, null, 'the first counted step missed: no knee');
  const open = findKnee([ok(2000), ok(4000)]);
  assert.equal(open.step, { clients: 4000, rate: 200 });
  assert.is(open.past, null, 'never missed: the knee is at least the last step');
  const failed: StepOutcome = { clients: 6000, rate: 300, error: 'boom' };
  assert.is(findKnee([ok(2000), failed]).uncounted, 1);
  assert.equal(findKnee([]), { step: null, index: null, past: null, uncounted: 0 });
});
judge('stepping stops past the knee, on an unmeasured step, or after two saturated steps in a row', () => {
  const ok = step(2000, 100, run());
  const sat = step(4000, 200, run({ procs: [{ cpuShare: 0.95 }] }));
  assert.is(stopReason([ok]), null);
  assert.is(stopReason([ok, sat]), null);
  assert.match(
    stopReason([ok, sat, { ...sat, clients: 6000 }]) ?? '',
    /generator was saturated at 4,000×200 and 6,000×200/,
  );
  assert.match(
    stopReason([ok, step(4000, 200, run({ lost: 1 }))]) ?? '',
    /past the knee at 4,000×200: 1 of 100 pops lost/,
  );
  assert.match(
    stopReason([{ clients: 2000, rate: 100, error: 'redis-server not found' }]) ?? '',
    /could not be measured: redis-server not found/,
  );
});
judge.run();

const plan = suite('bench capacity: load processes');
plan('one per clientsPerLoad clients, more when the previous step predicts a process above 60 % of a core', () => {
  const o = { clientsPerLoad: 2000, maxProcesses: 8 };
  assert.is(planLoadProcesses({ clients: 2000, rate: 100 }, o), 1);
  assert.is(planLoadProcesses({ clients: 10_000, rate: 500 }, o), 5);
  assert.is(planLoadProcesses({ clients: 2001, rate: 100 }, o), 2);
  // 0.3 cores at 2,000×100 → ×4 (clients × rate) at 4,000×200 = 1.2 cores → 2 processes at 0.6.
  assert.is(
    planLoadProcesses(
      { clients: 4000, rate: 200 },
      { ...o, previous: { step: { clients: 2000, rate: 100 }, generatorCores: 0.3 } },
    ),
    2,
  );
  assert.is(
    planLoadProcesses(
      { clients: 4000, rate: 200 },
      { ...o, previous: { step: { clients: 2000, rate: 100 }, generatorCores: 0.6 } },
    ),
    4,
  );
  assert.is(
    planLoadProcesses(
      { clients: 16_000, rate: 800 },
      { ...o, previous: { step: { clients: 2000, rate: 100 }, generatorCores: 1 } },
    ),
    8,
    'capped',
  );
  assert.is(
    planLoadProcesses(
      { clients: 3, rate: 1 },
      { clientsPerLoad: 10, maxProcesses: 8, previous: { step: { clients: 3, rate: 1 }, generatorCores: 50 } },
    ),
    3,
    'never more than the clients',
  );
});
plan('a saturated generator is retried with twice the processes; a late driver is not the load processes', () => {
  const sat = step(4000, 200, run({ procs: [{ cpuShare: 0.95 }, { cpuShare: 0.5 }] }));
  assert.is(retryProcesses(sat, 2, 8), 4);
  assert.is(retryProcesses(sat, 6, 8), 8);
  assert.is(retryProcesses(sat, 8, 8), null);
  assert.is(retryProcesses(step(4000, 200, run()), 2, 8), null);
  assert.is(retryProcesses(step(4000, 200, run({ late: 50 })), 2, 8), null);
});
plan('clients spread round-robin over the processes; receipts map back to the global client', () => {
  const parts = spreadClients(['a0', 'a1', 'a2', 'a3', 'sup', 'admin'], 4);
  assert.equal(parts, [['a0', 'sup'], ['a1', 'admin'], ['a2'], ['a3']]);
  const merged = mergeReceipts([
    { client: [0, 1], callId: ['c1', 'c1'], t: [1, 2] },
    { client: [1], callId: ['c2'], t: [3] },
    { client: [], callId: [], t: [] },
    { client: [0], callId: ['c3'], t: [4] },
  ]);
  assert.equal(merged.client, [0, 4, 5, 3], 'local j of process p is global j × 4 + p');
  assert.equal(merged.callId, ['c1', 'c1', 'c2', 'c3']);
  assert.equal(spreadClients([1, 2], 0), [[1, 2]]);
});
plan.run();

/** A small well-formedness check: one root, balanced tags, quoted unique attributes, only known entities. Returns the elements. */
function parseXml(xml: string): { name: string; attrs: Record<string, string>; text: string; parents: string[] }[] {
  const out: { name: string; attrs: Record<string, string>; text: string; parents: string[] }[] = [];
  const stack: { name: string; attrs: Record<string, string>; text: string; parents: string[] }[] = [];
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  let i = 0;
  let roots = 0;
  const s = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  while (i < s.length) {
    if (s.startsWith('<!--', i)) {
      const e = s.indexOf('-->', i);
      if (e < 0) throw new Error('unterminated comment');
      i = e + 3;
    } else if (s.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w:.-]*)\s*>/.exec(s.slice(i));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[1]) throw new Error(`</${m[1]}> closes <${open?.name}> at ${i}`);
      i += m[0].length;
    } else if (s[i] === '<') {
      const m = /^<([A-Za-z_][\w:.-]*)/.exec(s.slice(i));
      if (!m) throw new Error(`bad start tag at ${i}`);
      i += m[0].length;
      const attrs: Record<string, string> = {};
      for (;;) {
        const a = /^\s+([A-Za-z_][\w:.-]*)="([^"<]*)"/.exec(s.slice(i));
        if (!a) break;
        if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]}`);
        if (entity.test(a[2])) throw new Error(`bare & in attribute ${a[1]}`);
        attrs[a[1]] = a[2];
        i += a[0].length;
      }
      const close = /^\s*(\/?)>/.exec(s.slice(i));
      if (!close) throw new Error(`malformed tag <${m[1]}> at ${i}: ${s.slice(i, i + 40)}`);
      i += close[0].length;
      if (!stack.length) roots++;
      const el = { name: m[1], attrs, text: '', parents: stack.map((x) => x.name) };
      out.push(el);
      if (!close[1]) stack.push(el);
    } else {
      const e = s.indexOf('<', i);
      const text = s.slice(i, e < 0 ? s.length : e);
      if (entity.test(text)) throw new Error(`bare & in text: ${text}`);
      if (text.trim() && !stack.length) throw new Error('text outside the root');
      if (stack.length) stack[stack.length - 1].text += text;
      i = e < 0 ? s.length : e;
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return out;
}

function capacityResult(): CapacityResult {
  const steps = [
    { clients: 2000, rate: 100 },
    { clients: 4000, rate: 200 },
    { clients: 6000, rate: 300 },
  ];
  const mk = (p99s: number[], cpu: number, saturatedAt = -1): StepOutcome[] =>
    p99s.map((p99, i) =>
      step(
        steps[i].clients,
        steps[i].rate,
        run({ p99, cpuPerK: cpu * (1 + i / 10), procs: [{ cpuShare: i === saturatedAt ? 0.97 : 0.4 }] }),
      ),
    );
  const baseline = mk([6, 12, 40], 0.02);
  const bridge = mk([7, 30, 150], 0.035, 1);
  const cluster = mk([11, 160], 0.08);
  const runs: CapacityResult['runs'] = {
    baseline: { name: 'baseline', steps: baseline, knee: findKnee(baseline), stopped: 'every step was run' },
    bridge: { name: 'bridge', steps: bridge, knee: findKnee(bridge), stopped: 'past the knee' },
    cluster: { name: 'cluster', steps: cluster, knee: findKnee(cluster), stopped: 'past the knee' },
  };
  return {
    tool: 'antring-bridge bench',
    mode: 'capacity',
    startedAt: '2025-01-01T00:00:00.000Z',
    durationSec: 300,
    params: {
      steps,
      runs: ['baseline', 'bridge', 'cluster'],
      durationSec: 10,
      warmupSec: 2,
      supervisorShare: 0.05,
      crmDelayMs: 50,
      crmBudgetMs: 150,
      missRatio: 0.1,
      seed: 1,
      hitNumbers: 300,
      kneeP99Ms: 100,
      saturation: { loadCpuShare: 0.85, loopDelayP99Ms: 20, driverLateP99Ms: 20 },
      clientsPerLoad: 2000,
      maxLoadProcesses: 8,
    },
    machine: { cpuModel: 'Test <CPU> & Co', cpus: 2, memoryGiB: 4, node: '20.0.0', os: 'Linux', loadAvgAtStart: 0.1 },
    runs,
    comparison: compareSteps(steps, runs),
  };
}

const svg = suite('bench capacity: the SVG chart and the report section');
svg(
  'well-formed XML with p99 and CPU series for baseline, bridge and cluster; hollow uncounted points; limit and knees',
  () => {
    const res = capacityResult();
    const els = parseXml(renderCapacitySvg(res));
    assert.is(els[0].name, 'svg');
    assert.is(els[0].attrs.xmlns, 'http://www.w3.org/2000/svg');
    const series = els.filter((e) => e.name === 'g' && e.attrs.class === 'series');
    assert.equal(series.map((g) => `${g.attrs['data-panel']}:${g.attrs['data-series']}`).sort(), [
      'cpu:baseline',
      'cpu:bridge',
      'cpu:cluster',
      'p99:baseline',
      'p99:bridge',
      'p99:cluster',
    ]);
    const circles = (panel: string, name: string) => {
      const idx = els.findIndex(
        (e) =>
          e.name === 'g' &&
          e.attrs.class === 'series' &&
          e.attrs['data-panel'] === panel &&
          e.attrs['data-series'] === name,
      );
      const out = [];
      for (let k = idx + 1; k < els.length && els[k].parents.length > els[idx].parents.length; k++)
        if (els[k].name === 'circle') out.push(els[k]);
      return out;
    };
    assert.is(circles('p99', 'baseline').length, 3);
    assert.is(circles('p99', 'cluster').length, 2);
    assert.is(circles('cpu', 'bridge').length, 3);
    assert.equal(
      circles('p99', 'bridge').map((c) => c.attrs['data-counted']),
      ['true', 'false', 'true'],
    );
    assert.is(circles('p99', 'bridge')[1].attrs.fill, '#ffffff', 'the saturated step is hollow');
    // Higher p99 is higher on the chart (smaller y); the CPU panel lies below the p99 panel.
    const ys = circles('p99', 'baseline').map((c) => Number(c.attrs.cy));
    assert.ok(ys[0] > ys[1] && ys[1] > ys[2], `p99 rises: ${ys}`);
    assert.ok(Number(circles('cpu', 'baseline')[0].attrs.cy) > Number(circles('p99', 'baseline')[0].attrs.cy));
    assert.ok(els.some((e) => e.name === 'line' && e.attrs.class === 'limit'));
    const knees = els.filter((e) => e.name === 'line' && e.attrs.class === 'knee').map((e) => e.attrs['data-series']);
    assert.equal(knees, ['baseline', 'bridge', 'cluster']);
    const titles = els.filter((e) => e.name === 'title').map((e) => e.text);
    assert.ok(
      els.some((e) => e.name === 'text' && e.text.includes('2 × Test &lt;CPU&gt; &amp; Co')),
      'the machine is named, escaped',
    );
    assert.ok(titles.some((t) => /bridge \(1 node\), 4,000×200: 30 ms, not counted/.test(t)));
    assert.ok(
      titles.some((t) =>
        /cluster \(2 nodes \+ Redis\), 4,000×200: 160 ms, missed: ring-to-pop p99 160 ms &gt; 100 ms/.test(t),
      ),
    );
    assert.not.ok(els.some((e) => e.name === 'text' && /mechanics check/.test(e.text)));
    assert.match(
      renderCapacitySvg({ ...res, params: { ...res.params, steps: [{ clients: 200, rate: 20 }] } }),
      /mechanics check only/,
    );
    assert.is(escapeXml(`a<b>&"c'`), 'a&lt;b&gt;&amp;&quot;c&apos;');
    // An empty result is still a valid chart.
    const empty = { ...res, runs: {} };
    assert.is(parseXml(renderCapacitySvg(empty)).filter((e) => e.attrs.class === 'series').length, 0);
  },
);
svg('the section: knees, the chart, per-step tables; spliced into the page and kept by the normal report', () => {
  const res = capacityResult();
  const md = renderCapacitySection(res, 'performance-capacity.svg');
  assert.ok(md.startsWith(BEGIN) && md.endsWith(END));
  assert.match(md, /!\[Capacity[^\]]*\]\(performance-capacity\.svg\)/);
  assert.match(md, /\| baseline \(bare Socket\.IO\) \| 6,000×300 \(or more: no step missed\) \| – \|/);
  assert.match(md, /\| bridge \(1 node\) \| 2,000×100 \| 6,000×300 \| ring-to-pop p99 150 ms > 100 ms \| 1 \|/);
  assert.match(md, /\| cluster \(2 nodes \+ Redis\) \| 2,000×100 \| 4,000×200 \|/);
  assert.match(md, /\| 4,000×200 \| \*\*no\*\* \| 30 \/ 60 \|/);
  assert.match(md, /generator saturated: load process 1 used 97 % of a core/);
  assert.match(md, /This machine has 2 cores/);
  assert.not.match(md, /Mechanics check only/, '2,000 clients or more, 10 s windows: a measurement');
  assert.match(
    renderCapacitySection({ ...res, params: { ...res.params, durationSec: 3 } }, null),
    /Mechanics check only/,
  );
  assert.match(md, /--duration 10 --warmup 2\n```/);
  assert.match(
    md,
    /\| 2,000×100 \| 1\.75 \| 2\.29 \| 1\.17 \|/,
    'CPU per message: bridge/baseline, cluster/one node; p99 ratio',
  );
  const page = '# Performance\n\nintro\n\n## Reproduce\n\nsh\n';
  const spliced = spliceSection(page, md);
  assert.ok(
    spliced.indexOf(BEGIN) > spliced.indexOf('intro') && spliced.indexOf(END) < spliced.indexOf('## Reproduce'),
    'before Reproduce',
  );
  assert.is(extractSection(spliced), md);
  const again = spliceSection(spliced, `${BEGIN}\nnew\n${END}`);
  assert.is(again.split(BEGIN).length, 2, 'replaced, not added');
  assert.match(again, /new/);
  assert.not.match(again, /Capacity:/);
  assert.is(spliceSection('# P\n', md), `# P\n\n${md}\n`);
  assert.is(extractSection('# no section'), undefined);
});
svg.run();
