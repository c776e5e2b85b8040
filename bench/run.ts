// `npm run bench`: the simulator (in this process) plays one call script against a bare Socket.IO baseline, the
// bridge (its own process) and a 2-node cluster over Redis, each served to N clients in a load process. JSON result
// on stdout, progress on stderr, docs/performance.md regenerated. See docs/performance.md and `--help`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import jwt from 'jsonwebtoken';
import { buildEvent } from '../src/simulator/kazoo-payload.js';
import { startSimulator, type Simulator } from '../src/simulator/simulator.js';
import { BenchArgsError, clientMix, parseArgs, USAGE, type BenchOptions, type RunName } from './args.js';
import type { Sink } from './driver.js';
import type { ClientPlan } from './latency.js';
import { measure, type MeasureContext } from './measure.js';
import { prebuild } from './prebuild.js';
import { ROOT, hrNow, startBaseline, startBridgeNode, startRedis, waitFor, type BridgeNode } from './procs.js';
import { summarizeProfile } from './profile.js';
import { renderReport } from './report.js';
import { computeRatios, evaluateTargets, isRun, type BenchResult, type MachineInfo, type RunResult, type SkippedRun } from './results.js';
import { buildScript, type Script } from './script.js';
import { round } from './stats.js';
import { createWorld, installWorld, worldDirectory, type BenchWorld } from './world.js';

const HIT_NUMBERS = 300;
const log = (msg: string) => console.error(`[bench] ${msg}`);

function machine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.versions.node,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvgAtStart: round(os.loadavg()[0], 2),
  };
}

function build(): void {
  log('npm run build (tsc -p tsconfig.build.json)');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    const errors = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').filter((l) => /error TS/.test(l)).slice(0, 5).join('\n  ');
    if (!existsSync(join(ROOT, 'dist/main.js'))) throw new Error(`the build failed and there is no dist/main.js:\n  ${errors}`);
    log(`warning: the build reported errors (dist/ was still written; the bench goes on):\n  ${errors}`);
  }
}

interface Setup {
  opts: BenchOptions;
  sim: Simulator;
  world: BenchWorld;
  script: Script;
  ctx: MeasureContext;
  secret: string;
  dir: string;
}

function bridgeEnv(s: Setup): Record<string, string> {
  const c = s.sim.credentials;
  return {
    ANTRING_APP_ID: c.appId,
    ANTRING_APP_SECRET: c.appSecret,
    ANTRING_ACCOUNT_ID: c.accountId,
    ANTRING_API_URL: s.sim.apiUrl,
    ANTRING_SIGNAL_URL: s.sim.signalUrl('socketio'),
    ANTRING_SIGNAL_PROTOCOL: 'socketio',
    ANTRING_DOMAIN: c.domain,
    ANTRING_EMAIL: c.email,
    ANTCRM_API_URL: s.sim.crmUrl,
    ANTCRM_API_KEY: c.crmApiKey,
    JWT_SECRET: s.secret,
    CRM_BUDGET_MS: String(s.opts.crmBudgetMs),
  };
}

/** Frames to the simulator's signal hub (every subscribed bridge gets them, as from AntRing). */
function simSink(sim: Simulator): { sink: Sink; undelivered: () => number } {
  let undelivered = 0;
  return {
    sink: (_i, f) => {
      const payload = buildEvent(f.name, f.spec, { ...f.fields, at: Date.now() });
      const t = hrNow();
      if (sim.signals.publish(payload) === 0) undelivered++;
      return t;
    },
    undelivered: () => undelivered,
  };
}

async function runBaseline(s: Setup): Promise<RunResult> {
  log('baseline: pre-building the enriched messages');
  const pre = prebuild(s.script, s.world, { org: s.sim.credentials.accountId, directory: worldDirectory(s.sim) });
  const node = await startBaseline(s.dir, { JWT_SECRET: s.secret, BENCH_ORG: s.sim.credentials.accountId });
  try {
    const sink: Sink = (i) => {
      const t = hrNow();
      node.feed.write(`${pre.lines[i]}\n`);
      return t;
    };
    return await measure({ name: 'baseline', description: 'bare Socket.IO server, pre-enriched messages', urls: [node.url], procs: [node.m], sink, undelivered: () => 0 }, s.ctx);
  } finally {
    node.feed.destroy();
    await node.m.stop();
  }
}

/** The bridge's run; with a profile dir, also when its process exited (the end of its .cpuprofile), unix ms. */
async function runBridge(s: Setup, profileDir?: string): Promise<{ run: RunResult; exitedAt: number }> {
  const node = await startBridgeNode('bridge', s.dir, bridgeEnv(s), { profileDir });
  let run: RunResult;
  try {
    const { sink, undelivered } = simSink(s.sim);
    run = await measure({ name: 'bridge', description: 'node dist/main.js', urls: [node.url], procs: [node.m], sink, undelivered }, s.ctx);
  } finally {
    await node.m.stop();
  }
  return { run, exitedAt: hrNow() };
}

async function runCluster(s: Setup): Promise<RunResult | SkippedRun> {
  const redis = await startRedis();
  if (!redis) return { name: 'cluster', skipped: 'redis-server not found (set REDIS_SERVER_BIN or install redis-server)' };
  const nodes: BridgeNode[] = [];
  try {
    try {
      const env = { ...bridgeEnv(s), REDIS_URL: redis.url, CLUSTER_UPSTREAM_NODES: '2' };
      nodes.push(await startBridgeNode('cluster-a', s.dir, env));
      nodes.push(await startBridgeNode('cluster-b', s.dir, env));
      // Both nodes hold an upstream lease (hot standby) before the traffic starts.
      await waitFor(() => nodes.every((n) => /upstream lease acquired/.test(readFileSync(n.m.logFile, 'utf8'))), { what: 'both nodes to hold an upstream lease', timeoutMs: 20_000, intervalMs: 100 })
        .catch((err: unknown) => log(`cluster: ${err instanceof Error ? err.message : String(err)} (going on)`));
    } catch (err) {
      return { name: 'cluster', skipped: `cluster mode not available: ${err instanceof Error ? err.message : String(err)}` };
    }
    const { sink, undelivered } = simSink(s.sim);
    return await measure({
      name: 'cluster', description: '2 × node dist/main.js + redis-server', urls: nodes.map((n) => n.url), procs: nodes.map((n) => n.m), redis, sink, undelivered,
    }, s.ctx);
  } finally {
    await Promise.all(nodes.map((n) => n.m.stop()));
    await redis.stop();
  }
}

async function main(): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof BenchArgsError) {
      console.error(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const started = Date.now();
  const machineInfo = machine();
  if (opts.build) build();
  const dir = mkdtempSync(join(os.tmpdir(), 'antring-bench-'));
  const sim = await startSimulator({ historySeedCount: 0 });
  let keepDir = opts.profile || opts.samplesPath !== null;
  try {
    sim.faults.crm.delayMs = opts.crmDelayMs;
    const mix = clientMix(opts);
    const totalSec = opts.warmupSec + opts.durationSec + 3;
    const missNumbers = Math.ceil((opts.rate / 6) * totalSec * opts.missRatio * 2) + 20;
    const world = createWorld(sim.data, { agents: mix.agents, hitNumbers: HIT_NUMBERS, missNumbers });
    installWorld(sim, world);
    const script = buildScript(sim.data, world, { rate: opts.rate, durationSec: opts.durationSec, warmupSec: opts.warmupSec, missRatio: opts.missRatio, seed: opts.seed });
    const secret = randomBytes(32).toString('hex');
    const org = sim.credentials.accountId;
    const plan: ClientPlan[] = [
      ...world.agents.map((a) => ({ role: 'agent' as const, agent: a.username })),
      ...Array.from({ length: mix.supervisors }, () => ({ role: 'supervisor' as const })),
      ...Array.from({ length: mix.admins }, () => ({ role: 'admin' as const })),
    ];
    const tokens = plan.map((p, i) => jwt.sign(
      { sub: `bench-${p.role}-${i}`, org, role: p.role, ...(p.agent ? { agent: p.agent } : {}), ...(p.role === 'supervisor' ? { queues: ['*'] } : {}) },
      secret, { algorithm: 'HS256', expiresIn: 3600 },
    ));
    const ctx: MeasureContext = { script, plan, tokens, log, ...(opts.samplesPath ? { samples: {} } : {}) };
    const s: Setup = { opts, sim, world, script, ctx, secret, dir };
    log(`${opts.clients} clients (${mix.agents} agents, ${mix.supervisors} supervisors, ${mix.admins} admin), ${opts.rate} events/s `
      + `(${round(script.callsPerSec, 1)} calls/s), ${opts.durationSec} s measured; logs in ${dir}`);

    const profileDir = opts.profile ? join(dir, 'profile') : undefined;
    const runs: BenchResult['runs'] = {};
    let bridgeExitedAt: number | undefined;
    for (const name of opts.runs) {
      log(`== ${name}`);
      try {
        if (name === 'bridge') {
          const b = await runBridge(s, profileDir);
          runs.bridge = b.run;
          bridgeExitedAt = b.exitedAt;
        } else runs[name] = name === 'baseline' ? await runBaseline(s) : await runCluster(s);
      } catch (err) {
        keepDir = true;
        const msg = err instanceof Error ? err.message : String(err);
        log(`${name} failed: ${msg}`);
        runs[name] = { name, skipped: `failed: ${msg}` };
      }
      const r = runs[name];
      if (isRun(r)) log(`${name}: ${r.messages.perSec} msg/s, ring-to-pop hit p99 ${r.latency.hit.p99} ms, miss p99 ${r.latency.miss.p99} ms, CPU ${r.cpu.perThousandMessages} s/1k msg, RSS ${Math.round(r.memory.perClient.rssBytes / 102.4) / 10} KB/client`);
    }
    const bridge = isRun(runs.bridge) ? runs.bridge : undefined;
    const baseline = isRun(runs.baseline) ? runs.baseline : undefined;
    const ratios = computeRatios(bridge, baseline);
    const params: BenchResult['params'] = {
      clients: opts.clients, supervisorShare: opts.supervisorShare, rate: opts.rate, durationSec: opts.durationSec, warmupSec: opts.warmupSec,
      crmDelayMs: opts.crmDelayMs, crmBudgetMs: opts.crmBudgetMs, missRatio: opts.missRatio, seed: opts.seed, runs: opts.runs, profile: opts.profile,
      ...mix, hitNumbers: HIT_NUMBERS,
    };
    const result: BenchResult = {
      tool: 'antring-bridge bench',
      startedAt: new Date(started).toISOString(),
      durationSec: 0,
      params,
      machine: machineInfo,
      script: {
        calls: script.calls.filter((c) => c.kind !== 'warm').length, measuredCalls: script.calls.filter((c) => c.measured).length,
        frames: script.frames.length, framesPerCall: round(script.framesPerCall, 2), callsPerSec: round(script.callsPerSec, 2),
      },
      runs,
      ratios,
      targets: evaluateTargets(params, runs, ratios),
    };
    if (profileDir) {
      const file = existsSync(profileDir) ? readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
      // The steady state only: the samples of the measurement window (the profile ends when the process exits).
      const span = bridge && bridgeExitedAt ? { fromEndMs: bridgeExitedAt - bridge.windowAt.start, toEndMs: bridgeExitedAt - bridge.windowAt.end } : undefined;
      result.profile = file
        ? summarizeProfile(JSON.parse(readFileSync(join(profileDir, file), 'utf8')), join(profileDir, file), { span })
        : { error: 'no .cpuprofile was written (did the bridge run?)' };
    }
    if (keepDir) result.logsDir = dir;
    result.durationSec = Math.round((Date.now() - started) / 1000);
    const json = JSON.stringify(result, null, 2);
    console.log(json);
    if (opts.jsonPath) writeFileSync(opts.jsonPath, `${json}\n`);
    if (opts.samplesPath && ctx.samples) writeFileSync(opts.samplesPath, JSON.stringify(ctx.samples));
    if (opts.docPath) {
      const notesFile = join(ROOT, 'bench/notes.md');
      writeFileSync(resolve(ROOT, opts.docPath), renderReport(result, existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : undefined));
      log(`wrote ${opts.docPath}`);
    }
    log(`done in ${result.durationSec} s`);
    return Object.values(runs).some((r) => r && 'skipped' in r && r.skipped.startsWith('failed')) ? 1 : 0;
  } finally {
    await sim.close();
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(`[bench] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
