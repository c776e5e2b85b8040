// `npm run bench -- --split-tenants 20` (issue 19): the bridge (node dist/main.js, a TENANTS file) serves one
// workload twice in one invocation: as one tenant, then split over N tenants (N simulated AntRing accounts, each with
// its division of the agents, supervisors and calls). Same script, same frames per second, same messages; the
// bridge's CPU in each window and their ratio (N ÷ 1) in the JSON (stdout) and the summary (stderr). See SPLIT_USAGE.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { type Simulator, startSimulator } from '../src/simulator/simulator.js';
import { BenchArgsError } from './args.js';
import { build, machine } from './host.js';
import { type MeasureContext, measure } from './measure.js';
import { BenchProcessError, hrNow, ROOT, startBridgeNode, waitFor } from './procs.js';
import { profiles } from './profiled.js';
import type { RunResult } from './results.js';
import { scriptSummary } from './script.js';
import { pairOrder, parseSplitArgs, SPLIT_USAGE, type SplitOptions, splitMix, splitRatio } from './split-args.js';
import { renderSplitSection, type SplitResult, spliceSplitSection } from './split-report.js';
import {
  type Account,
  divisionMissNumbers,
  divisionWorld,
  installDivisions,
  ONE_TENANT_ACCOUNT,
  splitAccountId,
  splitClients,
  splitScript,
  splitSink,
  tenantEntry,
} from './split-world.js';
import { round } from './stats.js';
import { HIT_NUMBERS } from './targets.js';
import { createWorld } from './world.js';

const log = (msg: string) => console.error(`[bench:split] ${msg}`);

/** One run: the bridge with these tenants, every tenant up, the script played; its result and exit time. */
async function runTenants(o: {
  name: string;
  accounts: readonly Account[];
  target: (division: number) => Account;
  ctx: MeasureContext;
  env: Record<string, string>;
  dir: string;
  profileDir?: string;
}): Promise<{ run: RunResult; exitedAt: number }> {
  const file = join(o.dir, `${o.name}.tenants.json`);
  writeFileSync(file, JSON.stringify(o.accounts.map(tenantEntry)), { mode: 0o600 });
  const node = await startBridgeNode(
    o.name,
    o.dir,
    { ...o.env, TENANTS_FILE: file, DATA_DIR: join(o.dir, `data-${o.name}`) },
    { profileDir: o.profileDir },
  );
  let run: RunResult;
  try {
    await waitFor(
      async () => {
        if (node.m.exited) throw new BenchProcessError(`${o.name} exited (log: ${node.m.logFile})`);
        const r = (await (await fetch(`${node.url}/readyz`)).json()) as { tenants?: { state: string }[] };
        return (r.tenants ?? []).filter((t) => t.state === 'up').length === o.accounts.length;
      },
      { what: `${o.name}: every tenant up (log: ${node.m.logFile})`, timeoutMs: 60_000, intervalMs: 200 },
    );
    const { sink, undelivered } = splitSink(o.ctx.script, o.target);
    run = await measure(
      {
        name: 'bridge',
        description: `node dist/main.js, ${o.accounts.length} tenant${o.accounts.length > 1 ? 's' : ''} (TENANTS_FILE)`,
        urls: [node.url],
        procs: [node.m],
        sink,
        undelivered,
      },
      o.ctx,
    );
  } finally {
    await node.m.stop();
  }
  return { run, exitedAt: hrNow() };
}

const profileOf = (p: ReturnType<typeof profiles>) => ({
  profile: p.summary,
  ...(p.budget ? { budget: p.budget } : {}),
});

const line = (label: string, r: RunResult) =>
  `${label}: ${r.clients.connected} clients, ${r.frames.perSec} frames/s, ${r.messages.inWindow} messages in ${r.windowSec} s, ` +
  `CPU ${r.cpu.seconds} s (${r.cpu.perThousandMessages} s per 1,000 messages), hit p99 ${r.latency.hit.p99} ms, ` +
  `pops ${r.latency.received}/${r.latency.expected}`;

export async function runSplitBench(argv: string[]): Promise<number> {
  let so: SplitOptions;
  try {
    so = parseSplitArgs(argv);
  } catch (err) {
    if (!(err instanceof BenchArgsError)) throw err;
    console.error(`${err.message}\n\n${SPLIT_USAGE}`);
    return 2;
  }
  if (so.bench.help) {
    console.log(SPLIT_USAGE);
    return 0;
  }
  const { bench: o, tenants: n } = so;
  const started = Date.now();
  const machineInfo = machine();
  if (o.build) build(log);
  const dir = mkdtempSync(join(os.tmpdir(), 'antring-bench-split-'));
  const sims: Simulator[] = [];
  let keepDir = o.profile;
  try {
    const sim = async (accountId: string): Promise<Account> => {
      const s = await startSimulator({ historySeedCount: 0, accountId });
      s.faults.crm.delayMs = o.crmDelayMs;
      sims.push(s);
      return { sim: s, accountId };
    };
    const one = await sim(ONE_TENANT_ACCOUNT);
    const split: Account[] = [];
    for (let d = 0; d < n; d++) split.push(await sim(splitAccountId(d)));
    const mix = splitMix(o, n);
    const missPer = divisionMissNumbers(o, n);
    const world = createWorld(one.sim.data, { agents: mix.agents, hitNumbers: HIT_NUMBERS, missNumbers: missPer * n });
    const divisions = Array.from({ length: n }, (_, d) => divisionWorld(world, d, n, missPer));
    installDivisions(
      one.sim,
      divisions.map((w, d) => ({ d, world: w })),
    );
    for (const [d, a] of split.entries()) installDivisions(a.sim, [{ d, world: divisions[d] }]);
    const script = splitScript(one.sim, divisions, o);
    const secret = randomBytes(32).toString('hex');
    const loadProcesses = Math.min(o.maxLoadProcesses, Math.ceil(o.clients / o.clientsPerLoad));
    const ctxOf = (admins: number, orgOf: (d: number) => string): MeasureContext => ({
      script,
      ...splitClients(divisions, mix, admins, orgOf, secret),
      log,
      loadProcesses,
    });
    const env = { JWT_SECRET: secret, CRM_BUDGET_MS: String(o.crmBudgetMs) };
    const profileDir = o.profile ? join(dir, 'profile') : undefined;
    log(
      `${mix.agents} agents and ${mix.supervisors} supervisors in ${n} divisions, ${o.rate} events/s ` +
        `(${round(script.callsPerSec, 1)} calls/s), ${o.durationSec} s measured; logs in ${dir}`,
    );
    const runOne = (i: number) =>
      runTenants({
        name: `tenants-1-${i}`,
        accounts: [one],
        target: () => one,
        ctx: ctxOf(mix.admins.one, () => one.accountId),
        env,
        dir,
        profileDir: profileDir && join(profileDir, i === 0 ? 'baseline' : `baseline-${i}`),
      });
    const runSplit = (i: number) =>
      runTenants({
        name: `tenants-${n}-${i}`,
        accounts: split,
        target: (d) => split[d],
        ctx: ctxOf(mix.admins.split, (d) => split[d].accountId),
        env,
        dir,
        profileDir: profileDir && join(profileDir, i === 0 ? 'bridge' : `bridge-${i}`),
      });
    const ones: Awaited<ReturnType<typeof runOne>>[] = [];
    const splits: Awaited<ReturnType<typeof runSplit>>[] = [];
    for (let i = 0; i < so.repeat; i++) {
      for (const which of pairOrder(i)) {
        log(
          `== ${which === 'one' ? '1 tenant' : `${n} tenants`}${so.repeat > 1 ? ` (pair ${i + 1} of ${so.repeat})` : ''}`,
        );
        if (which === 'one') {
          ones.push(await runOne(i));
          log(line('1 tenant', ones[i].run));
        } else {
          splits.push(await runSplit(i));
          log(line(`${n} tenants`, splits[i].run));
        }
      }
    }
    const r = splitRatio(
      ones.map((x) => x.run),
      splits.map((x) => x.run),
      n,
    );
    const pairs = ones.map((x, i) => splitRatio([x.run], [splits[i].run], n).cpuPerThousandMessages);
    log(
      `${n} tenants ÷ 1 tenant${so.repeat > 1 ? ` (sums of ${so.repeat} pairs; per pair ${pairs.join(', ')})` : ''}: ` +
        `CPU × ${r.cpuSeconds}, CPU per 1,000 messages × ${r.cpuPerThousandMessages} ` +
        `(target ≤ ${r.target}: ${r.met === null ? 'no figure' : r.met ? 'met' : 'missed'}); messages × ${r.messages}, ` +
        `frames/s × ${r.frames}; each tenant beyond the first adds ${r.extraCpuMsPerTenantPerSec} ms of CPU per second`,
    );
    const result: SplitResult = {
      tool: 'antring-bridge bench --split-tenants',
      startedAt: new Date(started).toISOString(),
      durationSec: 0,
      params: {
        tenants: n,
        clients: {
          one: mix.agents + mix.supervisors + mix.admins.one,
          split: mix.agents + mix.supervisors + mix.admins.split,
        },
        agents: mix.agents,
        supervisors: mix.supervisors,
        admins: mix.admins,
        rate: o.rate,
        durationSec: o.durationSec,
        warmupSec: o.warmupSec,
        crmDelayMs: o.crmDelayMs,
        crmBudgetMs: o.crmBudgetMs,
        missRatio: o.missRatio,
        seed: o.seed,
        hitNumbers: HIT_NUMBERS,
        profile: o.profile,
        repeat: so.repeat,
      },
      machine: machineInfo,
      script: scriptSummary(script),
      runs: { oneTenant: ones.map((x) => x.run), split: splits.map((x) => x.run) },
      ratio: r,
      pairs,
      // --profile: "bridge" is the split run, "baseline" the one-tenant run (bench/profiled.ts).
      ...(profileDir
        ? profileOf(
            profiles(profileDir, {
              bridge: splits[0].run,
              bridgeExitedAt: splits[0].exitedAt,
              baseline: ones[0].run,
              baselineExitedAt: ones[0].exitedAt,
            }),
          )
        : {}),
      ...(keepDir ? { logsDir: dir } : {}),
    };
    result.durationSec = Math.round((Date.now() - started) / 1000);
    const json = JSON.stringify(result, null, 2);
    console.log(json);
    if (o.jsonPath) writeFileSync(o.jsonPath, `${json}\n`);
    if (o.docPath) {
      const docFile = resolve(ROOT, o.docPath);
      const old = existsSync(docFile) ? readFileSync(docFile, 'utf8') : '# Performance\n';
      writeFileSync(docFile, spliceSplitSection(old, renderSplitSection(result)));
      log(`wrote the split-tenants section of ${o.docPath}`);
    }
    log(`done in ${result.durationSec} s`);
    return 0;
  } catch (err) {
    keepDir = true;
    log(`failed (logs in ${dir}): ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  } finally {
    await Promise.all(sims.map((s) => s.close()));
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
}
