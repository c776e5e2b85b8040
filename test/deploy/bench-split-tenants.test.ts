// `npm run bench -- --split-tenants N` (bench/split-*.ts), its pure parts: the arguments, the divisions of the world
// and of the call script, the clients of each run, the expected pops of division-scoped watchers, and the ratio.
import jwt from 'jsonwebtoken';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchArgsError, DEFAULTS } from '../../bench/args.js';
import { type ClientPlan, popLatency } from '../../bench/latency.js';
import type { RunResult } from '../../bench/results.js';
import {
  pairOrder,
  parseSplitArgs,
  SPLIT_TARGET,
  type SplitFigures,
  splitMix,
  splitRatio,
} from '../../bench/split-args.js';
import {
  renderSplitSection,
  SPLIT_BEGIN,
  SPLIT_END,
  type SplitResult,
  spliceSplitSection,
} from '../../bench/split-report.js';
import { divisionWorld, splitAccountId, splitClients, splitScript } from '../../bench/split-world.js';
import { createWorld } from '../../bench/world.js';
import { createSeed } from '../../src/simulator/data.js';

const args = suite('bench --split-tenants: arguments');
args('N tenants, one pair, the normal run’s workload options', () => {
  const o = parseSplitArgs(['--split-tenants', '20', '--duration', '10', '--no-build']);
  assert.is(o.tenants, 20);
  assert.is(o.repeat, 1);
  assert.is(o.bench.durationSec, 10);
  assert.is(o.bench.build, false);
  assert.is(o.bench.clients, DEFAULTS.clients);
  const p = parseSplitArgs(['--split-tenants=5', '--repeat=3', '--rate', '40']);
  assert.equal([p.tenants, p.repeat, p.bench.rate], [5, 3, 40]);
});
args('refuses what it cannot run, naming the flag', () => {
  const refused = (argv: string[], flag: string) => {
    try {
      parseSplitArgs(argv);
    } catch (err) {
      assert.instance(err, BenchArgsError);
      assert.match((err as Error).message, flag);
      return;
    }
    assert.unreachable(`accepted ${argv.join(' ')}`);
  };
  refused([], '--split-tenants');
  refused(['--split-tenants'], '--split-tenants');
  refused(['--split-tenants', '1'], '--split-tenants');
  refused(['--split-tenants', '2.5'], '--split-tenants');
  refused(['--split-tenants', '201'], '--split-tenants');
  refused(['--split-tenants', '4', '--repeat', '0'], '--repeat');
  refused(['--split-tenants', '4', '--capacity'], '--capacity');
  refused(['--split-tenants', '4', '--runs', 'bridge'], '--runs');
  refused(['--split-tenants', '4', '--bogus'], '--bogus');
  // 100 clients: 5 supervisors, fewer than 20 tenants.
  refused(['--split-tenants', '20', '--clients', '100'], 'supervisor');
});
args('clients: the same agents and supervisors; one admin, or one per tenant', () => {
  assert.equal(splitMix(DEFAULTS, 20), { agents: 1899, supervisors: 100, admins: { one: 1, split: 20 } });
});
args.run();

const world = suite('bench --split-tenants: divisions and script');
function divisions(n: number) {
  const seed = createSeed();
  const w = createWorld(seed, { agents: 60, hitNumbers: 30, missNumbers: 40 * n });
  seed.agents.push(...w.agents);
  return { seed, w, ds: Array.from({ length: n }, (_, d) => divisionWorld(w, d, n, 40)) };
}
world('every agent, caller and queue in exactly one division', () => {
  const { w, ds } = divisions(4);
  const all = (f: (x: (typeof ds)[number]) => string[]) => ds.flatMap(f).sort();
  assert.equal(
    all((x) => x.agents.map((a) => a.username)),
    w.agents.map((a) => a.username).sort(),
  );
  assert.equal(
    all((x) => x.hitNumbers),
    [...w.hitNumbers].sort(),
  );
  assert.is(new Set(all((x) => x.missNumbers)).size, 160);
  assert.is(new Set(all((x) => x.queueIds)).size, 8);
  for (const x of ds) for (const a of x.agents) assert.ok(x.queueIds.includes(x.queueOf(a)));
});
world('one merged script: ordered, each call among its own division, at the total rate', () => {
  const { seed, ds } = divisions(4);
  const o = { rate: 80, durationSec: 10, warmupSec: 1, missRatio: 0.1, seed: 7 };
  const s = splitScript({ data: seed }, ds, o);
  for (let i = 1; i < s.frames.length; i++) assert.ok(s.frames[i].t >= s.frames[i - 1].t);
  assert.equal(
    s.calls.map((c) => c.index),
    s.calls.map((_, i) => i),
  );
  for (const c of s.calls) {
    const d = ds[c.division ?? -1];
    assert.ok(d, 'every call names its division');
    const names = new Set(d.agents.map((a) => a.username));
    for (const a of c.agents) assert.ok(names.has(a));
    if (c.queueId) assert.ok(d.queueIds.includes(c.queueId));
    assert.ok(c.crm === 'hit' ? d.hitNumbers.includes(c.number) : d.missNumbers.includes(c.number));
    for (const f of c.frames) assert.is(s.calls[f.call], c);
  }
  const perSec = s.frames.filter((f) => f.t >= s.window.start && f.t < s.window.end).length / 10;
  assert.ok(perSec > 50 && perSec < 110, `${perSec} frames/s`);
  // The warm-up lasts as long as one script's (warm calls at warmRate / N): the window starts where it would.
  assert.ok(s.window.start < 2000 + 1000 + 1000, `window starts at ${s.window.start} ms`);
});
world('the clients of the split run carry their tenant and their division’s queues', () => {
  const { ds } = divisions(4);
  const mix = { agents: 60, supervisors: 8, admins: { one: 1, split: 4 } };
  const { plan, tokens } = splitClients(ds, mix, 4, splitAccountId, 'secret');
  assert.is(plan.length, 72);
  tokens.forEach((t, i) => {
    const c = jwt.verify(t, 'secret') as { org: string; role: string; queues?: string[] };
    const d = plan[i].division ?? 0;
    assert.is(c.org, splitAccountId(d));
    if (c.role === 'supervisor') assert.equal(c.queues, ds[d].queueIds);
  });
  assert.equal(
    plan.filter((p) => p.role === 'admin').map((p) => p.division),
    [0, 1, 2, 3],
  );
  const one = splitClients(ds, mix, 1, () => 'org', 'secret').plan.filter((p) => p.role === 'admin');
  assert.equal(one, [{ role: 'admin' }]);
});
world('expected pops: a division’s supervisors and admins see its calls only', () => {
  const { seed, ds } = divisions(2);
  const s = splitScript({ data: seed }, ds, { rate: 40, durationSec: 5, warmupSec: 0, missRatio: 0, seed: 3 });
  const sentAt = s.frames.map((f) => 1_000_000 + f.t);
  const none = { client: [], callId: [], t: [] };
  const scoped: ClientPlan[] = [
    { role: 'supervisor', division: 0 },
    { role: 'admin', division: 1 },
  ];
  const all: ClientPlan[] = [{ role: 'supervisor' }, { role: 'admin' }];
  const rung = s.calls.filter((c) => c.measured && c.frames.some((f) => f.rings));
  const queued = (d: number) => rung.filter((c) => c.queueId && c.division === d).length;
  const of = (d: number) => rung.filter((c) => c.division === d).length;
  assert.ok(queued(0) > 0 && of(1) > 0);
  assert.is(popLatency(s, sentAt, none, scoped).expected, queued(0) + of(1));
  assert.is(popLatency(s, sentAt, none, all).expected, queued(0) + queued(1) + of(0) + of(1));
});
world.run();

const ratios = suite('bench --split-tenants: the ratio');
const run = (cpu: number, messages: number, windowSec = 10): SplitFigures => ({
  cpu: {
    seconds: cpu,
    utilization: cpu / windowSec,
    perThousandMessages: (cpu / messages) * 1000,
    messagesPerCpuSecond: messages / cpu,
  } as RunResult['cpu'],
  messages: { inWindow: messages, perSec: messages / windowSec, total: messages },
  frames: { sent: 1000, perSec: 100, undelivered: 0, driverLateP99Ms: 1 },
  windowSec,
});
ratios('N tenants ÷ 1 tenant, per 1,000 messages, against the target', () => {
  const r = splitRatio([run(0.5, 2000)], [run(0.6, 2000)], 20);
  assert.is(r.cpuSeconds, 1.2);
  assert.is(r.cpuPerThousandMessages, 1.2);
  assert.is(r.messages, 1);
  assert.is(r.frames, 1);
  assert.is(r.target, SPLIT_TARGET);
  assert.is(r.met, false);
  // 0.1 s more in 10 s, over 19 more tenants: 0.53 ms of CPU per second each.
  assert.is(r.extraCpuMsPerTenantPerSec, 0.53);
  assert.is(splitRatio([run(0.5, 2000)], [run(0.54, 2000)], 20).met, true);
});
ratios('several pairs: the ratio of the sums, not a mean of ratios', () => {
  const r = splitRatio([run(0.5, 1000), run(1.5, 3000)], [run(0.6, 1000), run(1.6, 3000)], 2);
  assert.is(r.cpuSeconds, 1.1);
  assert.is(r.cpuPerThousandMessages, 1.1);
});
ratios('no messages: no per-message figure, target not judged', () => {
  const r = splitRatio([run(0.5, 0)], [run(0.6, 0)], 20);
  assert.is(r.cpuPerThousandMessages, null);
  assert.is(r.met, null);
});
ratios('pairs alternate (ABBA): drift of the machine cancels', () => {
  assert.equal([0, 1, 2, 3].map(pairOrder), [
    ['one', 'split'],
    ['split', 'one'],
    ['one', 'split'],
    ['split', 'one'],
  ]);
});
ratios.run();

const report = suite('bench --split-tenants: the docs section');
const result = (): SplitResult => {
  const full = (cpu: number, clients: number) =>
    ({
      ...run(cpu, 2000),
      clients: { requested: clients, connected: clients, failed: 0, connectMs: 1, disconnects: 0 },
      latency: { hit: { p99: 9.5 } },
      machine: { busyCores: 1, otherProcessesCores: 0.5, orchestratorCpuSeconds: 0.1 },
    }) as unknown as RunResult;
  const ones = [full(0.5, 2000), full(0.5, 2000)];
  const splits = [full(0.54, 2019), full(0.56, 2019)];
  return {
    tool: 't',
    startedAt: '2026-12-07T10:00:00.000Z',
    durationSec: 100,
    params: {
      tenants: 20,
      clients: { one: 2000, split: 2019 },
      agents: 1899,
      supervisors: 100,
      admins: { one: 1, split: 20 },
      rate: 100,
      durationSec: 10,
      warmupSec: 3,
      crmDelayMs: 50,
      crmBudgetMs: 150,
      missRatio: 0.1,
      seed: 1,
      hitNumbers: 300,
      profile: false,
      repeat: 2,
    },
    machine: { cpuModel: 'x', cpus: 2, memoryGiB: 1, node: '20', os: 'linux', loadAvgAtStart: 1 },
    script: { calls: 1, measuredCalls: 1, frames: 1, framesPerCall: 8, callsPerSec: 12 },
    runs: { oneTenant: ones, split: splits },
    ratio: splitRatio(ones, splits, 20),
    pairs: [1.08, 1.12],
  };
};
report('the ratio, the runs and the target, between the markers', () => {
  const md = renderSplitSection(result());
  assert.ok(md.startsWith(SPLIT_BEGIN) && md.endsWith(SPLIT_END));
  assert.match(md, '| bridge CPU seconds per 1,000 messages | 0.2500 | 0.2750 | **1.10** (target ≤ 1.1: met) |');
  assert.match(md, '0.50 (0.50, 0.50)');
  assert.match(md, 'the ratio of each pair: 1.08, 1.12.');
});
report('written in place of the old section, else at the end', () => {
  const md = renderSplitSection(result());
  assert.is(spliceSplitSection('# P\n', md), `# P\n\n${md}\n`);
  const old = `# P\n\n${SPLIT_BEGIN}\nold\n${SPLIT_END}\n\n## after\n`;
  assert.is(spliceSplitSection(old, md), `# P\n\n${md}\n\n## after\n`);
});
report.run();
