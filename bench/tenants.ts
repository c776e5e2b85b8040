// `npm run bench -- --tenants 200` (contract §8.6): one bridge (this process) with N tenants from a tenants file
// against the simulator (its own process, bench/tenants-sim.ts; every tenant uses its credentials under its own
// account id, one of them the simulator's account, which gets the traffic). Measures:
//   startMs      bridge.start() with N tenants (token + directory + outbox of each, at most 16 at once)
//   allUpMs      until /readyz lists every tenant `up` (every signal subscription live)
//   heapPerTenantKB  (V8 heap with N tenants up − before the bridge) / N, after GC (afterReloadToOne: what is left
//                    once a reload removed all but the busy one)
//   idleCpuPct   CPU of this process over `--idle-ms` with no traffic (percent of one core)
//   ringToPopP99Ms  ring→emit (ringing) p99 of the busy tenant, from its org-labelled histogram: with N−1 idle
//                   tenants beside it, then alone
// JSON on stdout, progress on stderr. Options: --tenants N (default 200), --calls N (default 200), --idle-ms N,
// --poll-ms N (DASHBOARD_POLL_MS, default 5000).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createBridge } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { LATENCY_BUCKETS, METRICS_PREFIX } from '../src/http/metrics.js';
import { createLogger } from '../src/log.js';
import { ROOT } from './procs.js';
import { tenantsFileEntry } from './split-world.js';

const log = (msg: string) => console.error(`[bench:tenants] ${msg}`);
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface SimInfo {
  credentials: {
    appId: string;
    appSecret: string;
    accountId: string;
    domain: string;
    email: string;
    crmApiKey: string;
  };
  apiUrl: string;
  signalUrl: string;
  crmUrl: string;
}

function arg(name: string, dflt: number, argv: string[]): number {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} takes a positive number`);
  return v;
}

async function startSim(): Promise<{ child: ChildProcess; info: SimInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/tenants-sim.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const info = await new Promise<SimInfo>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as SimInfo);
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code})`)));
  });
  return { child, info };
}

const heapMB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 ** 2;
};
const until = async (what: string, ok: () => Promise<boolean>, timeoutMs = 120_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Cumulative bucket counts of the busy tenant's ring→emit (ringing) histogram. */
function buckets(text: string, org: string): number[] {
  const counts = LATENCY_BUCKETS.map(() => 0);
  const re = new RegExp(`^${METRICS_PREFIX}ring_to_emit_seconds_bucket\\{([^}]*)\\} (\\d+)`, 'gm');
  for (const m of text.matchAll(re)) {
    const l = m[1]!;
    if (!l.includes(`org="${org}"`) || !l.includes('state="ringing"')) continue;
    const le = /le="([^"]+)"/.exec(l)?.[1];
    const i = LATENCY_BUCKETS.findIndex((b) => String(b) === le);
    if (i >= 0) counts[i] = Number(m[2]);
  }
  return counts;
}

/** p99 as the upper bound of the bucket holding it (ms), from cumulative counts (after − before). */
function p99(after: number[], before: number[]): { p99Ms: number | null; n: number } {
  const c = after.map((v, i) => v - (before[i] ?? 0));
  const n = c[c.length - 1] ?? 0;
  const i = c.findIndex((v) => v >= 0.99 * n);
  return { p99Ms: n === 0 || i < 0 ? null : (LATENCY_BUCKETS[i] as number) * 1000, n };
}

export async function runTenantsBench(argv: string[]): Promise<number> {
  const n = arg('tenants', 200, argv);
  const calls = arg('calls', 200, argv);
  const idleMs = arg('idle-ms', 10_000, argv);
  const pollMs = arg('poll-ms', 5000, argv);
  const dir = mkdtempSync(join(os.tmpdir(), 'antring-bench-tenants-'));
  const { child, info } = await startSim();
  const c = info.credentials;
  const busy = c.accountId.toLowerCase();
  const entry = (accountId: string) => tenantsFileEntry(accountId, info);
  const ids = [busy, ...Array.from({ length: n - 1 }, (_, i) => `be${(i + 1).toString(16).padStart(30, '0')}`)];
  const file = join(dir, 'tenants.json');
  const write = (list: string[]) => writeFileSync(file, JSON.stringify(list.map(entry)), { mode: 0o600 });
  write(ids);
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    TENANTS_FILE: file,
    JWT_SECRET: 'bench-tenants-secret-0123456789abcdef0123456789',
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'warn',
    DASHBOARD_POLL_MS: String(pollMs),
  });
  const traffic = (k: number) =>
    new Promise<void>((resolve) => {
      const on = (m: { done?: number }) => {
        if (m.done === undefined) return;
        child.off('message', on);
        resolve();
      };
      child.on('message', on);
      child.send({ traffic: k, concurrency: 4 });
    });
  const heap0 = heapMB();
  // Errors only (stderr would be better, but the bridge logs to stdout: keep the JSON result readable).
  const bridge = createBridge(config, { logger: createLogger('error') });
  try {
    log(`starting ${n} tenants`);
    const t0 = performance.now();
    const { url } = await bridge.start();
    const startMs = performance.now() - t0;
    const states = async () =>
      ((await (await fetch(`${url}/readyz`)).json()) as { tenants?: { state: string }[] }).tenants ?? [];
    await until('every tenant up', async () => (await states()).filter((s) => s.state === 'up').length === n);
    const allUpMs = performance.now() - t0;
    log(`started in ${Math.round(startMs)} ms, all up in ${Math.round(allUpMs)} ms`);
    await new Promise((r) => setTimeout(r, 2000));
    const heapN = heapMB();
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, idleMs));
    const cpu = process.cpuUsage(cpu0);
    const idleCpuPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - w0)) * 100;
    log(`idle CPU ${idleCpuPct.toFixed(2)} %; ${calls} calls of the busy tenant`);
    const metrics = async () => (await fetch(`${url}/metrics`)).text();
    const b0 = buckets(await metrics(), busy);
    await traffic(calls);
    const b1 = buckets(await metrics(), busy);
    const withIdle = p99(b1, b0);
    log('reload: the busy tenant alone');
    write([busy]);
    await bridge.reload();
    await new Promise((r) => setTimeout(r, 3000));
    const heap1 = heapMB();
    await traffic(calls);
    const alone = p99(buckets(await metrics(), busy), b1);
    const out = {
      tenants: n,
      startMs: Math.round(startMs),
      allUpMs: Math.round(allUpMs),
      startConcurrency: 16,
      heapMB: { before: round(heap0), withAll: round(heapN), afterReloadToOne: round(heap1) },
      heapPerTenantKB: Math.round(((heapN - heap0) * 1024) / n),
      idleCpuPct: round(idleCpuPct),
      idleMs,
      dashboardPollMs: pollMs,
      ringToPopP99Ms: { withIdleTenants: withIdle.p99Ms, alone: alone.p99Ms, calls: [withIdle.n, alone.n] },
      machine: { cpus: os.cpus().length, node: process.versions.node, loadAvg: round(os.loadavg()[0] ?? 0) },
    };
    console.log(JSON.stringify(out, null, 2));
    return 0;
  } finally {
    await bridge.stop();
    child.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  runTenantsBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
