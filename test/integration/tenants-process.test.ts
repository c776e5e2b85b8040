// The process with TENANTS_FILE (contract §8.1, §8.2): a file with problems stops the start (`config error:` per
// problem, exit 1, no secret echoed); SIGHUP reads the file again and applies the difference without a restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';
import { entryOf, SECRET, type SimTenant, startSims } from './tenants-fixture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const t = suite('tenants: the process (start problems, SIGHUP)');

function spawnMain(env: Record<string, string>): { child: ChildProcess; out: () => string; exited: Promise<number> } {
  const full: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of Object.keys(full))
    if (/^(ANTRING_|ANTCRM_|ANTBOT_|JWT_|REDIS_URL|DEVICES_FILE|WEBHOOK_)/.test(k) && !(k in env)) delete full[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: full });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)));
  return { child, out: () => out, exited };
}

t('a tenants file with problems: exit 1, every problem on its own line, no secret', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'antring-tenants-bad-'));
  try {
    const file = join(dir, 'tenants.json');
    writeFileSync(
      file,
      JSON.stringify([
        { accountId: 'AB12', antring: { appId: 'x', appSecret: 'do-not-print-me', domain: 'd' } },
        { accountId: 'ab12', antring: { appId: 'y', appSecret: { env: 'MISSING_SECRET' }, domain: 'd', email: 'e' } },
      ]),
    );
    const p = spawnMain({ TENANTS_FILE: file, JWT_SECRET: SECRET, PORT: '0' });
    assert.is(await p.exited, 1);
    const lines = p
      .out()
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('config error: '));
    assert.ok(lines.includes('config error: tenants[0] (ab12): antring.email: is required'), p.out());
    assert.ok(lines.includes('config error: tenants[1] (ab12): accountId: the same account id as tenants[0]'), p.out());
    assert.ok(
      lines.includes(
        'config error: tenants[1] (ab12): antring.appSecret: the environment variable MISSING_SECRET is not set',
      ),
      p.out(),
    );
    assert.not.match(p.out(), /do-not-print-me/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('SIGHUP: a tenant added to the file is served without a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'antring-tenants-hup-'));
  let sims: SimTenant[] = [];
  let p: ReturnType<typeof spawnMain> | undefined;
  try {
    sims = await startSims(2);
    const env: Record<string, string> = {};
    const file = join(dir, 'tenants.json');
    writeFileSync(file, JSON.stringify([entryOf(sims[0], env)]));
    // Both secrets are in the process environment from the start (as a deployment would pass them).
    entryOf(sims[1], env);
    p = spawnMain({ ...env, TENANTS_FILE: file, JWT_SECRET: SECRET, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    const proc = p;
    const port = await waitFor(() => /"port":(\d+)[^\n]*"bridge listening"/.exec(proc.out())?.[1], {
      what: 'the bridge listening',
      timeoutMs: 20_000,
    });
    const op = signToken({ sub: 'ops', org: '*', role: 'operator' }, { secret: SECRET });
    const tenants = async () => {
      const r = await fetch(`http://127.0.0.1:${port}/api/tenants`, { headers: { authorization: `Bearer ${op}` } });
      return ((await r.json()) as { accountId: string; upstream: { state: string } }[]).map((x) => [
        x.accountId,
        x.upstream.state,
      ]);
    };
    await waitFor(async () => (await tenants()).every(([, s]) => s === 'up'), { what: 'A up', timeoutMs: 15_000 });
    assert.equal(await tenants(), [[sims[0].org, 'up']]);
    writeFileSync(file, JSON.stringify([entryOf(sims[0], env), entryOf(sims[1], env)]));
    proc.child.kill('SIGHUP');
    await waitFor(
      async () =>
        JSON.stringify(await tenants()) ===
        JSON.stringify([
          [sims[0].org, 'up'],
          [sims[1].org, 'up'],
        ]),
      {
        what: 'B added and up after SIGHUP',
        timeoutMs: 15_000,
      },
    );
    assert.match(proc.out(), /"added":\["[0-9a-f]+"\][^\n]*"tenants reloaded"/);
  } finally {
    if (p && p.child.exitCode === null) {
      p.child.kill('SIGTERM');
      assert.is(await p.exited, 0);
    }
    await Promise.all(sims.map((s) => s.sim.close()));
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
