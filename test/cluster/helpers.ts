// Cluster test helpers: a private redis-server on a free port (or REDIS_URL), bridge child processes
// (`node --import tsx src/main.ts`) whose pino JSON lines are parsed, and teardown that kills everything.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { waitFor } from '../helpers/wait.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REDIS_BIN =
  process.env.REDIS_SERVER_BIN ??
  [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin', '/usr/local/bin']
    .map((d) => join(d, 'redis-server'))
    .find((f) => existsSync(f)) ??
  'redis-server';

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

export interface TestRedis {
  url: string;
  /** False when REDIS_URL points at a server this test does not own (no restart then). */
  owned: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** undefined = no Redis here (a loud skip; under CI=true this throws). */
export async function startRedis(): Promise<TestRedis | undefined> {
  if (process.env.REDIS_URL) {
    return { url: process.env.REDIS_URL, owned: false, stop: async () => undefined, start: async () => undefined };
  }
  if (!existsSync(REDIS_BIN)) {
    const msg = `redis-server not found at ${REDIS_BIN} and REDIS_URL unset: the cluster tests cannot run`;
    if (process.env.CI === 'true') throw new Error(msg);
    console.error(`\n!!!!!!!! ${msg} — SKIPPED !!!!!!!!\n`);
    return undefined;
  }
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const r: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    owned: true,
    async start() {
      const p = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      proc = p;
      await waitFor(
        () =>
          new Promise<boolean>((resolve) => {
            const s = net.connect(port, '127.0.0.1', () => {
              s.end();
              resolve(true);
            });
            s.once('error', () => resolve(false));
          }),
        { what: 'redis-server to listen', timeoutMs: 10_000, intervalMs: 50 },
      );
    },
    async stop() {
      const p = proc;
      proc = undefined;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((resolve) => p.once('exit', resolve));
      p.kill('SIGKILL');
      await exited;
    },
  };
  await r.start();
  return r;
}

/** Waits until no client but this probe is connected to the Redis at `url` (e.g. the Socket.IO adapters' stream
 *  readers, which leave after their last blocking read): a Redis killed under them would leave them reconnecting, and
 *  the test process alive, for a minute. */
export async function untilRedisIdle(url: string): Promise<void> {
  const probe = new Redis(url);
  try {
    await waitFor(
      async () =>
        String(await probe.client('LIST'))
          .trim()
          .split('\n').length === 1,
      {
        what: "Redis's other clients to leave",
      },
    );
  } finally {
    probe.disconnect();
  }
}

export interface LogLine {
  msg?: string;
  level?: number;
  [k: string]: unknown;
}

export interface BridgeProc {
  name: string;
  proc: ChildProcess;
  url: string;
  port: number;
  node: string;
  lines: LogLine[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
  holdsUpstream(): boolean;
  kill(signal: NodeJS.Signals): void;
}

export async function startBridge(name: string, env: Record<string, string>): Promise<BridgeProc> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let buf = '';
  let errBuf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  proc.stderr!.on('data', (d: Buffer) => {
    errBuf += d.toString();
    if (errBuf.length > 20_000) errBuf = errBuf.slice(-10_000);
  });
  const b: BridgeProc = {
    name,
    proc,
    url: '',
    port: 0,
    node: '',
    lines,
    exited: false,
    exit: new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        b.exited = true;
        resolve({ code, signal });
      }),
    ),
    holdsUpstream() {
      let holds = false;
      for (const l of lines) {
        if (l.msg === 'upstream lease acquired') holds = true;
        if (l.msg === 'upstream lease lost') holds = false;
      }
      return holds;
    },
    kill(signal) {
      if (!b.exited) proc.kill(signal);
    },
  };
  const listening = await waitFor(
    () => {
      if (b.exited) throw new Error(`${name} exited early: ${errBuf.slice(-2000)}`);
      return lines.find((l) => l.msg === 'bridge listening');
    },
    { what: `${name} to listen`, timeoutMs: 30_000, intervalMs: 50 },
  ).catch((err: unknown) => {
    proc.kill('SIGKILL');
    throw err;
  });
  b.port = Number(listening.port);
  b.node = String(listening.node ?? '');
  b.url = `http://127.0.0.1:${b.port}`;
  return b;
}

export async function killAll(procs: BridgeProc[]): Promise<void> {
  for (const p of procs) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exit));
}

export async function readyz(url: string): Promise<number | 'refused'> {
  try {
    const r = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 'refused';
  }
}

/** Bounded concurrency over n jobs. */
export async function pool(n: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      while (next < n) await job(next++);
    }),
  );
}
