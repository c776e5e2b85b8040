// SIGTERM/SIGINT against the real process (src/main.ts): handled in every state (AntRing unreachable at start and
// the token keeper retrying; running), drain → exit 0; requests in flight at SIGTERM get their answers (no reset).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const JWT_SECRET = 'shutdown-secret-0123456789abcdef0123456789';

interface Proc {
  child: ChildProcess;
  out(): string;
  lines(): Record<string, unknown>[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startMain(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal });
    }),
  );
  const lines = () =>
    out.split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return { child, out: () => out, lines, exit };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref()),
  ]);

// ---- AntRing unreachable at start ----

const early = suite('signals while AntRing is unreachable at start');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  early(`${signal} while the token keeper retries: drain, exit 0 (not a signal exit)`, async () => {
    const closed = await freePort(); // nothing listens there: every AntRing request is refused
    const port = await freePort();
    const p = startMain({
      PORT: String(port),
      SHUTDOWN_DRAIN_MS: '200',
      ANTRING_APP_ID: 'app',
      ANTRING_APP_SECRET: 'secret',
      ANTRING_ACCOUNT_ID: 'acc-1',
      ANTRING_API_URL: `http://127.0.0.1:${closed}`,
      ANTRING_SIGNAL_URL: `http://127.0.0.1:${closed}`,
      ANTRING_DOMAIN: 'd.example',
      ANTRING_EMAIL: 'ops@d.example',
      JWT_SECRET,
    });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, {
        what: 'the server up',
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      await waitFor(
        () =>
          p.lines().filter((l) => typeof l.mod === 'string' && l.mod === 'token' && l.level === 40).length >= 1 ||
          /token.*(retry|fail)/i.test(p.out()),
        { what: 'a failed token request', timeoutMs: 15_000, intervalMs: 50 },
      );
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.is(ready.status, 503, 'not ready while AntRing is unreachable');
      p.child.kill(signal);
      const r = await within(p.exit, 15_000, 'exit after the signal');
      assert.equal(r, { code: 0, signal: null }, p.out().slice(-3000));
      assert.ok(
        p.lines().some((l) => l.msg === 'stopping: not ready, draining' && l.signal === signal),
        'the stop was logged',
      );
      assert.not.match(p.out(), /failed to start/);
    } finally {
      p.child.kill('SIGKILL');
    }
  });
}

early.run();

// ---- requests in flight at SIGTERM ----

const inflight = suite<{ sim: Simulator; dir: string }>('SIGTERM with requests in flight');
inflight.before(async (ctx) => {
  ctx.sim = await startSimulator({});
  ctx.dir = mkdtempSync(join(tmpdir(), 'antring-shutdown-'));
});
inflight.after(async (ctx) => {
  await ctx.sim?.close();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

inflight(
  '20 keep-alive requests in flight at SIGTERM all get their answer (0 ECONNRESET); exit 0',
  async ({ sim, dir }) => {
    const c = sim.credentials;
    const agent = sim.data.agents.find((a) => a.device.online) ?? sim.data.agents[0];
    const devices = join(dir, 'devices.json');
    writeFileSync(
      devices,
      JSON.stringify({ [agent.username]: { sipUser: agent.device.sipUser, sipPassword: agent.device.sipPassword } }),
      { mode: 0o600 },
    );
    const p = startMain({
      PORT: '0',
      SHUTDOWN_DRAIN_MS: '0',
      ANTRING_APP_ID: c.appId,
      ANTRING_APP_SECRET: c.appSecret,
      ANTRING_ACCOUNT_ID: c.accountId,
      ANTRING_API_URL: sim.apiUrl,
      ANTRING_SIGNAL_URL: sim.signalUrl('socketio'),
      ANTRING_DOMAIN: c.domain,
      ANTRING_EMAIL: c.email,
      JWT_SECRET,
      DEVICES_FILE: devices,
      DIAL_RATE_PER_MINUTE: '1000',
    });
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 20 });
    try {
      const listening = await waitFor(() => p.lines().find((l) => l.msg === 'bridge listening'), {
        what: 'the bridge listening',
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      const port = Number(listening.port);
      const token = signToken(
        { sub: 't-agent', org: c.accountId, role: 'agent', agent: agent.username },
        { secret: JWT_SECRET },
      );
      sim.faults.clickToCall.delayMs = 1500; // AntRing slow: the requests are in flight when SIGTERM comes
      const before = sim.stats().clickToCallRequests;
      const answers = Array.from(
        { length: 20 },
        (_, i) =>
          new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
            const body = JSON.stringify({ number: `09348908${String(10 + i)}` });
            const req = http.request(
              {
                host: '127.0.0.1',
                port,
                path: '/api/click-to-call',
                method: 'POST',
                agent: keepAlive,
                headers: {
                  authorization: `Bearer ${token}`,
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(body),
                },
              },
              (res) => {
                let text = '';
                res.on('data', (d: Buffer) => (text += d.toString()));
                res.on('end', () => resolve({ status: res.statusCode, body: text }));
                res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
              },
            );
            req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
            req.end(body);
          }),
      );
      await waitFor(() => sim.stats().clickToCallRequests - before >= 20, {
        what: '20 requests reached AntRing',
        timeoutMs: 10_000,
      });
      p.child.kill('SIGTERM');
      const results = await within(Promise.all(answers), 15_000, 'the answers');
      const errors = results.filter((r) => r.error);
      assert.is(errors.length, 0, `no request reset: ${JSON.stringify(errors)}`);
      assert.equal(
        results.map((r) => r.status),
        Array(20).fill(202),
        JSON.stringify(results),
      );
      const r = await within(p.exit, 15_000, 'exit after SIGTERM');
      assert.equal(r, { code: 0, signal: null }, p.out().slice(-3000));
      // No new connection is accepted once stopped.
      const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => 'answered',
        (err: { cause?: { code?: string } }) => err.cause?.code,
      );
      assert.is(refused, 'ECONNREFUSED');
    } finally {
      sim.faults.clickToCall.delayMs = 0;
      keepAlive.destroy();
      p.child.kill('SIGKILL');
    }
  },
);

inflight.run();
