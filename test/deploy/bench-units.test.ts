// The benchmark's pure parts (bench/): arguments, percentiles, the call script, the ring-to-pop join, targets,
// the profile summary and the report; and the Dockerfile / .dockerignore readers the container test relies on.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BenchArgsError, clientMix, DEFAULTS, parseArgs } from '../../bench/args.js';
import { type ClientPlan, popLatency } from '../../bench/latency.js';
import { areaOf, summarizeProfile } from '../../bench/profile.js';
import { renderReport } from '../../bench/report.js';
import { type BenchResult, evaluateTargets, type RunResult } from '../../bench/results.js';
import { buildScript, prng } from '../../bench/script.js';
import { percentile, ratio, summarize } from '../../bench/stats.js';
import { createWorld } from '../../bench/world.js';
import { createSeed } from '../../src/simulator/data.js';
import { isIgnored, parseDockerfile, parseDockerignore, parseEnv } from './dockerfile.js';

const args = suite('bench: arguments');
args('defaults finish small enough and measure everything', () => {
  const o = parseArgs([]);
  assert.equal(o, DEFAULTS);
  assert.equal(o.runs, ['baseline', 'bridge', 'cluster']);
  assert.ok(o.clients === 2000 && o.rate === 100 && o.docPath === 'docs/performance.md');
});
args('flags, with = or a separate value', () => {
  const o = parseArgs([
    '--clients',
    '500',
    '--rate=40',
    '--duration',
    '5',
    '--crm-delay',
    '80',
    '--runs',
    'bridge,baseline',
    '--no-doc',
    '--profile',
    '--no-build',
  ]);
  assert.is(o.clients, 500);
  assert.is(o.rate, 40);
  assert.is(o.durationSec, 5);
  assert.is(o.crmDelayMs, 80);
  assert.equal(o.runs, ['baseline', 'bridge'], 'run order is fixed');
  assert.is(o.docPath, null);
  assert.ok(o.profile && !o.build);
});
args('bad input is refused with the flag named', () => {
  assert.throws(
    () => parseArgs(['--clients', 'many']),
    (e: Error) => e instanceof BenchArgsError && /--clients/.test(e.message),
  );
  assert.throws(
    () => parseArgs(['--clients', '2']),
    (e: Error) => e instanceof BenchArgsError,
  );
  assert.throws(() => parseArgs(['--runs', 'bridge,nope']), /--runs/);
  assert.throws(() => parseArgs(['--frobnicate']), /unknown option/);
  assert.throws(() => parseArgs(['--doc']), /--doc/);
});
args('client mix: one admin, a share of supervisors, the rest agents', () => {
  assert.equal(clientMix({ clients: 2000, supervisorShare: 0.05 }), { agents: 1899, supervisors: 100, admins: 1 });
  assert.equal(clientMix({ clients: 3, supervisorShare: 0.05 }), { agents: 1, supervisors: 1, admins: 1 });
  assert.equal(clientMix({ clients: 10, supervisorShare: 0 }), { agents: 9, supervisors: 0, admins: 1 });
});
args.run();

const stats = suite('bench: stats');
stats('nearest-rank percentiles', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.is(percentile(xs, 50), 50);
  assert.is(percentile(xs, 99), 99);
  assert.is(percentile(xs, 100), 100);
  assert.is(percentile([], 50), null);
  const s = summarize([5, 1, 3, 2, 4]);
  assert.equal(s, { count: 5, p50: 3, p95: 5, p99: 5, max: 5, mean: 3 });
  assert.equal(summarize([]).p99, null);
  assert.is(ratio(3, 2), 1.5);
  assert.is(ratio(1, 0), null);
  assert.is(ratio(null, 2), null);
});
stats.run();

function world(agents = 40) {
  const seed = createSeed();
  const w = createWorld(seed, { agents, hitNumbers: 30, missNumbers: 200 });
  seed.agents.push(...w.agents);
  return { seed, w };
}

const script = suite('bench: call script');
script('deterministic, ordered, at the rate asked, with the window measured', () => {
  const { seed, w } = world();
  const o = { rate: 50, durationSec: 10, warmupSec: 2, missRatio: 0.2, seed: 7 };
  const a = buildScript(seed, w, o);
  const b = buildScript(seed, w, o);
  assert.equal(
    a.calls.map((c) => [c.kind, c.number, c.agents, c.start]),
    b.calls.map((c) => [c.kind, c.number, c.agents, c.start]),
  );
  for (let i = 1; i < a.frames.length; i++) assert.ok(a.frames[i].t >= a.frames[i - 1].t);
  const inWindow = a.frames.filter((f) => f.t >= a.window.start && f.t < a.window.end).length / 10;
  assert.ok(inWindow > 35 && inWindow < 65, `about 50 frames/s in the window, got ${inWindow}`);
  // Every hit number is warmed (rung once) before the traffic.
  const warm = a.calls.filter((c) => c.kind === 'warm');
  assert.equal(
    warm.map((c) => c.number),
    w.hitNumbers,
  );
  assert.ok(warm.every((c) => c.frames.some((f) => f.rings) && c.start < a.window.start));
  const measured = a.calls.filter((c) => c.measured);
  assert.ok(measured.length > 20 && measured.every((c) => c.start >= a.window.start && c.start < a.window.end));
});
script('misses are direct calls ringing at once; queue calls ring 1–3 members of their queue', () => {
  const { seed, w } = world();
  const s = buildScript(seed, w, { rate: 80, durationSec: 10, warmupSec: 0, missRatio: 0.3, seed: 3 });
  const traffic = s.calls.filter((c) => c.kind !== 'warm');
  const misses = traffic.filter((c) => c.crm === 'miss');
  assert.ok(misses.length > 10);
  for (const c of misses) {
    assert.is(c.kind, 'direct');
    assert.ok(w.missNumbers.includes(c.number));
    assert.is(c.frames[1].t, c.frames[0].t, 'the agent leg is created with the customer leg');
    assert.is(c.frames[1].rings, c.agents[0]);
  }
  assert.is(new Set(misses.map((c) => c.number)).size, misses.length, 'each miss number is used once');
  for (const c of traffic.filter((x) => x.kind === 'queue')) {
    assert.ok(c.agents.length >= 1 && c.agents.length <= 3 && c.queueId);
    const rings = c.frames.filter((f) => f.rings).map((f) => f.rings);
    assert.equal(rings, c.agents);
    for (const f of c.frames.filter((x) => x.rings)) assert.is(f.spec.queueId, c.queueId);
  }
});
script('prng is a fixed sequence', () => {
  const r = prng(42);
  const xs = [r(), r(), r()];
  assert.equal(
    xs,
    (() => {
      const q = prng(42);
      return [q(), q(), q()];
    })(),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});
script.run();

const latency = suite('bench: ring-to-pop join');
latency('each role is measured from the frame that made it pop; expected vs received; strays counted', () => {
  const { seed, w } = world(6);
  const s = buildScript(seed, w, { rate: 30, durationSec: 5, warmupSec: 0, missRatio: 0, seed: 11 });
  const sentAt = s.frames.map((f) => 1_000_000 + f.t);
  const q = s.calls.find((c) => c.measured && c.kind === 'queue')!;
  const plan: ClientPlan[] = [{ role: 'agent', agent: q.agents[0] }, { role: 'supervisor' }, { role: 'admin' }];
  const ringAt = 1_000_000 + q.frames.find((f) => f.rings === q.agents[0])!.t;
  const first = {
    client: [0, 1, 2, 1],
    callId: [q.callId, q.callId, q.callId, 'not-a-call'],
    t: [ringAt + 3, ringAt + 5, ringAt + 7, ringAt],
  };
  const r = popLatency(s, sentAt, first, plan);
  assert.is(r.byRole.agent.max, 3);
  assert.is(r.byRole.supervisor.max, 5);
  assert.is(r.byRole.admin.max, 7);
  assert.is(r.hit.count, 3);
  assert.is(r.miss.count, 0);
  assert.is(r.received, 3);
  assert.ok(r.expected > 3, 'other measured calls were expected too');
  // A client whose agent was not rung by that call: uncorrelated.
  const stray = popLatency(
    s,
    sentAt,
    { client: [0], callId: [s.calls.find((c) => c.measured && !c.agents.includes(q.agents[0]))!.callId], t: [ringAt] },
    plan,
  );
  assert.is(stray.uncorrelated, 1);
});
latency.run();

const targets = suite('bench: targets, profile, report');
const summary = (p99: number) => ({ count: 10, p50: 1, p95: 2, p99, max: p99 + 1, mean: 1 });
function run(name: 'baseline' | 'bridge' | 'cluster', p99: number, mpcs: number, rssPerClient: number): RunResult {
  return {
    name,
    target: name,
    clients: { requested: 2000, connected: 2000, failed: 0, connectMs: 1000, disconnects: 0 },
    frames: { sent: 1000, perSec: 100, undelivered: 0, driverLateP99Ms: 1 },
    messages: { inWindow: 40000, perSec: 2000, total: 50000 },
    latency: {
      hit: summary(p99),
      miss: summary(60),
      byRole: { agent: summary(p99), supervisor: summary(p99), admin: summary(p99) },
      expected: 10,
      received: 10,
      uncorrelated: 0,
    },
    cpu: { seconds: 2, utilization: 0.1, perThousandMessages: 0.05, messagesPerCpuSecond: mpcs },
    memory: {
      idle: { rss: 1e8, heapUsed: 2e7 },
      connected: { rss: 1.2e8, heapUsed: 3e7 },
      peakRss: 1.3e8,
      perClient: { rssBytes: rssPerClient, heapBytes: 5000 },
    },
    machine: { busyCores: 0.5, otherProcessesCores: 0, orchestratorCpuSeconds: 1 },
    load: { cpuSeconds: 1, loopDelayP99Ms: 10, loopDelayMaxMs: 12 },
    windowSec: 20,
    windowAt: { start: 1, end: 20_001 },
    notes: [],
  };
}
const params: BenchResult['params'] = { ...DEFAULTS, agents: 1899, supervisors: 100, admins: 1, hitNumbers: 300 };
targets('met and missed targets say by how much', () => {
  const runs = {
    baseline: run('baseline', 4, 50_000, 20_000),
    bridge: run('bridge', 20, 30_000, 8_000),
    cluster: run('cluster', 25, 20_000, 9_000),
  };
  const t = evaluateTargets(params, runs, {
    p99: 5,
    messagesPerSec: 1,
    cpuPerMessage: 1.67,
    messagesPerCpuSecond: 0.6,
  });
  assert.is(t.length, 4);
  assert.is(t[0].met, false);
  assert.match(t[0].gap!, /5 ms over/);
  assert.is(t[1].met, false);
  assert.match(t[1].gap!, /20 points short/);
  assert.is(t[2].met, true);
  assert.is(t[3].met, true);
  const low = evaluateTargets({ ...params, clients: 100 }, runs, null);
  assert.is(low[3].met, false, 'a target is not met below the target load');
  assert.is(low[1].met, null);
  const skipped = evaluateTargets(
    params,
    { bridge: runs.bridge, cluster: { name: 'cluster', skipped: 'cluster mode not available: x' } },
    null,
  );
  assert.match(skipped[3].actual, /skipped: cluster mode not available/);
  assert.is(skipped[3].met, null);
});
targets('profile: self time by function and by area, idle left out', () => {
  const node = (id: number, functionName: string, url: string) => ({
    id,
    callFrame: { functionName, url, lineNumber: 9 },
  });
  const p = summarizeProfile(
    {
      nodes: [
        node(1, '(idle)', ''),
        node(2, 'emit', 'file:///app/node_modules/socket.io/dist/broadcast-operator.js'),
        node(3, 'apply', 'file:///app/dist/calls/engine.js'),
        node(4, '(garbage collector)', ''),
      ],
      samples: [1, 2, 2, 3, 4, 1],
      timeDeltas: [1000, 2000, 2000, 1000, 1000, 5000],
    },
    'x.cpuprofile',
  );
  assert.is(p.busyMs, 6);
  assert.is(p.idleMs, 6);
  assert.equal(p.topFunctions[0], { name: 'emit socket.io/dist/broadcast-operator.js:10', selfMs: 4, selfPct: 66.7 });
  assert.equal(
    p.areas.map((a) => a.name),
    ['socket.io', 'bridge: calls', 'GC'],
  );
  // A span counted back from the end of the profile (the process's exit) keeps only the samples inside it.
  const timed = summarizeProfile(
    {
      nodes: [
        node(2, 'emit', 'file:///app/node_modules/socket.io/dist/x.js'),
        node(3, 'apply', 'file:///app/dist/calls/engine.js'),
      ],
      samples: [2, 2, 3, 3],
      timeDeltas: [1000, 1000, 1000, 1000],
      startTime: 0,
      endTime: 10_000,
    },
    'y.cpuprofile',
    { span: { fromEndMs: 7.5, toEndMs: 6 } },
  );
  assert.is(timed.covers, 'measurement window');
  assert.equal(
    timed.topFunctions.map((f) => f.name),
    ['apply dist/calls/engine.js:10'],
  );
  assert.is(areaOf('node:internal/streams/writable', 'write'), 'node internals');
  assert.is(
    areaOf('file:///x/node_modules/@socket.io/redis-streams-adapter/dist/index.js', 'f'),
    '@socket.io/redis-streams-adapter',
  );
  assert.is(areaOf('file:///x/dist/main.js', 'f'), 'bridge: main');
});
targets('report: table with ratios, skipped runs, targets, notes', () => {
  const runs = { baseline: run('baseline', 4, 50_000, 20_000), bridge: run('bridge', 20, 30_000, 8_000) };
  const ratios = { p99: 5, messagesPerSec: 1, cpuPerMessage: 1.67, messagesPerCpuSecond: 0.6 };
  const res: BenchResult = {
    tool: 'antring-bridge bench',
    startedAt: '2025-01-01T00:00:00.000Z',
    durationSec: 99,
    params,
    machine: { cpuModel: 'Test CPU', cpus: 2, memoryGiB: 4, node: '20.0.0', os: 'Linux', loadAvgAtStart: 0.1 },
    script: { calls: 100, measuredCalls: 80, frames: 900, framesPerCall: 8.5, callsPerSec: 11.8 },
    runs: { ...runs, cluster: { name: 'cluster', skipped: 'cluster mode not available: boom' } },
    ratios,
    targets: evaluateTargets(
      params,
      { ...runs, cluster: { name: 'cluster', skipped: 'cluster mode not available: boom' } },
      ratios,
    ),
  };
  const md = renderReport(res, '## Closing note\n\nWe miss because of X.');
  assert.match(md, /^# Performance/);
  assert.match(md, /2 × Test CPU, 4 GiB memory, Node 20\.0\.0/);
  assert.match(md, /\| messages per CPU second \| 50,000 \| 30,000 \| 0\.6 \| skipped \|/);
  assert.match(
    md,
    /ring-to-pop, CRM cache hit: p50 \/ p95 \/ p99 \/ max \(ms\) \| 1 \/ 2 \/ 4 \/ 5 \| 1 \/ 2 \/ 20 \/ 21 \| 5 \|/,
  );
  assert.match(md, /cluster: \*\*skipped\*\*: cluster mode not available: boom/);
  assert.match(md, /\*\*no\*\*: 5 ms over/);
  assert.match(md, /## Closing note\n\nWe miss because of X\./);
  assert.match(md, /npm run bench -- --clients 2000 --rate 100 --duration 20 --crm-delay 50/);
});
targets.run();

const docker = suite('container: Dockerfile and .dockerignore readers');
docker('instructions, continuations, flags, exec form, ARG defaults in FROM', () => {
  const d = parseDockerfile(
    [
      '# syntax=docker/dockerfile:1',
      'ARG IMG=node:20-slim',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile `${VAR}` substitution, the parser's input
      'FROM ${IMG} AS build',
      'RUN --mount=type=cache,target=/root/.npm npm ci \\',
      '    --no-audit',
      'FROM $IMG',
      'ENV A=1 \\',
      '    B="two words"',
      'COPY --from=build /app/dist ./dist',
      'HEALTHCHECK --interval=5s CMD ["node", "-e", "1"]',
      'CMD ["node", "dist/main.js"]',
    ].join('\n'),
  );
  assert.equal(d.globalArgs, { IMG: 'node:20-slim' });
  assert.equal(
    d.stages.map((s) => [s.name, s.image]),
    [
      ['build', 'node:20-slim'],
      ['1', 'node:20-slim'],
    ],
  );
  assert.equal(d.stages[0].instructions[0].flags, { mount: 'type=cache,target=/root/.npm' });
  assert.is(d.stages[0].instructions[0].rest, 'npm ci --no-audit');
  const [env, cp, hc, cmd] = d.stages[1].instructions;
  assert.equal(parseEnv(env.rest), { A: '1', B: 'two words' });
  assert.equal(parseEnv('LEGACY value with spaces'), { LEGACY: 'value with spaces' });
  assert.equal(cp.flags, { from: 'build' });
  assert.equal(hc.flags, { interval: '5s' });
  assert.is(hc.rest, 'CMD ["node", "-e", "1"]');
  assert.equal(cmd.exec, ['node', 'dist/main.js']);
  assert.throws(() => parseDockerfile('RUN echo before FROM'), /before the first FROM/);
});
docker('.dockerignore: allow-list with exceptions, parents, ** and last match wins', () => {
  const rules = parseDockerignore('*\n!src\n!package.json\n**/.env\n**/*.log\n/src/secret/\n');
  assert.not.ok(isIgnored('src/main.ts', rules));
  assert.not.ok(isIgnored('package.json', rules));
  assert.ok(isIgnored('node_modules/a/b.js', rules));
  assert.ok(isIgnored('README.md', rules));
  assert.ok(isIgnored('src/.env', rules));
  assert.ok(isIgnored('src/deep/x.log', rules));
  assert.ok(isIgnored('src/secret/key.json', rules));
  assert.not.ok(isIgnored('src/secretive.ts', rules));
});
docker.run();
