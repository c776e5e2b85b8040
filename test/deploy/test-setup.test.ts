// `npm test` on a fresh machine: the runner sets up what the chosen suites need (redis-server, Chromium,
// python3-socketio): apt-get (update first, quiet, logged) when root and apt-get are there, else the one command
// that does, and one clear failure; `.ci/run` is only `npm ci` + `npm test`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ensurePrerequisites,
  installCommand,
  missingFor,
  PREREQUISITES,
  type Prerequisite,
  type SetupResult,
} from '../../scripts/prerequisites.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Two fake prerequisites whose presence the test switches. */
function fakes(present: Record<string, boolean>): Prerequisite[] {
  return [
    { what: 'redis', suites: ['integration', 'cluster'], packages: ['redis-server'], present: () => present.redis },
    { what: 'chromium', suites: ['browser'], packages: ['chromium'], present: () => present.chromium },
  ];
}

const msg = (r: SetupResult) => (r.ok ? '' : r.message);
const t = suite('test setup: prerequisites of the suites');

t('the real list: what .ci/run installed, for the suites that use it', () => {
  const pkgs = PREREQUISITES.flatMap((p) => p.packages).sort();
  assert.equal(pkgs, ['chromium', 'python3-requests', 'python3-socketio', 'python3-websocket', 'redis-server']);
  assert.equal(
    PREREQUISITES.filter((p) => p.suites.includes('unit')),
    [],
    'unit tests need nothing from the machine',
  );
});

t('only the chosen suites count: unit needs nothing, browser needs Chromium', () => {
  const list = fakes({ redis: false, chromium: false });
  assert.equal(missingFor(['lint', 'unit'], {}, list), []);
  assert.equal(
    missingFor(['browser'], {}, list).map((p) => p.what),
    ['chromium'],
  );
});

t('nothing missing: nothing run', () => {
  const runs: string[] = [];
  const r = ensurePrerequisites(['integration', 'browser'], {
    list: fakes({ redis: true, chromium: true }),
    root: true,
    aptGet: '/usr/bin/apt-get',
    run: (cmd, args) => runs.push(`${cmd} ${args.join(' ')}`) && 0,
  });
  assert.equal(r, { ok: true, installed: [] });
  assert.equal(runs, []);
});

t('root with apt-get: `apt-get update` (quiet) then install, non-interactive, logged to a file', () => {
  const state = { redis: false, chromium: false };
  const runs: string[] = [];
  const said: string[] = [];
  const r = ensurePrerequisites(['integration', 'browser'], {
    list: fakes(state),
    root: true,
    aptGet: '/usr/bin/apt-get',
    logFile: '/tmp/setup.log',
    say: (l) => said.push(l),
    run: (cmd, args, env, log) => {
      runs.push(`${cmd} ${args.join(' ')} [${env.DEBIAN_FRONTEND}] > ${log}`);
      if (args[0] === 'install') Object.assign(state, { redis: true, chromium: true });
      return 0;
    },
  });
  assert.equal(r, { ok: true, installed: ['redis-server', 'chromium'] });
  assert.equal(runs, [
    '/usr/bin/apt-get update -qq [noninteractive] > /tmp/setup.log',
    '/usr/bin/apt-get install -y -qq redis-server chromium [noninteractive] > /tmp/setup.log',
  ]);
  assert.match(said.join('\n'), /installing redis-server chromium .*log: \/tmp\/setup\.log/);
});

t('not root, or no apt-get: nothing run; the one command that installs, and a failure', () => {
  const runs: string[] = [];
  const run = (cmd: string) => runs.push(cmd) && 0;
  const list = fakes({ redis: true, chromium: false });
  const notRoot = ensurePrerequisites(['browser'], { list, root: false, aptGet: '/usr/bin/apt-get', run });
  assert.is(notRoot.ok, false);
  assert.match(msg(notRoot), 'sudo apt-get update && sudo apt-get install -y chromium');
  const noApt = ensurePrerequisites(['browser'], { list, root: true, aptGet: undefined, run });
  assert.match(msg(noApt), /no apt-get here.*\n {2}apt-get update && apt-get install -y chromium/);
  assert.equal(runs, []);
  assert.is(installCommand(['a', 'b'], false), 'sudo apt-get update && sudo apt-get install -y a b');
});

t('apt-get fails, or installs without effect: a failure naming the log and the command', () => {
  const list = fakes({ redis: false, chromium: true });
  const failed = ensurePrerequisites(['cluster'], {
    list,
    root: true,
    aptGet: 'apt-get',
    logFile: '/tmp/l',
    run: () => 100,
  });
  assert.is(failed.ok, false);
  assert.match(
    msg(failed),
    /`apt-get update -qq` failed \(see \/tmp\/l\).*\n {2}apt-get update && apt-get install -y redis-server/s,
  );
  const noEffect = ensurePrerequisites(['cluster'], {
    list,
    root: true,
    aptGet: 'apt-get',
    logFile: '/tmp/l',
    run: () => 0,
  });
  assert.match(msg(noEffect), 'still missing after apt-get: redis');
});

t('the runner: a prerequisite it cannot install → the command printed, `0 passed, 1 failed`, exit 1', async () => {
  // As an unprivileged user when we are root (no apt-get run then), Chromium pointed at nothing.
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const child = spawn(process.execPath, ['scripts/test.mjs', 'browser'], {
    cwd: root,
    env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', CI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...asNobody,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  assert.match(out, /apt-get install -y chromium/);
  assert.is(out.trim().split('\n').at(-1), '0 passed, 1 failed');
  assert.is(code, 1);
});

t(".ci/run is the README's two steps and little else: npm ci, npm test", () => {
  const lines = readFileSync(`${root}.ci/run`, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  assert.ok(lines.length <= 6, lines.join('\n'));
  assert.ok(lines.some((l) => /^npm ci\b/.test(l)));
  assert.is(lines.at(-1), 'npm test');
  assert.not.match(lines.join('\n'), /apt-get|python3|chromium|redis/);
});

t.run();
