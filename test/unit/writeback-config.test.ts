// The write-back's configuration (contract §7.2): ANTCRM_WRITEBACK, WEBHOOK_URLS/SECRET/EVENTS, DATA_DIR,
// OUTBOX_MAX_AGE_H, ANTCRM_TICKET_SLA; demo-mode defaults; problems named without echoing URLs or secrets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../src/config.js';
import { problemsOf as expectProblems } from '../helpers/problems.js';

const PROD = {
  ANTRING_APP_ID: 'app',
  ANTRING_APP_SECRET: 'secret',
  ANTRING_ACCOUNT_ID: 'acc1',
  JWT_SECRET: 'x'.repeat(32),
  ANTRING_DOMAIN: 'd.example',
  ANTRING_EMAIL: 'ops@d.example',
  ANTCRM_API_KEY: 'k',
};
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const problemsOf = (env: Record<string, string>): string[] => expectProblems(ConfigError, () => loadConfig(env));

const t = suite('write-back config');
t('production defaults: nothing written, no webhooks, ./data, 24 h', () => {
  const c = loadConfig(PROD);
  assert.equal(c.writeback, { tickets: false, leads: false, wrapup: false, ticketSla: '' });
  assert.equal(c.webhooks, { urls: [], secret: undefined, events: ['call.ringing', 'call.answered', 'call.ended'] });
  assert.is(c.dataDir, './data');
  assert.is(c.outboxMaxAgeMs, 24 * 3_600_000);
  assert.is(c.outboxDurability, 'process');
});
t('OUTBOX_DURABILITY: process or power, anything else named', () => {
  assert.is(loadConfig({ ...PROD, OUTBOX_DURABILITY: 'power' }).outboxDurability, 'power');
  const problems = problemsOf({ ...PROD, OUTBOX_DURABILITY: 'disk' });
  assert.is(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /^OUTBOX_DURABILITY: .*"disk".*process.*power/);
});
t('demo mode: tickets, leads and wrap-up on, a generated secret per start', () => {
  const a = loadConfig({});
  const b = loadConfig({});
  assert.equal(a.writeback, { tickets: true, leads: true, wrapup: true, ticketSla: '' });
  assert.match(a.webhooks.secret ?? '', /^whsec_[A-Za-z0-9+/]{32}$/);
  assert.is.not(a.webhooks.secret, b.webhooks.secret);
  assert.equal(a.webhooks.urls, []);
});
t('values parsed: lists, SLA, age', () => {
  const c = loadConfig({
    ...PROD,
    ANTCRM_WRITEBACK: 'tickets, wrapup',
    WEBHOOK_URLS: 'https://a.example/h, http://127.0.0.1:9/x',
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_EVENTS: 'call.ended',
    ANTCRM_TICKET_SLA: ' 4h ',
    OUTBOX_MAX_AGE_H: '48',
    DATA_DIR: '/var/lib/bridge',
  });
  assert.equal(c.writeback, { tickets: true, leads: false, wrapup: true, ticketSla: '4h' });
  assert.equal(c.webhooks.urls, ['https://a.example/h', 'http://127.0.0.1:9/x']);
  assert.equal(c.webhooks.events, ['call.ended']);
  assert.is(c.dataDir, '/var/lib/bridge');
  assert.is(c.outboxMaxAgeMs, 48 * 3_600_000);
});
t(
  'problems: unknown kinds and events, plain http elsewhere, secret missing or malformed, write-back without a key',
  () => {
    const p = problemsOf({
      ...PROD,
      ANTCRM_API_KEY: '',
      ANTCRM_WRITEBACK: 'tickets,calls',
      WEBHOOK_EVENTS: 'call.ended,call.parked',
      WEBHOOK_URLS: 'http://hooks.example/secret-token',
      OUTBOX_MAX_AGE_H: '0',
    });
    const text = p.join('\n');
    assert.match(text, /ANTCRM_WRITEBACK: "calls" not allowed/);
    assert.match(text, /WEBHOOK_EVENTS: "call.parked" not allowed/);
    assert.match(text, /WEBHOOK_URLS: item 1 is not an https:\/\/ URL/);
    assert.match(text, /WEBHOOK_SECRET: required with WEBHOOK_URLS/);
    assert.match(text, /ANTCRM_WRITEBACK: needs ANTCRM_API_KEY/);
    assert.match(text, /OUTBOX_MAX_AGE_H/);
    assert.not.match(text, /secret-token/, 'the URL is never echoed');
    const bad = problemsOf({ ...PROD, WEBHOOK_URLS: 'https://a.example', WEBHOOK_SECRET: 'not-a-secret-value' }).join(
      '\n',
    );
    assert.match(bad, /WEBHOOK_SECRET: must be whsec_<base64>/);
    assert.not.match(bad, /not-a-secret-value/);
  },
);
t('WEBHOOK_URLS alone leaves demo mode (a production setting)', () => {
  const p = problemsOf({ WEBHOOK_URLS: 'https://a.example', WEBHOOK_SECRET: SECRET }).join('\n');
  assert.match(p, /ANTRING_APP_ID: required outside demo mode/);
});
t.run();
