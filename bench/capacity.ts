// `npm run bench -- --capacity`: for each load step (clients × call events/s), each target of --runs in turn
// (started afresh, the same script for all), measured with the clients spread over load processes; a target stops
// stepping once a counted step misses (p99 over the limit or a pop lost). JSON on stdout, the capacity section of
// --doc and the SVG chart (--svg) written. The pure parts are in capacity-results.ts, -svg.ts and -report.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Simulator } from '../src/simulator/simulator.js';
import type { BenchOptions, RunName } from './args.js';
import { renderCapacitySection, spliceSection } from './capacity-report.js';
import {
  type CapacityResult,
  type CapacityRun,
  compareSteps,
  findKnee,
  isMeasured,
  label,
  planLoadProcesses,
  retryProcesses,
  SATURATION,
  type StepOutcome,
  stopReason,
  toStep,
} from './capacity-results.js';
import { renderCapacitySvg } from './capacity-svg.js';
import { ROOT } from './procs.js';
import type { MachineInfo, RunResult, SkippedRun } from './results.js';
import { runBaseline, runBaselineRecovery, runBridge, runCluster, runLoad, type Setup } from './targets.js';
import type { BenchWorld } from './world.js';

export interface CapacityEnv {
  opts: BenchOptions;
  sim: Simulator;
  /** Big enough for the largest step (agents and miss numbers). */
  world: BenchWorld;
  secret: string;
  dir: string;
  log: (msg: string) => void;
  machine: MachineInfo;
  started: number;
  hitNumbers: number;
}

/** At most this many attempts per step (the first, then one with more load processes). */
const MAX_ATTEMPTS = 2;

async function measureTarget(name: RunName, s: Setup): Promise<RunResult | SkippedRun> {
  if (name === 'bridge') return (await runBridge(s)).run;
  if (name === 'baseline-recovery') return runBaselineRecovery(s);
  return name === 'baseline' ? runBaseline(s) : runCluster(s);
}

export async function runCapacity(e: CapacityEnv): Promise<number> {
  const { opts, sim, world, secret, dir, log } = e;
  if (opts.profile) log('--profile is not used in capacity mode (run the normal bench with --profile)');
  log(
    `capacity: steps ${opts.steps.map(label).join(', ')}; runs ${opts.runs.join(', ')}; ${opts.durationSec} s measured per step; logs in ${dir}`,
  );
  const runs: CapacityResult['runs'] = {};
  const active = new Set<RunName>(opts.runs);
  const previous = new Map<RunName, { step: { clients: number; rate: number }; generatorCores: number }>();
  for (const step of opts.steps) {
    if (!active.size) break;
    const load = runLoad(sim, world, secret, { ...opts, clients: step.clients, rate: step.rate });
    for (const name of opts.runs) {
      if (!active.has(name)) continue;
      const rec: CapacityRun = runs[name] ?? { name, steps: [], knee: findKnee([]), stopped: '' };
      runs[name] = rec;
      let k = planLoadProcesses(step, {
        clientsPerLoad: opts.clientsPerLoad,
        maxProcesses: opts.maxLoadProcesses,
        previous: previous.get(name),
      });
      let outcome: StepOutcome | undefined;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        log(
          `== ${name} at ${label(step)}: ${k} load process${k > 1 ? 'es' : ''}${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
        );
        const s: Setup = {
          opts,
          sim,
          world,
          secret,
          dir,
          log,
          script: load.script,
          ctx: { script: load.script, plan: load.plan, tokens: load.tokens, log, loadProcesses: k },
        };
        try {
          const run = await measureTarget(name, s);
          if ('skipped' in run) {
            outcome = { ...step, error: run.skipped };
            break;
          }
          const judged = toStep(step, run, { kneeP99Ms: opts.kneeP99Ms, attempts: attempt });
          outcome = judged;
          previous.set(name, { step, generatorCores: judged.generator.cores });
          const more = attempt < MAX_ATTEMPTS ? retryProcesses(judged, k, opts.maxLoadProcesses) : null;
          if (more === null) break;
          log(
            `${name} at ${label(step)}: generator saturated (${judged.saturated.join('; ')}); again with ${more} load processes`,
          );
          k = more;
        } catch (err) {
          outcome = { ...step, error: err instanceof Error ? err.message : String(err) };
          break;
        }
      }
      const o = outcome ?? { ...step, error: 'not measured' };
      rec.steps.push(o);
      rec.knee = findKnee(rec.steps);
      if (isMeasured(o)) {
        log(
          `${name} at ${label(step)}: p99 ${o.p99Ms} ms, pops ${o.pops.received}/${o.pops.expected}, ${o.messagesPerSec} msg/s, ` +
            `${o.cpu.perThousandMessages} CPU s/1k msg; generator max ${Math.round(o.generator.cpuShareMax * 100)} % of a core, loop p99 ${o.generator.loopDelayP99MaxMs} ms` +
            ` → ${!o.counted ? 'NOT COUNTED (generator saturated)' : o.met ? 'met' : `missed (${o.missed.join('; ')})`}`,
        );
      } else log(`${name} at ${label(step)}: not measured: ${o.error}`);
      const stop = stopReason(rec.steps);
      if (stop) {
        rec.stopped = stop;
        active.delete(name);
        log(`${name}: stops stepping: ${stop}`);
      }
    }
  }
  for (const name of active) {
    const r = runs[name];
    if (r) r.stopped = 'every step was run';
  }

  const result: CapacityResult = {
    tool: 'antring-bridge bench',
    mode: 'capacity',
    startedAt: new Date(e.started).toISOString(),
    durationSec: 0,
    params: {
      steps: opts.steps,
      runs: opts.runs,
      durationSec: opts.durationSec,
      warmupSec: opts.warmupSec,
      supervisorShare: opts.supervisorShare,
      crmDelayMs: opts.crmDelayMs,
      crmBudgetMs: opts.crmBudgetMs,
      missRatio: opts.missRatio,
      seed: opts.seed,
      hitNumbers: e.hitNumbers,
      kneeP99Ms: opts.kneeP99Ms,
      saturation: SATURATION,
      clientsPerLoad: opts.clientsPerLoad,
      maxLoadProcesses: opts.maxLoadProcesses,
    },
    machine: e.machine,
    runs,
    comparison: compareSteps(opts.steps, runs),
  };
  // A step that could not be measured fails the run, except a cluster without redis-server (said in the JSON).
  const failed = Object.values(runs).some((r) =>
    r?.steps.some((s) => !isMeasured(s) && !/redis-server not found/.test(s.error)),
  );
  if (failed) result.logsDir = dir;
  result.durationSec = Math.round((Date.now() - e.started) / 1000);
  const svgFile = opts.svgPath ? resolve(ROOT, opts.svgPath) : null;
  if (svgFile) result.svgPath = opts.svgPath ?? undefined;
  const json = JSON.stringify(result, null, 2);
  console.log(json);
  if (opts.jsonPath) writeFileSync(opts.jsonPath, `${json}\n`);
  if (svgFile) {
    mkdirSync(dirname(svgFile), { recursive: true });
    writeFileSync(svgFile, renderCapacitySvg(result));
    log(`wrote ${opts.svgPath}`);
  }
  if (opts.docPath) {
    const docFile = resolve(ROOT, opts.docPath);
    const href = svgFile ? relative(dirname(docFile), svgFile).split('\\').join('/') : null;
    const doc = existsSync(docFile) ? readFileSync(docFile, 'utf8') : '# Performance\n';
    writeFileSync(docFile, spliceSection(doc, renderCapacitySection(result, href)));
    log(`wrote the capacity section of ${opts.docPath}`);
  }
  log(`done in ${result.durationSec} s`);
  return failed ? 1 : 0;
}
