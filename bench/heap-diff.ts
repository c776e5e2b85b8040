// What one connected client costs in V8 heap, by kind of object, in the bridge and in the bare Socket.IO baseline
// (issue 19: heap per client). Each server runs in its own process with bench/heap-snapshot.mjs preloaded: a heap
// snapshot idle, then N clients connect (a load process, one JWT each, as the bench), a second snapshot; the two are
// compared (bench/heap-snapshot-diff.ts). The bridge runs from src/ (tsx), so an edit is measured without a build.
//
//   node --max-old-space-size=4096 --import tsx bench/heap-diff.ts [--clients 1000] [--runs baseline-recovery,bridge]
//        [--top 25] [--keep]
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/simulator/simulator.js';
import {
  formatRows,
  type KindRow,
  minus,
  netByKind,
  newByRetainer,
  readSnapshot,
  type Snapshot,
  totalBytes,
} from './heap-snapshot-diff.js';
import { forkLoad, type Measured, sleep, spawnMeasured, waitFor } from './procs.js';
import { BRIDGE_RECOVERY_MS, bridgeEnv, HIT_NUMBERS, missNumbersFor, runLoad, type Setup } from './targets.js';
import { createWorld, installWorld } from './world.js';

const SNAP = fileURLToPath(new URL('./heap-snapshot.mjs', import.meta.url));
const log = (msg: string) => console.error(`[heap-diff] ${msg}`);
type Target = 'baseline' | 'baseline-recovery' | 'bridge';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    runs: { type: 'string', default: 'baseline-recovery,bridge' },
    top: { type: 'string', default: '25' },
    depth: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    /** Re-read the snapshots a --keep run left in this directory (no servers, no clients). */
    from: { type: 'string' },
  },
});
const depth = Number(values.depth);
const clients = Number(values.clients);
const top = Number(values.top);
const runs = values.runs.split(',') as Target[];

async function start(t: Target, s: Setup, snapDir: string): Promise<{ m: Measured; url: string }> {
  const env = { NODE_ENV: 'production', HEAP_SNAPSHOT_DIR: snapDir };
  if (t === 'bridge') {
    const { m, ready } = await spawnMeasured<number>({
      name: t,
      dir: s.dir,
      args: ['--import', SNAP, '--import', 'tsx', 'src/main.ts'],
      env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_DRAIN_MS: '0', ...bridgeEnv(s) },
      ready: (line) => (line.includes('"bridge listening"') ? Number(JSON.parse(line).port) : undefined),
    });
    const url = `http://127.0.0.1:${ready}`;
    await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, {
      what: 'bridge /readyz',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    return { m, url };
  }
  const { m, ready } = await spawnMeasured<number>({
    name: t,
    dir: s.dir,
    args: ['--import', SNAP, '--import', 'tsx', 'bench/baseline-server.ts'],
    env: {
      ...env,
      JWT_SECRET: s.secret,
      BENCH_ORG: s.sim.credentials.accountId,
      BASELINE_RECOVERY_MS: String(t === 'baseline' ? 0 : BRIDGE_RECOVERY_MS),
    },
    ready: (line) => (line.includes('"ready":true') ? Number(JSON.parse(line).port) : undefined),
  });
  return { m, url: `http://127.0.0.1:${ready}` };
}

async function snapshot(m: Measured, snapDir: string, n: number): Promise<Snapshot> {
  m.proc.kill('SIGTTIN');
  await waitFor(() => existsSync(join(snapDir, `${n}.done`)), {
    what: `${m.name}'s heap snapshot ${n}`,
    timeoutMs: 120_000,
    intervalMs: 100,
  });
  return readSnapshot(join(snapDir, `${n}.heapsnapshot`), depth);
}

async function inspect(t: Target, s: Setup, tokens: readonly string[]): Promise<Report> {
  const snapDir = join(s.dir, t);
  mkdirSync(snapDir);
  const { m, url } = await start(t, s, snapDir);
  const load = forkLoad();
  try {
    await sleep(2000);
    const before = await snapshot(m, snapDir, 1);
    const c = await load.connect({
      urls: [url],
      clients: tokens.map((token) => ({ u: 0, token })),
      concurrency: 50,
      timeoutMs: 20_000,
    });
    log(`${t}: ${c.connected}/${tokens.length} connected${c.failed ? ` (${c.errors.join('; ')})` : ''}`);
    await sleep(1500);
    const after = await snapshot(m, snapDir, 2);
    writeFileSync(join(snapDir, 'clients'), String(c.connected));
    return report(t, before, after, Math.max(1, c.connected));
  } finally {
    await load.close();
    await m.stop();
  }
}

interface Report {
  net: KindRow[];
  fresh: KindRow[];
}

function report(t: Target, before: Snapshot, after: Snapshot, n: number): Report {
  const total = (totalBytes(after) - totalBytes(before)) / n;
  const r = { net: netByKind(before, after, n), fresh: newByRetainer(before, after, n) };
  console.log(`\n== ${t}: ${n} clients, heap (snapshot self sizes) +${(total / 1024).toFixed(2)} KB per client`);
  console.log('-- net growth per kind (bytes, objects per client)');
  console.log(formatRows(r.net, top));
  console.log('-- new objects by kind <- retainers (bytes, objects per client)');
  console.log(formatRows(r.fresh, top));
  return r;
}

function compare(reports: Map<Target, Report>): void {
  const bridge = reports.get('bridge');
  const base = reports.get('baseline-recovery') ?? reports.get('baseline');
  if (!bridge || !base) return;
  console.log('\n== bridge − baseline per client: net per kind');
  console.log(formatRows(minus(bridge.net, base.net), top));
  console.log('== bridge − baseline per client: new objects by kind <- retainers');
  console.log(formatRows(minus(bridge.fresh, base.fresh), top));
}

async function fromDir(dir: string): Promise<void> {
  const reports = new Map<Target, Report>();
  for (const t of runs) {
    const d = join(dir, t);
    const n = Number(readFileSync(join(d, 'clients'), 'utf8'));
    reports.set(
      t,
      report(t, readSnapshot(join(d, '1.heapsnapshot'), depth), readSnapshot(join(d, '2.heapsnapshot'), depth), n),
    );
  }
  compare(reports);
}

async function main(): Promise<void> {
  if (values.from) return fromDir(values.from);
  const dir = mkdtempSync(join(os.tmpdir(), 'antring-heap-'));
  const sim = await startSimulator({ historySeedCount: 0 });
  try {
    const opts = {
      clients,
      supervisorShare: 0.05,
      rate: 100,
      durationSec: 10,
      warmupSec: 3,
      missRatio: 0.1,
      seed: 1,
      crmBudgetMs: 150,
      writeback: false,
    };
    const world = createWorld(sim.data, {
      agents: clients,
      hitNumbers: HIT_NUMBERS,
      missNumbers: missNumbersFor(opts),
    });
    installWorld(sim, world);
    const secret = randomBytes(32).toString('hex');
    const { script, plan, tokens } = runLoad(sim, world, secret, opts);
    const s: Setup = {
      opts,
      sim,
      world,
      script,
      ctx: { script, plan, tokens, log },
      secret,
      dir,
      log,
    };
    const reports = new Map<Target, Report>();
    for (const t of runs) reports.set(t, await inspect(t, s, tokens));
    compare(reports);
  } finally {
    await sim.close();
    if (values.keep) log(`snapshots kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[heap-diff] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
