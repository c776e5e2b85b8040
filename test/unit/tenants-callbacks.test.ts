// A tenant's `callbacks` in the tenants file (contract §9.1, issue 18 per tenant): parsed by the recovery's schema,
// off when absent, every problem named by its field; an enabled tenant needs its AntBot credentials; the tenant's
// setting (not the environment's) is what its runtime gets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../src/config.js';
import { tenantConfigOf } from '../../src/tenants/env.js';
import { parseTenants } from '../../src/tenants/file.js';
import { TenantsError } from '../../src/tenants/types.js';
import { problemsOf } from '../helpers/problems.js';

const test = suite('tenants-callbacks');
const base = loadConfig({
  ANTRING_APP_ID: 'app',
  ANTRING_APP_SECRET: 'secret',
  ANTRING_ACCOUNT_ID: 'acc1',
  ANTRING_DOMAIN: 'd.example',
  ANTRING_EMAIL: 'a@d.example',
  JWT_SECRET: 'x'.repeat(32),
  ANTRING_SIGNAL_PROTOCOL: 'blackhole',
});
const src = { env: { BOT_PW: 'botpw' }, readFile: () => '' };
const tenant = (over: Record<string, unknown> = {}) => ({
  accountId: 'a1',
  antring: { appId: 'a', appSecret: 'plain', domain: 'a.example', email: 'x@a' },
  antbot: { username: 'bot', password: { env: 'BOT_PW' } },
  ...over,
});
const on = { enabled: true, calendar: 7, creator: 5, transferTo: { q1: '02873019555', '*': '1001' }, delaySec: 60 };

test('enabled callbacks parsed; absent → off; the runtime gets the tenant’s own', () => {
  const [a, b] = parseTenants([tenant({ callbacks: on }), tenant({ accountId: 'b2' })], base, src);
  assert.ok(a.callbacks?.enabled);
  if (!a.callbacks?.enabled) return;
  assert.equal([a.callbacks.delaySec, a.callbacks.calendar, a.callbacks.transferTo.byQueue.q1], [60, 7, '02873019555']);
  assert.is(b.callbacks, undefined);
  assert.is(tenantConfigOf(base, a).callbacks.enabled, true);
  assert.is(tenantConfigOf(base, b).callbacks.enabled, false);
});

test('problems named by field: a typo, a missing calendar, no AntBot credentials', () => {
  const p = problemsOf(TenantsError, () =>
    parseTenants(
      [
        tenant({ callbacks: { ...on, delaySecs: 5 } }),
        tenant({ accountId: 'b2', callbacks: { enabled: true, creator: 5, transferTo: '1001' } }),
        tenant({ accountId: 'c3', antbot: undefined, callbacks: on }),
      ],
      base,
      src,
    ),
  );
  const text = p.join('\n');
  assert.match(text, /delaySecs/);
  assert.match(text, /calendar/);
  assert.match(text, /callbacks\.enabled.*antbot/);
});

test.run();
