// The tenants file (contract §8.1): schema, secret references, lowercased ids, duplicates, every problem listed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadTenants, tenantConfigOf, tenantOfConfig, tenantsFileConflicts } from '../../src/tenants/env.js';
import { loadTenantsFile, parseTenants } from '../../src/tenants/file.js';
import { TenantsError } from '../../src/tenants/types.js';
import { problemsOf } from '../helpers/problems.js';

const test = suite('tenants-file');

const ENV = {
  ANTRING_APP_ID: 'app',
  ANTRING_APP_SECRET: 'secret',
  ANTRING_ACCOUNT_ID: 'acc1',
  ANTRING_DOMAIN: 'd.example',
  ANTRING_EMAIL: 'a@d.example',
  JWT_SECRET: 'x'.repeat(32),
  ANTRING_SIGNAL_PROTOCOL: 'blackhole',
  ANTRING_API_URL: 'http://127.0.0.1:9/api/',
};
const base = loadConfig(ENV);
const WHSEC = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

const acme = (over: Record<string, unknown> = {}) => ({
  accountId: '4B8C6FEC4B2597882C0390202D195419',
  name: 'Công ty Acme',
  antring: { appId: 'acme-app', appSecret: { env: 'ACME_APP_SECRET' }, domain: 'acme.example', email: 'a@acme.vn' },
  antcrm: { apiKey: { file: '/run/secrets/acme-crm' }, writeback: ['tickets', 'leads'] },
  antbot: { username: 'bot', password: { env: 'ACME_BOT_PASSWORD' } },
  devices: { nguyenvana: { sipUser: 'sip-a', sipPassword: { env: 'ACME_SIP_A' } } },
  webhooks: { urls: ['https://hooks.acme.example/in'], secret: { env: 'ACME_WHSEC' } },
  ...over,
});
const beta = { accountId: 'b2', antring: { appId: 'b', appSecret: 'plain-secret', domain: 'b.example', email: 'x@b' } };

const files: Record<string, string> = { '/run/secrets/acme-crm': 'crm-key-1\n' };
const sources = (env: Record<string, string> = {}) => ({
  env: { ACME_APP_SECRET: 's3cret', ACME_BOT_PASSWORD: 'botpw', ACME_SIP_A: 'sippw', ACME_WHSEC: WHSEC, ...env },
  readFile: (p: string) => {
    if (!(p in files)) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    return files[p];
  },
});
const problems = (doc: unknown, env?: Record<string, string>) =>
  problemsOf(TenantsError, () => parseTenants(doc, base, sources(env)));

test('secrets resolved from env and file; ids lowercased; URL defaults from the environment', () => {
  const [a, b] = parseTenants([acme(), beta], base, sources());
  assert.is(a.accountId, '4b8c6fec4b2597882c0390202d195419');
  assert.is(a.antring.accountId, a.accountId);
  assert.is(a.antring.appSecret, 's3cret');
  assert.is(a.antcrm.apiKey, 'crm-key-1');
  assert.is(a.antbot.password, 'botpw');
  assert.equal(a.devices, { nguyenvana: { sipUser: 'sip-a', sipPassword: 'sippw' } });
  assert.is(a.webhooks.secret, WHSEC);
  assert.equal(a.webhooks.events, ['call.ringing', 'call.answered', 'call.ended']);
  assert.equal(a.writeback, { tickets: true, leads: true, wrapup: false, ticketSla: '' });
  assert.is(a.antring.apiUrl, 'http://127.0.0.1:9/api');
  assert.is(a.antring.signalProtocol, 'blackhole');
  assert.equal(a.antring.bindings, base.antring.bindings);
  assert.is(a.antcrm.apiUrl, base.antcrm.apiUrl);
  assert.is(b.antring.appSecret, 'plain-secret');
  assert.is(b.antcrm.apiKey, undefined);
  assert.equal(b.writeback, { tickets: false, leads: false, wrapup: false, ticketSla: '' });
});

test('a tenant may override the URL defaults and the protocol', () => {
  const [t] = parseTenants(
    [{ ...beta, antring: { ...beta.antring, apiUrl: 'https://x.example/', signalProtocol: 'socketio' } }],
    base,
    sources(),
  );
  assert.is(t.antring.apiUrl, 'https://x.example');
  assert.is(t.antring.signalProtocol, 'socketio');
});

test('a missing reference is named without any value, with the tenant index and account id', () => {
  const p = problems([beta, acme()], { ACME_APP_SECRET: '', ACME_SIP_A: '' });
  assert.equal(p, [
    'tenants[1] (4b8c6fec4b2597882c0390202d195419): antring.appSecret: the environment variable ACME_APP_SECRET is not set',
    'tenants[1] (4b8c6fec4b2597882c0390202d195419): devices.nguyenvana.sipPassword: the environment variable ACME_SIP_A is not set',
  ]);
  const f = problems([acme({ antcrm: { apiKey: { file: '/nope' } } })]);
  assert.equal(f, [
    'tenants[0] (4b8c6fec4b2597882c0390202d195419): antcrm.apiKey: cannot read the file /nope (ENOENT)',
  ]);
});

test('every problem is listed: bad fields in several tenants and duplicate ids', () => {
  const p = problems([
    { ...beta, antring: { appId: 'b', domain: 'b.example', email: 'x@b' } },
    { accountId: 'B2', antring: { ...beta.antring, signalProtocol: 'carrier-pigeon' }, extra: 1 },
    { name: 'no id' },
    acme({ webhooks: { urls: ['http://evil.example/'], secret: 'not-a-whsec' } }),
  ]);
  const has = (start: string) =>
    assert.ok(
      p.some((x) => x.startsWith(start)),
      `${start} in\n${p.join('\n')}`,
    );
  has('tenants[0] (b2): antring.appSecret:');
  has('tenants[1] (b2): accountId: the same account id as tenants[0]');
  has('tenants[1] (b2): antring.signalProtocol:');
  has('tenants[1] (b2): tenant:'); // the unknown key `extra`
  has('tenants[2] (no accountId): accountId:');
  has('tenants[2] (no accountId): antring:');
  has('tenants[3] (4b8c6fec4b2597882c0390202d195419): webhooks.secret: must be whsec_');
  has('tenants[3] (4b8c6fec4b2597882c0390202d195419): webhooks.urls:');
  assert.not.ok(p.join('\n').includes('not-a-whsec'), 'a secret is never echoed');
  assert.not.ok(p.join('\n').includes('plain-secret'));
});

test('an entry with bad fields still names its missing secret references (one reload, every problem)', () => {
  const p = problems([{ accountId: 'b2', antring: { appId: 'b', appSecret: { env: 'NOPE' } } }]);
  assert.ok(p.includes('tenants[0] (b2): antring.appSecret: the environment variable NOPE is not set'), p.join('\n'));
  assert.ok(
    p.some((x) => x.startsWith('tenants[0] (b2): antring.domain:')),
    p.join('\n'),
  );
});

test('write-back without an AntCRM key is a problem; devices are validated', () => {
  const p = problems([
    { ...beta, antcrm: { writeback: ['tickets'] }, devices: { 'bad user ': { sipUser: 's', sipPassword: 'p' } } },
  ]);
  assert.ok(
    p.some((x) => x.startsWith('tenants[0] (b2): antcrm.writeback: needs antcrm.apiKey')),
    p.join('\n'),
  );
  assert.ok(
    p.some((x) => x.startsWith('tenants[0] (b2): devices:')),
    p.join('\n'),
  );
});

test('the file: not JSON, not an array, empty, unreadable', () => {
  const load = (text: string | undefined) =>
    problemsOf(TenantsError, () =>
      loadTenantsFile('/etc/tenants.json', base, {
        env: {},
        readFile: () => {
          if (text === undefined) throw Object.assign(new Error('x'), { code: 'EACCES' });
          return text;
        },
      }),
    );
  assert.equal(load('[{"accountId": "a", "antring": {"appSecret": "hunter2"'), [
    'TENANTS_FILE: /etc/tenants.json is not valid JSON',
  ]);
  assert.equal(load('{}'), ['TENANTS_FILE: must be a JSON array of tenants']);
  assert.equal(load('[]'), ['TENANTS_FILE: is empty; expected at least one tenant']);
  assert.equal(load(undefined), ['TENANTS_FILE: cannot read /etc/tenants.json (EACCES)']);
});

test('callback variables beside TENANTS_FILE are named: callbacks are per tenant in the file (§9.1)', () => {
  const env = {
    TENANTS_FILE: '/t.json',
    CALLBACKS: 'on',
    CALLBACK_DELAY_S: '30',
    CALLBACK_HOURS: 'Mon-Fri 08:00-17:00',
    CALLBACK_TZ: 'Asia/Ho_Chi_Minh',
    CALLBACK_TRANSFER_TO: '100',
    CALLBACK_MAX_ATTEMPTS: '3',
    ANTBOT_CALLBACK_CALENDAR: 'cal-secret-id',
    ANTBOT_CALLBACK_CREATOR: 'bot',
  };
  const p = tenantsFileConflicts(env);
  const named = p.map((x) => x.slice(0, x.indexOf(':')));
  assert.equal(
    named.sort(),
    Object.keys(env)
      .filter((k) => k !== 'TENANTS_FILE')
      .sort(),
  );
  for (const x of p) assert.not.ok(x.includes('cal-secret-id'));
  assert.equal(tenantsFileConflicts({ CALLBACKS: 'on', CALLBACK_DELAY_S: '30' }), [], 'without TENANTS_FILE: allowed');
});

test('per-account variables beside TENANTS_FILE are named (never their values)', () => {
  assert.equal(tenantsFileConflicts({ ANTRING_APP_ID: 'x' }), []);
  const p = tenantsFileConflicts({ TENANTS_FILE: '/t.json', ANTRING_APP_SECRET: 'zzz', WEBHOOK_URLS: 'https://a' });
  assert.equal(p, [
    'ANTRING_APP_SECRET: is per account; with TENANTS_FILE set it belongs in the tenants file (unset it)',
    'WEBHOOK_URLS: is per account; with TENANTS_FILE set it belongs in the tenants file (unset it)',
  ]);
});

test('config: with TENANTS_FILE no per-account variable is required, each one set is named; not demo mode', () => {
  const c = loadConfig({ TENANTS_FILE: '/etc/tenants.json', JWT_SECRET: 'x'.repeat(32) });
  assert.is(c.tenantsFile, '/etc/tenants.json');
  assert.is(c.demo, false);
  const p = problemsOf(ConfigError, () =>
    loadConfig({ TENANTS_FILE: '/t.json', JWT_SECRET: 'x'.repeat(32), ANTRING_ACCOUNT_ID: 'acc1', DEVICES_FILE: '/d' }),
  );
  assert.equal(p, [
    'ANTRING_ACCOUNT_ID: is per account; with TENANTS_FILE set it belongs in the tenants file (unset it)',
    'DEVICES_FILE: is per account; with TENANTS_FILE set it belongs in the tenants file (unset it)',
  ]);
  assert.equal(
    problemsOf(ConfigError, () => loadConfig({ TENANTS_FILE: '/t.json' })),
    ['JWT_SECRET or JWT_PUBLIC_KEY: one is required outside demo mode (this is not demo mode: TENANTS_FILE is set)'],
  );
});

test('the single-account environment is a tenant list of one; laid over the Config it gives the Config back', () => {
  const tenants = loadTenants(base, { env: {} });
  assert.is(tenants.length, 1);
  assert.is(tenants[0].accountId, 'acc1');
  assert.equal(tenantConfigOf(base, tenants[0]), base);
  assert.equal(tenantOfConfig(base).antring, base.antring);
});

test('a tenant laid over the process Config replaces every per-account field and keeps the process-wide ones', () => {
  const [a] = parseTenants([acme()], base, sources());
  const c = tenantConfigOf({ ...base, devicesFile: '/env/devices.json' }, a);
  assert.is(c.antring.appId, 'acme-app');
  assert.is(c.antcrm.apiKey, 'crm-key-1');
  assert.is(c.antcrm.cacheTtlMs, base.antcrm.cacheTtlMs);
  assert.is(c.devicesFile, undefined);
  assert.equal(c.devices, a.devices);
  assert.is(c.port, base.port);
  assert.equal(c.jwt, base.jwt);
});

test.run();
