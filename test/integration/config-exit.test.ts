// Bad configuration at start: the process prints one clear line per problem on stderr and exits with code 1,
// before it listens or calls anything; no secret value is echoed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../..', import.meta.url));
const t = suite('bad configuration at start');

function runMain(extra: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of Object.keys(env))
    if (/^(ANTRING_|ANTCRM_|ANTBOT_|JWT_|REDIS_URL|PORT$)/.test(k) && !(k in extra)) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

t('three problems: exit 1, three lines naming the variables, nothing on stdout, no secret echoed', async () => {
  const r = await runMain({
    ANTRING_APP_ID: 'app-id',
    ANTRING_APP_SECRET: 'app-secret-do-not-print',
    JWT_SECRET: 'short-secret',
    ANTRING_DOMAIN: 'd.example',
  });
  assert.is(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 3, r.stderr);
  assert.ok(
    lines.every((l) => l.startsWith('config error: ')),
    r.stderr,
  );
  assert.match(r.stderr, /ANTRING_ACCOUNT_ID: required outside demo mode/);
  assert.match(r.stderr, /JWT_SECRET: must be at least 32 characters/);
  assert.match(r.stderr, /ANTRING_EMAIL: required outside demo mode/);
  assert.not.match(r.stderr, /app-secret-do-not-print|short-secret/);
  assert.is(r.stdout, '');
});

t('a malformed value: exit 1 with the variable named, the value given and what is expected', async () => {
  const r = await runMain({ PORT: 'eighty' });
  assert.is(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /^config error: PORT: "eighty" is not a whole number; expected a whole number from 0 to 65535$/m,
  );
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
});

t('a malformed value and a missing pair in one start: both reported', async () => {
  const r = await runMain({ PORT: 'eighty', ANTRING_DOMAIN: 'd.example' });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /^config error: PORT: /m);
  assert.match(r.stderr, /^config error: ANTRING_DOMAIN and ANTRING_EMAIL/m);
  assert.is(r.stderr.trim().split('\n').length, 2, r.stderr);
});

// Contract §7.1: demo mode (a simulator, printed tokens, CORS *) never starts by accident.
t('a blank credential never starts demo mode: exit 1 naming it, no demo tokens printed', async () => {
  const r = await runMain({ ANTRING_APP_ID: ' ', ANTRING_APP_SECRET: '' });
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /^config error: ANTRING_APP_ID: is blank/m);
  assert.match(r.stderr, /^config error: ANTRING_APP_SECRET: is blank/m);
  assert.is(r.stdout, '', 'no demo banner, no tokens');
});

t(
  'a production configuration whose credentials were not mounted: exit 1 with the missing variables named',
  async () => {
    const r = await runMain({
      ANTRING_ACCOUNT_ID: 'acc-1',
      JWT_SECRET: 'j'.repeat(40),
      ANTCRM_API_KEY: 'crm-key-do-not-print',
      ANTRING_DOMAIN: 'd.example',
      ANTRING_EMAIL: 'ops@d.example',
    });
    assert.is(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(
      lines.map((l) => l.split(':')[1].trim()),
      ['ANTRING_APP_ID', 'ANTRING_APP_SECRET'],
      r.stderr,
    );
    assert.match(lines[0], /ANTRING_ACCOUNT_ID, JWT_SECRET, ANTCRM_API_KEY are set/);
    assert.not.match(r.stderr, /crm-key-do-not-print|jjjj/);
    assert.is(r.stdout, '');
  },
);

t.run();
