// The AntBot client with a scripted fetch: token shapes, DRF pages through `next` (same origin only, bounded),
// 401 → fresh token and one retry, refused credentials, timeouts; no password or token in logs or errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AntBotClient, parseDncContact, parseList, parseToken } from '../../src/antbot/client.js';
import {
  AntBotAuthError,
  AntBotHttpError,
  AntBotNetworkError,
  AntBotResponseError,
  AntBotTimeoutError,
} from '../../src/antbot/errors.js';
import { FakeClock, flush } from '../helpers/clock.js';
import { type FetchHandler, fakeFetch } from '../helpers/fake-fetch.js';
import { captureLogger } from '../helpers/logs.js';
import { rejects } from '../helpers/rejects.js';

const API = 'https://alice.example.test/rest-api';
const PASSWORD = 'antbot-pw-7c1d';

type Handler = FetchHandler;

function client(handler: Handler, extra: { clock?: FakeClock; timeoutMs?: number; maxPages?: number } = {}) {
  const f = fakeFetch(handler);
  const logs = captureLogger('trace');
  const c = new AntBotClient({
    apiUrl: `${API}/`,
    username: 'alice',
    password: PASSWORD,
    fetch: f.fetch,
    logger: logs.logger,
    clock: extra.clock,
    timeoutMs: extra.timeoutMs,
    maxPages: extra.maxPages,
  });
  return { c, seen: f.seen, logs };
}

const page = (results: unknown[], next: string | null = null) => ({
  count: results.length,
  next,
  previous: null,
  results,
});

test('parseToken: { token }, { access }, { access_token, expires_in }; no expiry = 1 hour', () => {
  const now = 1_000_000;
  assert.equal(parseToken({ token: 'abc' }, now), { value: 'abc', expiresAt: now + 3_600_000 });
  assert.equal(parseToken({ access: 'jwt', refresh: 'r' }, now), { value: 'jwt', expiresAt: now + 3_600_000 });
  assert.equal(parseToken({ access_token: 'o', expires_in: 600, token_type: 'Bearer' }, now), {
    value: 'o',
    expiresAt: now + 600_000,
  });
  assert.equal(parseToken({ access_token: 'o', expires_in: '120' }, now), { value: 'o', expiresAt: now + 120_000 });
  assert.equal(parseToken({ access_token: 'o', expires_in: -5 }, now), { value: 'o', expiresAt: now + 3_600_000 });
  for (const bad of [null, 'tok', {}, { token: '' }, { token: 5 }, { access: null }])
    assert.is(parseToken(bad, now), undefined);
});

test('parseList / parseDncContact: DRF pages or bare arrays; entries need a phone number', () => {
  assert.equal(parseList(page([1], 'http://x/?page=2')), { results: [1], next: 'http://x/?page=2' });
  assert.equal(parseList([1, 2]), { results: [1, 2] });
  for (const bad of [null, {}, { results: 'x' }, 'x']) assert.is(parseList(bad), undefined);
  assert.equal(parseDncContact({ id: 3, phone_number: ' 0934890883 ', dnc: 1 }), {
    id: 3,
    phone_number: '0934890883',
    dnc: 1,
  });
  for (const bad of [null, {}, { phone_number: '' }, { phone_number: {} }, { phone_number: 'x'.repeat(65) }])
    assert.is(parseDncContact(bad), undefined);
});

test('get-token then every DRF page with the Bearer token; the token is reused', async () => {
  const { c, seen } = client((url, init) => {
    if (url.endsWith('/get-token/')) {
      assert.equal(JSON.parse(init.body!), { username: 'alice', password: PASSWORD });
      return { status: 200, body: { token: 'tok-1' } };
    }
    if (url === `${API}/dnc-contact/`)
      return {
        status: 200,
        body: page([{ id: 1, phone_number: '0934890883', dnc: 1 }, { id: 2 }], `${API}/dnc-contact/?page=2`),
      };
    if (url === `${API}/dnc-contact/?page=2`)
      return { status: 200, body: page([{ id: 3, phone_number: '01662223344', dnc: 2 }]) };
    return { status: 404 };
  });
  const list = await c.dncContacts();
  assert.equal(
    list.map((e) => e.phone_number),
    ['0934890883', '01662223344'],
  );
  assert.equal(
    seen.map((s) => `${s.init.method} ${s.url}`),
    [`POST ${API}/get-token/`, `GET ${API}/dnc-contact/`, `GET ${API}/dnc-contact/?page=2`],
  );
  assert.is(seen[1].init.headers.authorization, 'Bearer tok-1');
  await c.dncContacts();
  assert.is(seen.filter((s) => s.url.endsWith('/get-token/')).length, 1);
  await c.stop();
});

test('a 401 on a data call: the token is replaced and the call retried once; a second 401 is an error', async () => {
  let tokens = 0;
  let refuse = 1;
  const { c, seen } = client((url, init) => {
    if (url.endsWith('/get-token/'))
      return { status: 200, body: { access_token: `tok-${++tokens}`, expires_in: 3600 } };
    if (refuse > 0 && init.headers.authorization === 'Bearer tok-1')
      return { status: 401, body: { detail: 'Invalid token.' } };
    if (refuse > 1) return { status: 401 };
    return { status: 200, body: [] };
  });
  assert.equal(await c.dncContacts(), []);
  assert.is(tokens, 2);
  assert.equal(
    seen.filter((s) => s.url.includes('dnc-contact')).map((s) => s.init.headers.authorization),
    ['Bearer tok-1', 'Bearer tok-2'],
  );
  refuse = 2;
  const e = await rejects(c.dncContacts(), AntBotHttpError);
  assert.is((e as InstanceType<typeof AntBotHttpError>).status, 401);
  await c.stop();
});

test('refused credentials (400/401) are AntBotAuthError and fail fast; nothing secret in messages or logs', async () => {
  const { c, logs } = client((url) =>
    url.endsWith('/get-token/')
      ? { status: 400, body: { non_field_errors: ['Unable to log in'] } }
      : { status: 200, body: [] },
  );
  const e = await rejects(c.dncContacts(), AntBotAuthError);
  assert.is(e.name, 'AntBotAuthError');
  assert.is((e as InstanceType<typeof AntBotAuthError>).code, 'ANTBOT_AUTH_FAILED');
  assert.is(e.message, 'AntBot get_token: refused (HTTP 400)');
  // The keeper remembers the refusal: the next call fails at once, without waiting for its retry.
  await rejects(c.dncContacts(), AntBotAuthError);
  assert.not.ok(logs.text().includes(PASSWORD));
  await c.stop();
});

test('next links to another host are refused (the token goes nowhere else); more than maxPages is an error', async () => {
  const foreign = client((url) => {
    if (url.endsWith('/get-token/')) return { status: 200, body: { token: 'tok-secret-1' } };
    return {
      status: 200,
      body: page([{ phone_number: '0934890883' }], 'https://evil.example.test/rest-api/dnc-contact/?page=2'),
    };
  });
  const e = await rejects(foreign.c.dncContacts(), AntBotResponseError);
  assert.match(e.message, /another host/);
  assert.ok(foreign.seen.every((s) => s.url.startsWith(API)));
  assert.not.ok(foreign.logs.text().includes('tok-secret-1'));
  await foreign.c.stop();

  const endless = client(
    (url, _init, n) => {
      if (url.endsWith('/get-token/')) return { status: 200, body: { token: 't' } };
      return { status: 200, body: page([{ phone_number: '0934890883' }], `${API}/dnc-contact/?page=${n + 1}`) };
    },
    { maxPages: 3 },
  );
  assert.match((await rejects(endless.c.dncContacts(), AntBotResponseError)).message, /more than 3 pages/);
  assert.is(endless.seen.length, 4, 'token + 3 pages');
  await endless.c.stop();
});

test('errors: 5xx, non-JSON, network failure, timeout', async () => {
  let mode = '500';
  const clock = new FakeClock();
  const { c } = client(
    (url) => {
      if (url.endsWith('/get-token/')) return { status: 200, body: { token: 't' } };
      if (mode === '500') return { status: 500 };
      if (mode === 'html') return { status: 200, body: '<html>' };
      if (mode === 'net') throw Object.assign(new Error(`connect ECONNREFUSED ${url}`), { code: 'ECONNREFUSED' });
      return new Promise(() => undefined);
    },
    { clock, timeoutMs: 1000 },
  );
  assert.is(((await rejects(c.dncContacts(), AntBotHttpError)) as InstanceType<typeof AntBotHttpError>).status, 500);
  mode = 'html';
  await rejects(c.dncContacts(), AntBotResponseError);
  mode = 'net';
  const net = await rejects(c.dncContacts(), AntBotNetworkError);
  assert.is(net.message, 'AntBot dnc_contact: network error (ECONNREFUSED)');
  mode = 'hang';
  const p = rejects(c.dncContacts(), AntBotTimeoutError);
  await flush();
  await clock.advance(1000);
  await p;
  await c.stop();
});

test.run();
