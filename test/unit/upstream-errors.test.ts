// The upstream error tree: every client's errors are UpstreamErrors with service/operation/kind/retryable and a
// catalogue code, the kind classes match across services, and one mapping to the contract's codes; the kit's request
// rule (deadline, caller's signal, a fetch that ignores its signal).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AntBotAuthError, AntBotHttpError, AntBotTimeoutError } from '../../src/antbot/errors.js';
import {
  AntCrmAuthError,
  AntCrmError,
  AntCrmHttpError,
  AntCrmNetworkError,
  AntCrmTimeoutError,
  CONTACTS_OP,
} from '../../src/antcrm/errors.js';
import { AntCrmWriteHttpError, AntCrmWriteResponseError, AntCrmWriteTimeoutError } from '../../src/antcrm/writer.js';
import {
  AntRingAuthError,
  AntRingConfigError,
  AntRingError,
  AntRingHttpError,
  AntRingNetworkError,
  AntRingResponseError,
  AntRingTimeoutError,
  DeviceOfflineError,
} from '../../src/antring/errors.js';
import {
  UpstreamAuthError,
  UpstreamError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamResponseError,
  UpstreamTimeoutError,
} from '../../src/upstream/errors.js';
import type { FetchLike } from '../../src/upstream/fetch.js';
import { upstreamErrorCode } from '../../src/upstream/http-mapping.js';
import { fetchText } from '../../src/upstream/request.js';

test('every client error is an UpstreamError naming its service and operation', () => {
  const cases: [UpstreamError, string, string][] = [
    [new AntRingHttpError('histories', 500), 'antring', 'histories'],
    [new AntRingTimeoutError('click_to_call', 5000), 'antring', 'click_to_call'],
    [new AntRingConfigError('agents'), 'antring', 'agents'],
    [new AntCrmHttpError(CONTACTS_OP, 500), 'antcrm', 'findByPhone'],
    [new AntCrmWriteHttpError('createTicket', 503), 'antcrm', 'createTicket'],
    [new AntBotHttpError('dnc_contact', 500), 'antbot', 'dnc_contact'],
    [new AntBotAuthError('get_token', 401), 'antbot', 'get_token'],
  ];
  for (const [e, service, operation] of cases) {
    assert.instance(e, UpstreamError, e.name);
    assert.is(e.service, service, e.name);
    assert.is(e.operation, operation, e.name);
  }
  // The historical names and families still hold.
  assert.instance(new DeviceOfflineError(), AntRingHttpError);
  assert.instance(new AntRingAuthError('auth_token', 401), AntRingError);
  assert.instance(new AntBotAuthError('get_token', 401), UpstreamAuthError, 'the token keeper fails fast on it');
  assert.not.instance(new AntBotAuthError('get_token', 401), AntRingAuthError);
  assert.is(new AntBotAuthError('get_token', 401).name, 'AntBotAuthError');
  assert.instance(new AntCrmAuthError(CONTACTS_OP, 403), AntCrmHttpError);
  assert.instance(new AntCrmWriteTimeoutError('createLead', 10), AntCrmError);
  assert.not.instance(new AntRingHttpError('agents', 500), AntCrmError);
  assert.not.instance(new AntRingHttpError('agents', 500), AntRingAuthError);
  assert.not.instance(new AntRingHttpError('agents', 500), DeviceOfflineError);
});

test('the kind classes match across services (and only their kind)', () => {
  assert.instance(new AntRingTimeoutError('agents', 1), UpstreamTimeoutError);
  assert.instance(new AntCrmTimeoutError(CONTACTS_OP, 1), UpstreamTimeoutError);
  assert.instance(new AntBotTimeoutError('get_token', 1), UpstreamTimeoutError);
  assert.instance(new AntCrmWriteTimeoutError('createTicket', 1), UpstreamTimeoutError);
  assert.instance(new AntRingNetworkError('agents', 'ECONNREFUSED'), UpstreamNetworkError);
  assert.instance(new AntCrmNetworkError(CONTACTS_OP, 'ECONNRESET'), UpstreamNetworkError);
  assert.instance(new AntRingAuthError('auth_token', 401), UpstreamHttpError);
  assert.instance(new DeviceOfflineError(), UpstreamHttpError);
  assert.instance(new AntRingResponseError('agents', 'x'), UpstreamResponseError);
  assert.instance(new AntCrmWriteResponseError('createLead', 'no leadId'), UpstreamResponseError);
  assert.not.instance(new AntRingHttpError('agents', 500), UpstreamTimeoutError);
  assert.not.instance(new AntRingTimeoutError('agents', 1), UpstreamHttpError);
  assert.not.instance(new Error('x'), UpstreamError);
  assert.not.instance({ kind: 'timeout' }, UpstreamTimeoutError);
});

test('retryable: 5xx, 408, 429, timeouts, network errors; not other 4xx, bad responses, config', () => {
  const yes = [
    new AntRingHttpError('agents', 500),
    new AntRingHttpError('agents', 429),
    new AntCrmHttpError(CONTACTS_OP, 408),
    new AntRingTimeoutError('agents', 1),
    new AntBotTimeoutError('dnc_contact', 1),
    new AntCrmNetworkError(CONTACTS_OP, 'ECONNRESET'),
    new UpstreamHttpError('webhook', 'send', 503),
  ];
  const no = [
    new AntRingAuthError('auth_token', 401),
    new DeviceOfflineError(),
    new AntCrmHttpError(CONTACTS_OP, 404),
    new AntRingResponseError('agents', 'x'),
    new AntRingConfigError('agents'),
    new AntCrmWriteResponseError('createTicket', 'x'),
  ];
  for (const e of yes) assert.ok(e.retryable, e.message);
  for (const e of no) assert.not.ok(e.retryable, e.message);
});

test('one mapping to the contract: unavailable for timeouts, network, 429/502/503/504; error for the rest', () => {
  assert.is(upstreamErrorCode(new AntRingTimeoutError('histories', 5000)), 'upstream_unavailable');
  assert.is(upstreamErrorCode(new AntRingNetworkError('histories', 'ECONNREFUSED')), 'upstream_unavailable');
  assert.is(upstreamErrorCode(new AntCrmTimeoutError(CONTACTS_OP, 2000)), 'upstream_unavailable');
  for (const s of [429, 502, 503, 504])
    assert.is(upstreamErrorCode(new AntRingHttpError('histories', s)), 'upstream_unavailable', String(s));
  for (const s of [400, 404, 500])
    assert.is(upstreamErrorCode(new AntRingHttpError('histories', s)), 'upstream_error', String(s));
  assert.is(upstreamErrorCode(new AntRingAuthError('histories', 401)), 'upstream_error');
  assert.is(upstreamErrorCode(new AntRingResponseError('histories', 'x')), 'upstream_error');
  assert.is(upstreamErrorCode(new AntBotHttpError('dnc_contact', 503)), 'upstream_unavailable');
  assert.is(upstreamErrorCode(new TypeError('a bug')), undefined);
});

const errors = {
  timeout: (t: number) => new UpstreamTimeoutError('antring', 'op', t),
  network: (c: string) => new UpstreamNetworkError('antring', 'op', c),
};

test('fetchText: a fetch that ignores its signal still ends at the deadline (a timeout)', async () => {
  let seen: AbortSignal | undefined;
  const never: FetchLike = (_u, init) => {
    seen = init.signal;
    return new Promise(() => undefined);
  };
  const started = Date.now();
  const e = await fetchText(never, 'http://x.test', { method: 'GET', headers: {} }, { timeoutMs: 60, errors }).catch(
    (err: unknown) => err,
  );
  assert.instance(e, UpstreamTimeoutError);
  assert.is((e as UpstreamTimeoutError).timeoutMs, 60);
  assert.ok(seen?.aborted, 'the fetch signal was aborted too');
  assert.ok(Date.now() - started < 2000);
});

test('fetchText: the caller aborting is a network error ABORTED; already aborted = no request', async () => {
  let calls = 0;
  const hang: FetchLike = (_u, init) => {
    calls++;
    return new Promise((_r, rej) =>
      init.signal.addEventListener('abort', () => rej(Object.assign(new Error('aborted'), { name: 'AbortError' }))),
    );
  };
  const ctrl = new AbortController();
  const p = fetchText(
    hang,
    'http://x.test',
    { method: 'GET', headers: {} },
    { timeoutMs: 5000, signal: ctrl.signal, errors },
  );
  setImmediate(() => ctrl.abort());
  const e = await p.catch((err: unknown) => err);
  assert.instance(e, UpstreamNetworkError);
  assert.is((e as UpstreamNetworkError).sysCode, 'ABORTED');
  const again = await fetchText(
    hang,
    'http://x.test',
    { method: 'GET', headers: {} },
    { timeoutMs: 5000, signal: ctrl.signal, errors },
  ).catch((err: unknown) => err);
  assert.is((again as UpstreamNetworkError).sysCode, 'ABORTED');
  assert.is(calls, 1, 'no second request');
});

test('fetchText: status, body and a system error code (never the message)', async () => {
  const ok: FetchLike = async () => ({ status: 201, text: async () => '{"a":1}' });
  const r = await fetchText(
    ok,
    'http://x.test',
    { method: 'POST', headers: {}, body: '{}' },
    { timeoutMs: 1000, errors },
  );
  assert.is(r.status, 201);
  assert.is(r.text, '{"a":1}');
  const refused: FetchLike = async () => {
    throw Object.assign(new Error('connect ECONNREFUSED http://user:secret@x.test'), { code: 'ECONNREFUSED' });
  };
  const e = await fetchText(
    refused,
    'http://x.test',
    { method: 'GET', headers: {} },
    { timeoutMs: 1000, errors },
  ).catch((err: unknown) => err);
  assert.is((e as UpstreamNetworkError).sysCode, 'ECONNREFUSED');
  assert.not.match((e as Error).message, /secret/);
  const badBody: FetchLike = async () => ({
    status: 200,
    text: async () => {
      throw new Error('reset');
    },
  });
  const b = await fetchText(
    badBody,
    'http://x.test',
    { method: 'GET', headers: {} },
    { timeoutMs: 1000, errors, bestEffortBody: true },
  );
  assert.is(b.text, '');
});

test.run();
