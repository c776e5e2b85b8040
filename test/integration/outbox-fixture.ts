// Shared pieces of the outbox fault tests: a receiver counting deliveries per key, and outbox child processes.
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface CountingReceiver {
  url: string;
  /** Answer for a key (default 200). */
  status: (key: string) => number;
  /** Accepted deliveries per key (2xx answers only). */
  accepted: Map<string, number>;
  byPid: Map<number, number>;
  /** Requests that arrived (any answer). */
  requests: number;
  close(): Promise<void>;
}

export async function countingReceiver(): Promise<CountingReceiver> {
  const r = { accepted: new Map(), byPid: new Map(), requests: 0, status: () => 200 } as unknown as CountingReceiver;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      r.requests++;
      let key = '';
      let pid = 0;
      try {
        ({ key, pid } = JSON.parse(body) as { key: string; pid: number });
      } catch {
        return void res.writeHead(400).end();
      }
      const status = r.status(key);
      if (status >= 200 && status < 300) {
        r.accepted.set(key, (r.accepted.get(key) ?? 0) + 1);
        r.byPid.set(pid, (r.byPid.get(pid) ?? 0) + 1);
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deliver`;
  r.close = () =>
    new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  return r;
}

export interface OutboxChild {
  proc: ChildProcess;
  lines: string[];
  kill(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./outbox-child.ts', import.meta.url));

export function outboxChild(args: string[]): OutboxChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
  return {
    proc,
    lines,
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
