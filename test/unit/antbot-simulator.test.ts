// The simulated AntBot (mounted in the simulator at /antbot/rest-api), and the real AntBot client against it.

import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AntBotClient } from '../../src/antbot/client.js';
import { buildDncSet } from '../../src/antbot/dnc.js';
import { AntBotAuthError } from '../../src/antbot/errors.js';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.js';

const t = suite<{ sim: Simulator }>('simulated AntBot');
t.before(async (ctx) => {
  ctx.sim = await startSimulator({ historySeedCount: 0 });
});
t.after(async (ctx) => ctx.sim?.close());

async function call(
  sim: Simulator,
  method: string,
  path: string,
  o: { body?: unknown; token?: string; raw?: string; type?: string } = {},
) {
  const res = await fetch(`${sim.antbotUrl}${path}`, {
    method,
    headers: {
      ...(o.body !== undefined || o.raw !== undefined ? { 'content-type': o.type ?? 'application/json' } : {}),
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
    },
    body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function token(sim: Simulator): Promise<string> {
  const r = await call(sim, 'POST', '/get-token/', {
    body: { username: sim.credentials.antbotUsername, password: sim.credentials.antbotPassword },
  });
  assert.is(r.status, 200);
  return r.body.token as string;
}

t('get-token: the simulator credentials (JSON or form) → { token }; anything else 400', async ({ sim }) => {
  const { antbotUsername: u, antbotPassword: p } = sim.credentials;
  assert.is(sim.antbotUrl, `${sim.url}/antbot/rest-api`);
  assert.match(await token(sim), /^[0-9a-f]{40}$/);
  const form = await call(sim, 'POST', '/get-token/', {
    raw: `username=${encodeURIComponent(u)}&password=${encodeURIComponent(p)}`,
    type: 'application/x-www-form-urlencoded',
  });
  assert.is(form.status, 200);
  const wrong = await call(sim, 'POST', '/get-token/', { body: { username: u, password: 'nope' } });
  assert.equal(wrong, { status: 400, body: { non_field_errors: ['Unable to log in with provided credentials.'] } });
  const missing = await call(sim, 'POST', '/get-token/', { body: { username: u } });
  assert.equal(missing, { status: 400, body: { password: ['This field is required.'] } });
  assert.is((await call(sim, 'POST', '/get-token/', { raw: '{bad', type: 'application/json' })).status, 400);
  sim.antbot.faults.tokenStyle = 'access_token';
  const oauth = await call(sim, 'POST', '/get-token/', { body: { username: u, password: p } });
  assert.equal(Object.keys(oauth.body).sort(), ['access_token', 'expires_in', 'token_type']);
  sim.antbot.faults.tokenStyle = 'access';
  assert.type((await call(sim, 'POST', '/get-token/', { body: { username: u, password: p } })).body.access, 'string');
  sim.antbot.reset();
});

t('dnc-contact: Bearer token required; DRF pages of 20 with absolute next/previous links', async ({ sim }) => {
  assert.equal(await call(sim, 'GET', '/dnc-contact/'), {
    status: 401,
    body: { detail: 'Authentication credentials were not provided.' },
  });
  assert.equal(await call(sim, 'GET', '/dnc-contact/', { token: 'forged' }), {
    status: 401,
    body: { detail: 'Invalid token.' },
  });
  const tok = await token(sim);
  const p1 = await call(sim, 'GET', '/dnc-contact/', { token: tok });
  assert.is(p1.status, 200);
  const total = sim.antbot.dnc.entries().length;
  assert.ok(total > 20 && total <= 40, `${total} entries`);
  assert.is(p1.body.count, total);
  assert.is((p1.body.results as unknown[]).length, 20);
  assert.is(p1.body.previous, null);
  assert.is(p1.body.next, `${sim.antbotUrl}/dnc-contact/?page=2`);
  const p2 = await call(sim, 'GET', '/dnc-contact/?page=2', { token: tok });
  assert.is((p2.body.results as unknown[]).length, total - 20);
  assert.is(p2.body.next, null);
  assert.is(p2.body.previous, `${sim.antbotUrl}/dnc-contact/`);
  assert.equal((p1.body.results as { id: number }[])[0], { id: 1, phone_number: '0912000001', dnc: 1 });
  assert.equal(await call(sim, 'GET', '/dnc-contact/?page=3', { token: tok }), {
    status: 404,
    body: { detail: 'Invalid page.' },
  });
  assert.is((await call(sim, 'GET', '/dnc-contact/?page=abc', { token: tok })).status, 404);
  const lists = await call(sim, 'GET', '/dnc-list/', { token: tok });
  assert.is(lists.body.count, 2);
  // Some entries in the legacy 11-digit form.
  assert.ok(sim.antbot.dnc.entries().some((e) => /^01\d{9}$/.test(e.phone_number)));
});

t(
  'faults: fail answers every request with its status; revoked tokens get 401; requests are counted',
  async ({ sim }) => {
    const tok = await token(sim);
    const before = sim.stats().antbot;
    sim.antbot.faults.fail = 503;
    assert.is((await call(sim, 'GET', '/dnc-contact/', { token: tok })).status, 503);
    assert.is((await call(sim, 'POST', '/get-token/', { body: {} })).status, 503);
    sim.antbot.reset();
    sim.antbot.revokeTokens();
    assert.is((await call(sim, 'GET', '/dnc-contact/', { token: tok })).status, 401);
    const after = sim.stats().antbot;
    assert.is(after.total - before.total, 3);
    assert.is((after.routes['GET /dnc-contact/'] ?? 0) - (before.routes['GET /dnc-contact/'] ?? 0), 2);
    assert.ok(sim.antbot.issuedTokens().includes(tok));
  },
);

t('the real client reads every page; a legacy entry blocks the new number', async ({ sim }) => {
  const c = new AntBotClient({
    apiUrl: sim.antbotUrl,
    username: sim.credentials.antbotUsername,
    password: sim.credentials.antbotPassword,
    logger: pino({ level: 'silent' }),
  });
  try {
    const entries = await c.dncContacts();
    assert.is(entries.length, sim.antbot.dnc.entries().length);
    const { set, skipped } = buildDncSet(entries);
    assert.is(skipped, 0);
    assert.ok(set.has('0362223344'), 'from the legacy entry 01662223344');
    assert.ok(set.has('0915000011'), 'from 84915000011');
  } finally {
    await c.stop();
  }
  const bad = new AntBotClient({
    apiUrl: sim.antbotUrl,
    username: 'x',
    password: 'y',
    logger: pino({ level: 'silent' }),
  });
  try {
    await bad.dncContacts();
    assert.unreachable();
  } catch (e) {
    assert.instance(e, AntBotAuthError);
  } finally {
    await bad.stop();
  }
});

t.run();
