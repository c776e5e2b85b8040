// Issue 16 item 7: one catalogue of coded errors (src/shared/error-catalogue.ts, as fastify's lib/errors.js). Each
// error of the bridge carries a stable catalogue code; its message and its wire code (the contract's §4 codes, which
// give the HTTP status) come from the catalogue; the HTTP error body, the logs and main.ts's exit paths read the code,
// and nothing in src/ matches an error by its class name.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextFunction, Request, Response } from 'express';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DncUnavailableError } from '../../src/antbot/dnc.js';
import { AntBotAuthError, AntBotNetworkError, AntBotTimeoutError } from '../../src/antbot/errors.js';
import { AntCrmHttpError, AntCrmResponseError, AntCrmTimeoutError, CONTACTS_OP } from '../../src/antcrm/errors.js';
import {
  AntRingArgumentError,
  AntRingAuthError,
  AntRingConfigError,
  AntRingHttpError,
  AntRingNetworkError,
  AntRingResponseError,
  AntRingTimeoutError,
  DeviceOfflineError,
} from '../../src/antring/errors.js';
import { ConfigError } from '../../src/config.js';
import { ERROR_STATUS, type ErrorCode } from '../../src/contract.js';
import { DevicesFileError } from '../../src/dial/devices.js';
import { JwtConfigError } from '../../src/fanout/jwt.js';
import { errorHandler, HttpError } from '../../src/http/errors.js';
import { CodedError, ERROR_CATALOGUE, exitOf, hasCode, isCatalogued } from '../../src/shared/error-catalogue.js';
import { errSummary, errText } from '../../src/shared/errors.js';
import { SignalConfigError, SignalConnectError, SignalTokenError } from '../../src/signals/errors.js';
import { UpstreamHttpError, UpstreamNetworkError, UpstreamResponseError } from '../../src/upstream/errors.js';
import { WebhookConfigError } from '../../src/webhooks/sender.js';
import { captureLogger } from '../helpers/logs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('every error of the bridge carries a code declared in the catalogue', () => {
  const errors: Error[] = [
    new AntRingHttpError('agents', 500),
    new AntRingAuthError('auth_token', 401),
    new AntRingTimeoutError('histories', 5000),
    new AntRingNetworkError('agents', 'ECONNREFUSED'),
    new AntRingResponseError('agents', 'x'),
    new AntRingConfigError('dashboard'),
    new AntRingArgumentError('click_to_call'),
    new DeviceOfflineError(),
    new AntCrmHttpError(CONTACTS_OP, 500),
    new AntCrmTimeoutError('createTicket', 10),
    new AntCrmResponseError('createLead', 'no leadId'),
    new AntBotAuthError('get_token', 401),
    new AntBotTimeoutError('dnc_contact', 10),
    new AntBotNetworkError('cdr', 'ECONNRESET'),
    new UpstreamHttpError('webhook', 'send ab12', 503),
    new UpstreamNetworkError('webhook', 'send ab12', 'ECONNREFUSED'),
    new UpstreamResponseError('webhook', 'send ab12', 'x'),
    new DncUnavailableError('ANTBOT_HTTP'),
    new ConfigError(['PORT: not a number']),
    new JwtConfigError('unsupported key'),
    new DevicesFileError(['line 1: bad']),
    new WebhookConfigError('bad secret'),
    new SignalConfigError('accountId is required'),
    new SignalConnectError('handshake answered HTTP 500', 'handshake_http_status'),
    new SignalTokenError('no token'),
    ...(Object.keys(ERROR_STATUS) as ErrorCode[]).map((w) => new HttpError(w, 'x')),
  ];
  for (const e of errors) {
    assert.instance(e, CodedError, e.name);
    assert.ok(isCatalogued((e as CodedError).code), `${e.name}: ${(e as CodedError).code}`);
  }
  assert.not.ok(isCatalogued('ANTRING_NOPE'));
  assert.not.ok(isCatalogued('HTTP_NOPE'));
});

test('codes and messages come from the catalogue: one per service and failure, stable', () => {
  const cases: [CodedError, string, string][] = [
    [new AntRingAuthError('auth_token', 401), 'ANTRING_AUTH_FAILED', 'AntRing auth_token: refused (HTTP 401)'],
    [new AntRingHttpError('agents', 500), 'ANTRING_HTTP', 'AntRing agents: HTTP 500'],
    [new AntCrmTimeoutError(CONTACTS_OP, 2000), 'ANTCRM_TIMEOUT', 'AntCRM findByPhone: no answer within 2000 ms'],
    [
      new AntBotNetworkError('dnc_contact', 'ECONNRESET'),
      'ANTBOT_NETWORK',
      'AntBot dnc_contact: network error (ECONNRESET)',
    ],
    [
      new UpstreamResponseError('webhook', 'send ab12', 'x'),
      'WEBHOOK_RESPONSE',
      'webhook send ab12: unusable response (x)',
    ],
    [
      new AntRingConfigError('agents'),
      'ANTRING_CONFIG_MISSING',
      'AntRing agents: ANTRING_DOMAIN and ANTRING_EMAIL are required',
    ],
    [new DeviceOfflineError(), 'ANTRING_DEVICE_OFFLINE', 'AntRing click_to_call: device offline (HTTP 400)'],
  ];
  for (const [e, code, message] of cases) {
    assert.is(e.code, code, e.name);
    assert.is(e.message, message, code);
  }
  // A refused credential is its own code, whichever service: the token keeper fails fast on it.
  assert.ok(hasCode(new AntBotAuthError('get_token', 400), 'ANTBOT_AUTH_FAILED'));
  assert.not.ok(hasCode(new AntBotAuthError('get_token', 400), 'ANTRING_AUTH_FAILED'));
});

test("the wire codes are the contract's (§4): device_offline 409, HttpError bodies unchanged", () => {
  const offline = new DeviceOfflineError();
  assert.is(offline.wire, 'device_offline');
  assert.is(offline.statusCode, 409);
  assert.is(new AntRingTimeoutError('agents', 1).wire, undefined, 'an upstream failure is mapped by its route');
  for (const wire of Object.keys(ERROR_STATUS) as ErrorCode[]) {
    const e = new HttpError(wire, 'm');
    assert.is(e.code, `HTTP_${wire.toUpperCase()}`);
    assert.is(e.status, ERROR_STATUS[wire]);
    assert.equal(e.body(), { error: wire, message: 'm' });
  }
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
    const wire = (entry as { wire?: string }).wire;
    if (wire !== undefined) assert.ok(wire in ERROR_STATUS, `${code}: ${wire} is a contract code`);
  }
});

/** The Express error handler on a fake request/response: the status, the body and the log. */
function handle(err: unknown): { status: number; body: unknown; logs: ReturnType<typeof captureLogger> } {
  const logs = captureLogger('debug');
  const out = { status: 0, body: undefined as unknown };
  const res = {
    headersSent: false,
    setHeader: () => res,
    status(s: number) {
      out.status = s;
      return res;
    },
    json(b: unknown) {
      out.body = b;
      return res;
    },
    destroy: () => undefined,
  };
  errorHandler(logs.logger)(err, { path: '/api/x' } as Request, res as unknown as Response, (() => {}) as NextFunction);
  return { ...out, logs };
}

test('the HTTP error body of a coded error is its catalogue wire code; other errors are a 500 logged by code', () => {
  const offline = handle(new DeviceOfflineError());
  assert.is(offline.status, 409);
  assert.equal(offline.body, { error: 'device_offline', message: 'AntRing click_to_call: device offline (HTTP 400)' });
  const dnc = handle(new DncUnavailableError('ANTBOT_TIMEOUT'));
  assert.is(dnc.status, 503);
  assert.is((dnc.body as { error: string }).error, 'upstream_unavailable');
  const timeout = handle(new AntRingTimeoutError('histories', 5000));
  assert.is(timeout.status, 500);
  assert.equal(timeout.body, { error: 'internal_error', message: 'internal error' });
  const logged = timeout.logs.records.find((r) => r.msg === 'unhandled request error') as { err?: { code?: string } };
  assert.is(logged?.err?.code, 'ANTRING_TIMEOUT');
});

test('logs name an error by its code (errText, errSummary); an error from elsewhere by its name', () => {
  assert.is(errText(new AntRingTimeoutError('agents', 5)), 'ANTRING_TIMEOUT: AntRing agents: no answer within 5 ms');
  assert.is(errSummary(new AntCrmHttpError(CONTACTS_OP, 503)).code, 'ANTCRM_HTTP');
  assert.is(errText(new TypeError('boom')), 'TypeError: boom');
});

test('exit paths read the code: configuration errors exit as config, a name alone does not', () => {
  for (const e of [
    new ConfigError(['PORT: not a number']),
    new JwtConfigError('unsupported key'),
    new DevicesFileError(['line 1: bad']),
    new WebhookConfigError('bad secret'),
    new SignalConfigError('accountId is required'),
  ]) {
    assert.is(exitOf(e), 'config', e.name);
  }
  assert.is(exitOf(new AntRingAuthError('auth_token', 401)), undefined);
  const impostor = Object.assign(new Error('x'), { name: 'JwtConfigError' });
  assert.is(exitOf(impostor), undefined, 'a class name is not a code');
  assert.not.ok(hasCode(Object.assign(new Error('x'), { name: 'BridgeStoppedError' }), 'BRIDGE_STOPPED'));
});

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return files(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}
function matching(re: RegExp, dirs = ['src']): string[] {
  return dirs
    .flatMap(files)
    .filter((f) => re.test(readFileSync(join(ROOT, f), 'utf8')))
    .map((f) => relative(ROOT, join(ROOT, f)))
    .sort();
}

test('src/: no error is matched by its class name', () => {
  assert.equal(
    matching(
      /\.name\s*[!=]==?\s*'\w*Error'|includes\(\s*\w+\.name\s*\)|\/\^?[A-Z]\w*\/\.test\(\s*\w+\.name|CONFIG_ERRORS/,
    ),
    [],
  );
});

test('src/: the upstream error tree is declared once (no per-service copy of a kind class)', () => {
  assert.equal(matching(/class \w+(Http|Auth|Timeout|Network|Response)Error\s+extends/), ['src/upstream/errors.ts']);
});

test('src/: every error class of the bridge has a catalogue code (the simulator, a fake of AntRing, aside)', () => {
  const plain = matching(/class \w+ extends (Error|TypeError|RangeError)\b/).filter(
    (f) => !f.startsWith('src/simulator/'),
  );
  assert.equal(plain, ['src/shared/error-catalogue.ts']);
});

test.run();
