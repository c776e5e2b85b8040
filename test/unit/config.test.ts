// Configuration: parsed and validated once; every problem reported, one line each.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../src/config.js';
import { problemsOf as expectProblems } from '../helpers/problems.js';

const test = suite('config');

const PROD = {
  ANTRING_APP_ID: 'app',
  ANTRING_APP_SECRET: 'secret',
  ANTRING_ACCOUNT_ID: 'acc1',
  JWT_SECRET: 'x'.repeat(32),
};

const problemsOf = (env: Record<string, string>): string[] => expectProblems(ConfigError, () => loadConfig(env));

test('no credentials = demo mode with the documented defaults', () => {
  const c = loadConfig({});
  assert.is(c.demo, true);
  assert.is(c.port, 8080);
  assert.is(c.host, '0.0.0.0');
  assert.is(c.antring.signalProtocol, 'socketio');
  assert.equal(c.antring.bindings, [
    'call.CHANNEL_CREATE.*',
    'call.CHANNEL_ANSWER.*',
    'call.CHANNEL_BRIDGE.*',
    'call.CHANNEL_DESTROY.*',
  ]);
  assert.is(c.crmBudgetMs, 150);
  assert.is(c.dashboardPollMs, 5000);
  assert.equal(c.dial, { ratePerMinute: 10, idempotencyMs: 5000 });
  assert.equal(c.cluster, { upstreamNodes: 2, leaseTtlMs: 5000, heartbeatTtlMs: 3000, recoveryMs: 30_000 });
  assert.is(c.shutdownDrainMs, 2000);
  assert.is(c.demoCallsPerMinute, 20);
  assert.equal(c.corsOrigins, []);
  assert.is(c.redisUrl, undefined);
});

test('ANTRING_ACCOUNT_ID is normalised once: Kazoo account ids are lowercase hex (issue 15)', () => {
  const c = loadConfig({
    ...PROD,
    ANTRING_DOMAIN: 'd.example',
    ANTRING_EMAIL: 'ops@d.example',
    ANTRING_ACCOUNT_ID: ' 8BE18386B9ADBE6895E7D82586214815 ',
  });
  assert.is(c.antring.accountId, '8be18386b9adbe6895e7d82586214815');
});

test('JWT_MAX_TTL_S: the longest token lifetime, one day by default, a whole number of seconds (issue 15)', () => {
  assert.is(loadConfig({}).jwt.maxTtlSec, 86_400);
  assert.is(loadConfig({ JWT_MAX_TTL_S: '3600' }).jwt.maxTtlSec, 3600);
  for (const bad of ['0', '-1', 'a day', '1.5'])
    assert.ok(
      problemsOf({ JWT_MAX_TTL_S: bad }).some((l) => l.startsWith('JWT_MAX_TTL_S: ')),
      `JWT_MAX_TTL_S=${bad} is refused`,
    );
});

test('production values are typed: numbers, lists, trimmed URLs', () => {
  const c = loadConfig({
    ...PROD,
    PORT: '9000',
    ANTRING_SIGNAL_PROTOCOL: 'blackhole',
    ANTRING_BINDINGS: ' call.CHANNEL_CREATE.* , call.CHANNEL_DESTROY.* ',
    CORS_ORIGINS: 'https://a.example, https://b.example',
    CRM_BUDGET_MS: '0',
    REDIS_URL: 'redis://127.0.0.1:6379',
    ANTRING_DOMAIN: 'd.example',
    ANTRING_EMAIL: 'ops@d.example',
  });
  assert.is(c.demo, false);
  assert.is(c.port, 9000);
  assert.is(c.antring.signalProtocol, 'blackhole');
  assert.equal(c.antring.bindings, ['call.CHANNEL_CREATE.*', 'call.CHANNEL_DESTROY.*']);
  assert.equal(c.corsOrigins, ['https://a.example', 'https://b.example']);
  assert.is(c.crmBudgetMs, 0);
  assert.is(c.redisUrl, 'redis://127.0.0.1:6379');
  assert.is(c.antring.appSecret, 'secret');
});

test('every cross-field problem is reported, one line each', () => {
  const p = problemsOf({ ANTRING_APP_ID: 'app', JWT_SECRET: 'short', ANTBOT_USERNAME: 'bot', ANTRING_DOMAIN: 'd' });
  for (const name of [
    'ANTRING_APP_SECRET',
    'ANTRING_ACCOUNT_ID',
    'JWT_SECRET: must be at least 32',
    'ANTBOT_USERNAME and ANTBOT_PASSWORD',
    'ANTRING_EMAIL: required',
  ]) {
    assert.ok(
      p.some((l) => l.startsWith(name)),
      `${name} in ${JSON.stringify(p)}`,
    );
  }
  for (const l of p) assert.not.match(l, /\n/);
});

test('malformed values and cross-field problems are reported together', () => {
  const p = problemsOf({ PORT: 'eighty', ANTRING_APP_ID: 'app', ANTRING_DOMAIN: 'd' });
  for (const name of ['PORT:', 'ANTRING_APP_SECRET:', 'ANTRING_ACCOUNT_ID:', 'ANTRING_EMAIL: required']) {
    assert.ok(
      p.some((l) => l.startsWith(name)),
      `${name} in ${JSON.stringify(p)}`,
    );
  }
});

test('in demo mode ANTRING_DOMAIN and ANTRING_EMAIL are set both or neither', () => {
  assert.ok(problemsOf({ ANTRING_DOMAIN: 'd' }).some((l) => l.startsWith('ANTRING_DOMAIN and ANTRING_EMAIL')));
});

test('outside demo mode a JWT key is required; secret and public key are exclusive', () => {
  assert.ok(problemsOf({ ...PROD, JWT_SECRET: '' }).some((l) => l.startsWith('JWT_SECRET or JWT_PUBLIC_KEY')));
  assert.ok(
    problemsOf({ ...PROD, JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----' }).some((l) =>
      l.startsWith('JWT_SECRET and JWT_PUBLIC_KEY'),
    ),
  );
  assert.ok(
    problemsOf({ ...PROD, JWT_SECRET: '', JWT_PUBLIC_KEY: 'not a pem' }).some((l) =>
      l.startsWith('JWT_PUBLIC_KEY: must be a PEM'),
    ),
  );
});

test('malformed values name their variable', () => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ ANTRING_SIGNAL_PROTOCOL: 'mqtt' }, 'ANTRING_SIGNAL_PROTOCOL'],
    [{ ANTRING_API_URL: 'ftp://x' }, 'ANTRING_API_URL'],
    [{ ANTRING_BINDINGS: 'call CREATE' }, 'ANTRING_BINDINGS'],
    [{ REDIS_URL: 'http://redis' }, 'REDIS_URL'],
    [{ CRM_BUDGET_MS: '-1' }, 'CRM_BUDGET_MS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CLUSTER_UPSTREAM_NODES: '0' }, 'CLUSTER_UPSTREAM_NODES'],
    [{ DEMO_CALLS_PER_MINUTE: '1.5' }, 'DEMO_CALLS_PER_MINUTE'],
  ];
  for (const [env, name] of cases) {
    const p = problemsOf(env);
    assert.ok(
      p.some((l) => l.startsWith(`${name}:`)),
      `${name} in ${JSON.stringify(p)}`,
    );
  }
});

test('a problem line never echoes a secret value', () => {
  const secret = 'tooShortSecret123';
  const p = problemsOf({ ...PROD, JWT_SECRET: secret, ANTRING_APP_SECRET: 'appsecret-value', PORT: 'x' });
  for (const l of p) {
    assert.not.ok(l.includes(secret), l);
    assert.not.ok(l.includes('appsecret-value'), l);
  }
  const q = problemsOf({ ...PROD, JWT_SECRET: secret });
  for (const l of q) assert.not.ok(l.includes(secret), l);
});

// ---- demo mode only when no production setting is present (contract §7.1) ----

const FULL = { ...PROD, ANTRING_DOMAIN: 'd.example', ANTRING_EMAIL: 'ops@d.example' };

test('blank AntRing credentials are an error, never demo mode', () => {
  const envs: Record<string, string>[] = [
    { ANTRING_APP_ID: ' ' },
    { ANTRING_APP_ID: ' ', ANTRING_APP_SECRET: '' },
    { ANTRING_APP_SECRET: '\t' },
  ];
  for (const env of envs) {
    const p = problemsOf(env);
    for (const name of Object.keys(env))
      assert.ok(
        p.some((l) => l.startsWith(`${name}: `) && /blank/.test(l)),
        `${name} blank in ${JSON.stringify(p)}`,
      );
  }
});

test('a production setting without AntRing credentials: exit with the missing variables named', () => {
  for (const name of [
    'ANTRING_ACCOUNT_ID',
    'JWT_SECRET',
    'JWT_PUBLIC_KEY',
    'REDIS_URL',
    'ANTCRM_API_KEY',
    'WEBHOOK_URLS',
  ]) {
    const value =
      name === 'REDIS_URL'
        ? 'redis://127.0.0.1:6379'
        : name === 'JWT_SECRET'
          ? 'y'.repeat(40)
          : name === 'JWT_PUBLIC_KEY'
            ? '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----'
            : name === 'WEBHOOK_URLS'
              ? 'https://hooks.example/a'
              : 'v1';
    const p = problemsOf({ [name]: value });
    for (const missing of ['ANTRING_APP_ID', 'ANTRING_APP_SECRET']) {
      const line = p.find((l) => l.startsWith(`${missing}: required`));
      assert.ok(line, `${missing} named when ${name} is set: ${JSON.stringify(p)}`);
      assert.ok(line.includes(name), `the line says why (${name} is set): ${line}`);
    }
    for (const l of p) assert.not.ok(l.includes(value), `no value echoed: ${l}`);
  }
});

test('outside demo mode ANTRING_DOMAIN and ANTRING_EMAIL are required', () => {
  const p = problemsOf(PROD);
  assert.ok(
    p.some((l) => l.startsWith('ANTRING_DOMAIN: required outside demo mode')),
    JSON.stringify(p),
  );
  assert.ok(
    p.some((l) => l.startsWith('ANTRING_EMAIL: required outside demo mode')),
    JSON.stringify(p),
  );
  const c = loadConfig(FULL);
  assert.is(c.demo, false);
  assert.is(c.antring.domain, 'd.example');
});

test('demo mode still starts with non-production settings set (port, log level, CORS, demo rate)', () => {
  const c = loadConfig({
    PORT: '9001',
    LOG_LEVEL: 'warn',
    CORS_ORIGINS: 'https://x.example',
    DEMO_CALLS_PER_MINUTE: '60',
    SHUTDOWN_DRAIN_MS: '0',
  });
  assert.is(c.demo, true);
  assert.is(c.port, 9001);
  assert.is(c.demoCallsPerMinute, 60);
});

// ---- messages say what was given and what is expected ----

test('numeric variables: the value given and the range expected, never "NaN"', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT: "abc" is not a whole number; expected a whole number from 0 to 65535$/],
    [{ PORT: '70000' }, /^PORT: 70000 is out of range; expected a whole number from 0 to 65535$/],
    [{ PORT: '' }, /^PORT: is empty; expected a whole number from 0 to 65535 \(unset it for the default, 8080\)$/],
    [
      { DEMO_CALLS_PER_MINUTE: '1.5' },
      /^DEMO_CALLS_PER_MINUTE: "1.5" is not a whole number; expected a whole number from 1 to 6000$/,
    ],
    [{ CRM_BUDGET_MS: '-1' }, /^CRM_BUDGET_MS: -1 is out of range; expected a whole number from 0 to 10000$/],
    [{ SHUTDOWN_DRAIN_MS: '2s' }, /^SHUTDOWN_DRAIN_MS: "2s" is not a whole number/],
  ];
  for (const [env, re] of cases) {
    const p = problemsOf(env);
    assert.ok(
      p.some((l) => re.test(l)),
      `${re} in ${JSON.stringify(p)}`,
    );
    for (const l of p) assert.not.match(l, /NaN|received|Invalid input/);
  }
});

test('enum variables: the value given and the values allowed', () => {
  const p = problemsOf({ ANTRING_SIGNAL_PROTOCOL: 'mqtt', LOG_LEVEL: 'loud' });
  assert.ok(
    p.includes('ANTRING_SIGNAL_PROTOCOL: "mqtt" is not allowed; expected one of socketio, blackhole'),
    JSON.stringify(p),
  );
  assert.ok(
    p.includes('LOG_LEVEL: "loud" is not allowed; expected one of fatal, error, warn, info, debug, trace, silent'),
    JSON.stringify(p),
  );
});

test('URL variables say what is expected without echoing the value (it may carry a password)', () => {
  const p = problemsOf({ REDIS_URL: 'http://:hunter2@redis', ANTRING_API_URL: 'ftp://user:pw@x' });
  assert.ok(p.includes('REDIS_URL: expected a redis:// or rediss:// URL'), JSON.stringify(p));
  assert.ok(p.includes('ANTRING_API_URL: expected an http(s) or ws(s) URL'), JSON.stringify(p));
  for (const l of p) assert.not.match(l, /hunter2|pw@/);
});

test('a long value is cut short in the message', () => {
  const p = problemsOf({ PORT: 'x'.repeat(500) });
  assert.ok(p[0].length < 150, p[0]);
});

test.run();
