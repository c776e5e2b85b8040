// What the test suites need from the machine besides node_modules (Debian packages), and setting it up:
// `npm test` installs what is missing when it can (root and apt-get present), else prints the one command that does.
//   redis-server                                        integration (outbox on Redis, recovery) and cluster
//   Chromium at /usr/bin/chromium (CHROMIUM_PATH)       browser
//   python3-socketio, python3-websocket, python3-requests  integration (the independent Python client)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Each prerequisite: the suites that need it, the Debian packages that provide it, and how to tell it is there. */
export const PREREQUISITES = [
  {
    what: 'redis-server',
    suites: ['integration', 'cluster'],
    packages: ['redis-server'],
    present: (env) => !!(env.REDIS_URL || env.REDIS_SERVER_BIN || onPath('redis-server', env)),
  },
  {
    what: 'Chromium',
    suites: ['browser'],
    packages: ['chromium'],
    present: (env) => executable(env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
  },
  {
    what: "Debian's python3-socketio",
    suites: ['integration'],
    packages: ['python3-socketio', 'python3-websocket', 'python3-requests'],
    present: (env) =>
      spawnSync(
        env.PYTHON_SOCKETIO_PYTHON ?? '/usr/bin/python3',
        ['-c', 'import socketio, engineio, websocket, requests'],
        {
          stdio: 'ignore',
          timeout: 20_000,
        },
      ).status === 0,
  },
];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH (and /usr/sbin, /usr/bin: root's tools), or undefined. */
export function onPath(name, env = process.env) {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/bin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p) && executable(p));
}

/** The prerequisites of these suites that are missing here. */
export function missingFor(suites, env = process.env, list = PREREQUISITES) {
  return list.filter((p) => p.suites.some((s) => suites.includes(s)) && !p.present(env));
}

/** The one command that installs these packages (with sudo unless root). */
export function installCommand(packages, root) {
  const sudo = root ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(' ')}`;
}

/**
 * Installs what `suites` lack, when it can (root and apt-get); `apt-get update` first. Quiet: apt's output goes to
 * `logFile`. Resolves { ok: true } (nothing missing, or installed and now present), or { ok: false, message } saying
 * what is missing and the one command that installs it. The I/O is injectable for tests.
 */
export function ensurePrerequisites(suites, o = {}) {
  const env = o.env ?? process.env;
  const list = o.list ?? PREREQUISITES;
  const say = o.say ?? ((line) => console.log(line));
  const root = o.root ?? process.getuid?.() === 0;
  const aptGet = 'aptGet' in o ? o.aptGet : onPath('apt-get', env);
  const run = o.run ?? runLogged;
  const logFile = o.logFile ?? join(tmpdir(), 'antring-bridge-test-setup.log');

  const missing = missingFor(suites, env, list);
  if (!missing.length) return { ok: true, installed: [] };
  const packages = [...new Set(missing.flatMap((p) => p.packages))];
  const names = missing.map((p) => p.what).join(', ');
  const command = installCommand(packages, root);
  if (!root || !aptGet) {
    const why = aptGet ? 'not root' : 'no apt-get here';
    return {
      ok: false,
      message: `missing: ${names} (${why}). Install with:\n  ${command}\nthen run npm test again.`,
    };
  }
  say(`test setup: installing ${packages.join(' ')} (apt-get; log: ${logFile})`);
  if (!o.run) writeFileSync(logFile, '');
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const steps = [
    [aptGet, ['update', '-qq']],
    [aptGet, ['install', '-y', '-qq', ...packages]],
  ];
  for (const [cmd, args] of steps) {
    if (run(cmd, args, aptEnv, logFile) !== 0) {
      return {
        ok: false,
        message: `test setup: \`${cmd} ${args.join(' ')}\` failed (see ${logFile}). Install with:\n  ${command}\nthen run npm test again.`,
      };
    }
  }
  const still = missingFor(suites, env, list);
  if (still.length) {
    return {
      ok: false,
      message: `test setup: still missing after apt-get: ${still.map((p) => p.what).join(', ')} (see ${logFile})`,
    };
  }
  return { ok: true, installed: packages };
}

/** Runs a command with its output appended to logFile; resolves its exit status (non-zero if it could not run). */
function runLogged(cmd, args, env, logFile) {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const text = `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}`;
  writeFileSync(logFile, text, { flag: 'a' });
  return r.status ?? 1;
}
