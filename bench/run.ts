// `npm run bench`: the simulator (in this process) plays one call script against a bare Socket.IO baseline, the
// bridge (its own process) and a 2-node cluster over Redis, each served to N clients in a load process. JSON result
// on stdout, progress on stderr, docs/performance.md regenerated. See docs/performance.md and `--help`.
// `--capacity` steps the load up instead (bench/capacity.ts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from '../src/simulator/simulator.js';
import { BenchArgsError, type BenchOptions, clientMix, parseArgs, runList, USAGE } from './args.js';
import { runCapacity } from './capacity.js';
import { extractSection, spliceSection } from './capacity-report.js';
import { clusterBudget, runClusterProfiled } from './cluster-budget.js';
import { build, machine } from './host.js';
import type { MeasureContext } from './measure.js';
import { ROOT } from './procs.js';
import { profiles } from './profiled.js';
import { renderReport } from './report.js';
import { type BenchResult, computeRatios, evaluateTargets, isRun } from './results.js';
import { scriptSummary } from './script.js';
import { round } from './stats.js';
import {
  HIT_NUMBERS,
  missNumbersFor,
  runBaseline,
  runBaselineProfiled,
  runBaselineRecovery,
  runBridge,
  runCluster,
  runLoad,
  type Setup,
} from './targets.js';
import { keepTenantsSection } from './tenants-report.js';
import { createWorld, installWorld } from './world.js';

const log = (msg: string) => console.error(`[bench] ${msg}`);

async function main(): Promise<number> {
  // `--tenants N`: the many-tenants cost bench (contract §8.6), bench/tenants.ts.
  if (process.argv.includes('--tenants')) return (await import('./tenants.js')).runTenantsBench(process.argv.slice(2));
  // `--split-tenants N`: one workload as 1 tenant, then split over N (issue 19), bench/split-tenants.ts.
  if (process.argv.some((a) => a === '--split-tenants' || a.startsWith('--split-tenants=')))
    return (await import('./split-tenants.js')).runSplitBench(process.argv.slice(2));
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
  if (opts.build) build(log);
  const dir = mkdtempSync(join(os.tmpdir(), 'antring-bench-'));
  const sim = await startSimulator({ historySeedCount: 0 });
  let keepDir = opts.profile || opts.samplesPath !== null;
  try {
    sim.faults.crm.delayMs = opts.crmDelayMs;
    // One world for every run: as many agents and miss numbers as the largest (capacity: every step's) needs.
    const sizes = opts.capacity ? opts.steps.map((st) => ({ ...opts, clients: st.clients, rate: st.rate })) : [opts];
    const world = createWorld(sim.data, {
      agents: Math.max(...sizes.map((o) => clientMix(o).agents)),
      hitNumbers: HIT_NUMBERS,
      missNumbers: Math.max(...sizes.map(missNumbersFor)),
    });
    installWorld(sim, world);
    const secret = randomBytes(32).toString('hex');
    if (opts.capacity) {
      const code = await runCapacity({
        opts,
        sim,
        world,
        secret,
        dir,
        log,
        machine: machineInfo,
        started,
        hitNumbers: HIT_NUMBERS,
      });
      if (code !== 0) keepDir = true;
      return code;
    }
    const { mix, script, plan, tokens } = runLoad(sim, world, secret, opts);
    const ctx: MeasureContext = {
      script,
      plan,
      tokens,
      log,
      // One load process per --clients-per-load clients (2,000: one at the default workload).
      loadProcesses: Math.min(opts.maxLoadProcesses, Math.ceil(opts.clients / opts.clientsPerLoad)),
      ...(opts.samplesPath ? { samples: {} } : {}),
    };
    const s: Setup = { opts, sim, world, script, ctx, secret, dir, log };
    log(
      `${opts.clients} clients (${mix.agents} agents, ${mix.supervisors} supervisors, ${mix.admins} admin), ${opts.rate} events/s ` +
        `(${round(script.callsPerSec, 1)} calls/s), ${opts.durationSec} s measured; logs in ${dir}`,
    );

    const profileDir = opts.profile ? join(dir, 'profile') : undefined;
    const runs: BenchResult['runs'] = {};
    let bridgeExitedAt: number | undefined;
    let baselineExitedAt: number | undefined;
    let recoveryExitedAt: number | undefined;
    let clusterProfiled: Awaited<ReturnType<typeof runClusterProfiled>> | undefined;
    const names = runList(opts);
    for (const name of names) {
      log(`== ${name}`);
      try {
        if (name === 'bridge') {
          const b = await runBridge(s, profileDir && join(profileDir, 'bridge'));
          runs.bridge = b.run;
          bridgeExitedAt = b.exitedAt;
        } else if (name === 'baseline' && profileDir) {
          const b = await runBaselineProfiled(s, join(profileDir, 'baseline'));
          runs.baseline = b.run;
          baselineExitedAt = b.exitedAt;
        } else if (name === 'baseline-recovery' && profileDir) {
          const b = await runBaselineProfiled(s, join(profileDir, 'baseline-recovery'), 'baseline-recovery');
          runs[name] = b.run;
          recoveryExitedAt = b.exitedAt;
        } else if (name === 'baseline') runs[name] = await runBaseline(s);
        else if (name === 'baseline-recovery') runs[name] = await runBaselineRecovery(s);
        else if (name === 'cluster' && profileDir) {
          clusterProfiled = await runClusterProfiled(s, join(profileDir, 'cluster'));
          runs[name] = clusterProfiled.run;
        } else runs[name] = await runCluster(s);
      } catch (err) {
        keepDir = true;
        const msg = err instanceof Error ? err.message : String(err);
        log(`${name} failed: ${msg}`);
        runs[name] = { name, skipped: `failed: ${msg}` };
      }
      const r = runs[name];
      if (isRun(r))
        log(
          `${name}: ${r.messages.perSec} msg/s, ring-to-pop hit p99 ${r.latency.hit.p99} ms, miss p99 ${r.latency.miss.p99} ms, CPU ${r.cpu.perThousandMessages} s/1k msg, RSS ${Math.round(r.memory.perClient.rssBytes / 102.4) / 10} KB/client`,
        );
    }
    const bridge = isRun(runs.bridge) ? runs.bridge : undefined;
    const baseline = isRun(runs.baseline) ? runs.baseline : undefined;
    const ratios = computeRatios(bridge, baseline);
    const withRecovery = runs['baseline-recovery'];
    const ratiosVsRecovery = computeRatios(bridge, isRun(withRecovery) ? withRecovery : undefined);
    const params: BenchResult['params'] = {
      clients: opts.clients,
      supervisorShare: opts.supervisorShare,
      rate: opts.rate,
      durationSec: opts.durationSec,
      warmupSec: opts.warmupSec,
      crmDelayMs: opts.crmDelayMs,
      crmBudgetMs: opts.crmBudgetMs,
      missRatio: opts.missRatio,
      seed: opts.seed,
      runs: names,
      profile: opts.profile,
      writeback: opts.writeback,
      ...mix,
      hitNumbers: HIT_NUMBERS,
    };
    const result: BenchResult = {
      tool: 'antring-bridge bench',
      startedAt: new Date(started).toISOString(),
      durationSec: 0,
      params,
      machine: machineInfo,
      script: scriptSummary(script),
      runs,
      ratios,
      ...(names.includes('baseline-recovery') ? { ratiosVsRecovery } : {}),
      targets: evaluateTargets(params, runs, ratios),
    };
    if (profileDir) {
      const p = profiles(profileDir, { bridge, bridgeExitedAt, baseline, baselineExitedAt });
      result.profile = p.summary;
      if (p.budget) result.budget = p.budget;
      const withRec = runs['baseline-recovery'];
      if (isRun(withRec) && recoveryExitedAt) {
        const r = profiles(
          profileDir,
          { bridge, bridgeExitedAt, baseline: withRec, baselineExitedAt: recoveryExitedAt },
          'baseline-recovery',
        );
        if (r.budget) result.budgetVsRecovery = r.budget;
      }
    }
    const clusterRun = runs.cluster;
    if (profileDir && clusterProfiled && bridge && bridgeExitedAt && isRun(clusterRun))
      result.clusterBudget = clusterBudget(profileDir, {
        cluster: clusterRun,
        clusterExitedAt: clusterProfiled.exitedAt,
        node: bridge,
        nodeExitedAt: bridgeExitedAt,
        ...(clusterProfiled.redis ? { redis: clusterProfiled.redis } : {}),
      });
    if (keepDir) result.logsDir = dir;
    result.durationSec = Math.round((Date.now() - started) / 1000);
    const json = JSON.stringify(result, null, 2);
    console.log(json);
    if (opts.jsonPath) writeFileSync(opts.jsonPath, `${json}\n`);
    if (opts.samplesPath && ctx.samples) writeFileSync(opts.samplesPath, JSON.stringify(ctx.samples));
    if (opts.docPath) {
      const notesFile = join(ROOT, 'bench/notes.md');
      const docFile = resolve(ROOT, opts.docPath);
      // The capacity section (written by --capacity runs) is kept as it is.
      const oldDoc = existsSync(docFile) ? readFileSync(docFile, 'utf8') : undefined;
      const kept = oldDoc ? extractSection(oldDoc) : undefined;
      const md = renderReport(result, existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : undefined);
      writeFileSync(docFile, keepTenantsSection(oldDoc, kept ? spliceSection(md, kept) : md));
      log(`wrote ${opts.docPath}`);
    }
    log(`done in ${result.durationSec} s`);
    return Object.values(runs).some((r) => r && 'skipped' in r && r.skipped.startsWith('failed')) ? 1 : 0;
  } finally {
    await sim.close();
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
