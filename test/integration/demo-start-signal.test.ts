// `npm start` is one process that gets the signal: SIGTERM to the PID of `npm start` (and to the PID of the command
// its script runs, spawned as is) stops the bridge: its port closes and the process exits 0 (no bridge left serving).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const t = suite<{ children: ChildProcess[] }>('npm start and SIGTERM', { children: [] });

t.after(async (ctx) => {
  // Whatever a failed test left (an orphaned bridge keeps the group, and our pipes): the whole process group.
  for (const child of ctx.children) {
    const exited =
      child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone
    }
    await exited;
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
});

/** Demo mode on a free port, no production setting, npm's PATH (node_modules/.bin first). */
function demoEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  for (const k of Object.keys(env)) if (/^(ANTRING_|ANTCRM_|ANTBOT_|JWT_|REDIS_URL|WEBHOOK_)/.test(k)) delete env[k];
  env.SHUTDOWN_DRAIN_MS = '100';
  env.PATH = [join(root, 'node_modules/.bin'), env.PATH].join(delimiter);
  return env;
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

async function sigtermStops(ctx: { children: ChildProcess[] }, command: string, args: string[]): Promise<void> {
  const child = spawn(command, args, { cwd: root, env: demoEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  ctx.children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  const url = await waitFor(() => /Socket\.IO:\s+(http:\/\/\S+)/.exec(out)?.[1], {
    what: `the demo URL from ${command} ${args.join(' ')}`,
    timeoutMs: 60_000,
  });
  const port = Number(new URL(url).port);
  assert.is(await refused(port), false, 'the bridge serves before the signal');
  process.kill(child.pid!, 'SIGTERM'); // that PID only, as a user or a supervisor does
  const ended = await Promise.race([
    exit,
    waitFor(() => false, { timeoutMs: 30_000 }).catch(() => 'no exit within 30 s'),
  ]);
  assert.equal(ended, { code: 0, signal: null }, `${command} ${args.join(' ')}: how it ended`);
  await waitFor(() => refused(port), { what: 'the port closed after exit', timeoutMs: 5_000 });
}

t('SIGTERM to the PID of `npm start`: the bridge stops, its port closes, exit 0', async (ctx) => {
  await sigtermStops(ctx, 'npm', ['start', '--silent']);
});

t("SIGTERM to the PID of the start script's command (spawned as is, no shell): same", async (ctx) => {
  const script = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } })
    .scripts.start;
  // `exec`: npm runs the script with `sh -c`, and npm forwards SIGTERM to its child; without exec that child is the
  // shell, which dies and leaves the bridge serving. With it the shell becomes the bridge.
  assert.match(script, /^exec /, 'the start script execs its command');
  assert.not.match(script, /[;&|<>$`]/, 'the start script is one plain command');
  const [command, ...args] = script
    .replace(/^exec /, '')
    .trim()
    .split(/\s+/);
  await sigtermStops(ctx, command === 'node' ? process.execPath : command, args);
});

t.run();
