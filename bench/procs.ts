// The processes of a benchmark run, measured from the outside: CPU from /proc/<pid>/stat, RSS from
// /proc/<pid>/status, heap from the probe preload (bench/probe.mjs, SIGUSR2 → full GC → memoryUsage to a file).
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { FromLoad, LoadResult, ToLoad } from './load.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PROBE = fileURLToPath(new URL('./probe.mjs', import.meta.url));
const CLK_TCK = 100;

export class BenchProcessError extends Error {
  override readonly name = 'BenchProcessError';
}

/** Unix ms with sub-millisecond precision; the clock of every bench process. */
export const hrNow = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// One waitFor for tests and the bench (test/helpers/wait.ts): a condition polled until a deadline.
import { waitFor } from '../test/helpers/wait.js';

export { waitFor };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) of a live process. */
export function cpuSeconds(pid: number, statFile = `/proc/${pid}/stat`): number {
  const stat = readFileSync(statFile, 'utf8');
  // Fields after the command (which may contain spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** CPU seconds of a process's main thread only (/proc/<pid>/task/<pid>/stat): the thread a V8 CPU profile samples. */
export function mainThreadCpuSeconds(pid: number): number {
  try {
    return cpuSeconds(pid, `/proc/${pid}/task/${pid}/stat`);
  } catch {
    return 0;
  }
}

/** CPU seconds the whole machine spent busy (all cores, every process), from /proc/stat. */
export function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0)) / CLK_TCK;
}

/** Resident set (and its peak) of a live process, in bytes. */
export function rss(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface Measured {
  name: string;
  proc: ChildProcess;
  pid: number;
  logFile: string;
  exited: boolean;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** After a full GC, from inside (probe) and outside (/proc). */
  memory(): Promise<MemorySample>;
  /** Peak resident set so far (bytes). */
  peakRss(): number;
  cpu(): number;
  /** CPU seconds of the main thread (what a CPU profile samples). */
  mainCpu(): number;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

interface SpawnOpts {
  name: string;
  args: string[];
  env: Record<string, string>;
  dir: string;
  /** Resolves with the value once the process said it is ready (stdout lines). */
  ready: (line: string) => unknown;
  readyTimeoutMs?: number;
}

export async function spawnMeasured<T>(o: SpawnOpts): Promise<{ m: Measured; ready: T }> {
  const logFile = join(o.dir, `${o.name}.log`);
  const probeFile = join(o.dir, `${o.name}.mem.json`);
  const log = createWriteStream(logFile);
  const proc = spawn(process.execPath, ['--expose-gc', '--import', PROBE, ...o.args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...o.env, BENCH_PROBE_FILE: probeFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let readyValue: unknown;
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    log.write(d);
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (readyValue === undefined) readyValue = o.ready(line) ?? undefined;
    }
  });
  proc.stderr!.on('data', (d: Buffer) => {
    log.write(d);
    tail = (tail + d.toString()).slice(-4000);
  });
  const m: Measured = {
    name: o.name,
    proc,
    pid: proc.pid ?? -1,
    logFile,
    exited: false,
    exit: new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        m.exited = true;
        log.end();
        resolve({ code, signal });
      }),
    ),
    async memory() {
      rmSync(probeFile, { force: true });
      proc.kill('SIGUSR2');
      const inside = await waitFor(
        () => {
          if (!existsSync(probeFile)) return undefined;
          try {
            return JSON.parse(readFileSync(probeFile, 'utf8')) as MemorySample;
          } catch {
            return undefined; // being written
          }
        },
        { what: `${o.name}'s memory probe`, timeoutMs: 10_000, intervalMs: 20 },
      );
      return { ...inside, rss: rss(m.pid).rss };
    },
    cpu: () => cpuSeconds(m.pid),
    mainCpu: () => mainThreadCpuSeconds(m.pid),
    peakRss: () => rss(m.pid).peak,
    async stop(graceMs = 15_000) {
      if (m.exited) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await m.exit;
      clearTimeout(t);
    },
  };
  try {
    const ready = await waitFor(
      () => {
        if (m.exited)
          throw new BenchProcessError(
            `${o.name} exited before it was ready: ${tail.slice(-1500) || '(no stderr)'} (log: ${logFile})`,
          );
        return readyValue as T | undefined;
      },
      { what: `${o.name} to be ready (log: ${logFile})`, timeoutMs: o.readyTimeoutMs ?? 30_000, intervalMs: 20 },
    );
    return { m, ready };
  } catch (err) {
    proc.kill('SIGKILL');
    await m.exit;
    throw err;
  }
}

const jsonLine = (line: string): Record<string, unknown> | undefined => {
  try {
    const v = JSON.parse(line) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

export interface BridgeNode {
  m: Measured;
  url: string;
}

/** `node dist/main.js` (optionally under --cpu-prof), ready when it logs `bridge listening` and /readyz answers 200. */
export async function startBridgeNode(
  name: string,
  dir: string,
  env: Record<string, string>,
  o: { profileDir?: string } = {},
): Promise<BridgeNode> {
  // BENCH_BRIDGE_NODE_ARGS: extra node flags for the bridge processes (e.g. --trace-gc), for investigations.
  const extra = (process.env.BENCH_BRIDGE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const args = [...extra, ...(o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : []), 'dist/main.js'];
  const { m, ready } = await spawnMeasured<number>({
    name,
    dir,
    args,
    env: { NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_DRAIN_MS: '0', ...env },
    ready: (line) => {
      const j = jsonLine(line);
      return j?.msg === 'bridge listening' ? Number(j.port) : undefined;
    },
  });
  const url = `http://127.0.0.1:${ready}`;
  try {
    await waitFor(
      async () => {
        if (m.exited) throw new BenchProcessError(`${name} exited (log: ${m.logFile})`);
        const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        await r?.arrayBuffer();
        return r?.status === 200;
      },
      { what: `${name} /readyz (log: ${m.logFile})`, timeoutMs: 30_000, intervalMs: 100 },
    );
  } catch (err) {
    await m.stop(1000);
    throw err;
  }
  return { m, url };
}

export interface BaselineNode {
  m: Measured;
  url: string;
  feed: net.Socket;
}

export async function startBaseline(
  dir: string,
  env: Record<string, string>,
  name: 'baseline' | 'baseline-recovery' = 'baseline',
  o: { profileDir?: string } = {},
): Promise<BaselineNode> {
  const prof = o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : [];
  const { m, ready } = await spawnMeasured<{ port: number; feedPort: number }>({
    name,
    dir,
    args: [...prof, '--import', 'tsx', 'bench/baseline-server.ts'],
    env: { NODE_ENV: 'production', ...env },
    ready: (line) => {
      const j = jsonLine(line);
      return j?.ready ? { port: Number(j.port), feedPort: Number(j.feedPort) } : undefined;
    },
  });
  const feed = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(ready.feedPort, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  feed.setNoDelay(true);
  return { m, url: `http://127.0.0.1:${ready.port}`, feed };
}

export interface RedisProc {
  url: string;
  pid: number;
  cpu(): number;
  stop(): Promise<void>;
}

/** A private redis-server (no persistence) on a free port; undefined when there is no redis-server binary. */
export async function startRedis(): Promise<RedisProc | undefined> {
  const bin =
    process.env.REDIS_SERVER_BIN ??
    [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin', '/usr/local/bin']
      .map((d) => join(d, 'redis-server'))
      .find((f) => existsSync(f));
  if (!bin) return undefined;
  const port = await freePort();
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exit = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.end();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    { what: 'redis-server to listen', timeoutMs: 10_000 },
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: proc.pid ?? -1,
    cpu: () => cpuSeconds(proc.pid ?? -1),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exit;
    },
  };
}

export interface LoadProc {
  pid: number;
  connect(m: Omit<Extract<ToLoad, { type: 'connect' }>, 'type'>): Promise<Extract<FromLoad, { type: 'connected' }>>;
  mark(): Promise<number>;
  collect(): Promise<LoadResult>;
  close(): Promise<void>;
}

export function forkLoad(): LoadProc {
  const child = fork(join(ROOT, 'bench/load.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const request = <K extends FromLoad['type']>(
    msg: ToLoad,
    reply: K,
    timeoutMs: number,
  ): Promise<Extract<FromLoad, { type: K }>> =>
    new Promise((resolve, reject) => {
      const onMsg = (m: FromLoad) => {
        if (m.type !== reply) return;
        cleanup();
        resolve(m as Extract<FromLoad, { type: K }>);
      };
      const onExit = () => {
        cleanup();
        reject(new BenchProcessError(`the load process exited while waiting for '${reply}'`));
      };
      const t = setTimeout(() => {
        cleanup();
        reject(new BenchProcessError(`the load process did not answer '${msg.type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(t);
        child.off('message', onMsg);
        child.off('exit', onExit);
      };
      child.on('message', onMsg);
      child.once('exit', onExit);
      child.send(msg);
    });
  return {
    pid: child.pid ?? -1,
    connect: (m) => request({ type: 'connect', ...m }, 'connected', 180_000),
    mark: async () => (await request({ type: 'mark' }, 'marked', 10_000)).at,
    collect: () => request({ type: 'collect' }, 'result', 30_000),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        await request({ type: 'close' }, 'closed', 10_000).catch(() => child.kill('SIGKILL'));
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
