// The click-to-call service with fakes: who may dial, body and number validation, devices, idempotency (shared
// in-flight calls), rate limit, DNC (fail closed), the AntRing error mapping, the metrics hook, no secret out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DncUnavailableError } from '../../src/antbot/dnc.js';
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
import type { Claims } from '../../src/contract.js';
import {
  type ClickToCallOptions,
  ClickToCallService,
  type DialOutcome,
  maskNumber,
} from '../../src/dial/click-to-call.js';
import { parseDevices } from '../../src/dial/devices.js';
import { MemoryIdempotencyStore } from '../../src/dial/idempotency.js';
import { MemoryRateLimiter } from '../../src/dial/rate-limiter.js';
import { FakeClock, flush } from '../helpers/clock.js';
import { captureLogger } from '../helpers/logs.js';

const PASS = 'sip-pass-9f8e7d6c';
const claims = (extra: Partial<Claims> = {}): Claims => ({
  sub: 'u1',
  org: 'org1',
  role: 'agent',
  agent: 'lan.nguyen',
  queues: [],
  exp: 2e9,
  ...extra,
});

function harness(o: Partial<ClickToCallOptions> & { perMinute?: number } = {}) {
  const clock = new FakeClock();
  const calls: [string, { sipUser: string; sipPassword: string }][] = [];
  const results: string[] = [];
  let fail: Error | undefined;
  let gate: Promise<void> | undefined;
  const logs = captureLogger('trace');
  const svc = new ClickToCallService({
    devices: parseDevices({
      'lan.nguyen': { sipUser: 'user_lan8001', sipPassword: PASS },
      'minh.tran': { sipUser: 'user_minh8002', sipPassword: 'p2-secret' },
    }),
    upstream: {
      async clickToCall(number, device) {
        calls.push([number, { sipUser: device.sipUser, sipPassword: device.sipPassword }]);
        if (gate) await gate;
        if (fail) throw fail;
      },
    },
    rateLimiter: new MemoryRateLimiter({ perMinute: o.perMinute ?? 100, clock }),
    idempotency: new MemoryIdempotencyStore({ clock }),
    idempotencyMs: 5000,
    logger: logs.logger,
    onResult: (code) => results.push(code),
    ...o,
  });
  return {
    svc,
    clock,
    calls,
    results,
    logs,
    fail: (e: Error | undefined) => (fail = e),
    hold: () => {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const code = (r: DialOutcome) => ('error' in r ? r.error : r.status);

test("success: the normalised number goes upstream with the agent's device; 202 body", async () => {
  const h = harness();
  assert.equal(await h.svc.dial(claims(), { number: '+84 934 890 883' }), { status: 'dialing', number: '0934890883' });
  assert.equal(h.calls, [['0934890883', { sipUser: 'user_lan8001', sipPassword: PASS }]]);
  assert.equal(await h.svc.dial(claims({ agent: 'minh.tran' }), { number: '+1 (415) 555-2671' }), {
    status: 'dialing',
    number: '+14155552671',
  });
  assert.equal(await h.svc.dial(claims({ role: 'admin', agent: 'minh.tran' }), { number: '8001' }), {
    status: 'dialing',
    number: '8001',
  });
  assert.equal(h.results, ['dialing', 'dialing', 'dialing']);
});

test('forbidden: wallboards, and tokens without an agent claim', async () => {
  const h = harness();
  assert.is(code(await h.svc.dial(claims({ role: 'wallboard' }), { number: '0934890883' })), 'forbidden');
  assert.is(code(await h.svc.dial(claims({ role: 'admin', agent: undefined }), { number: '0934890883' })), 'forbidden');
  assert.is(
    code(await h.svc.dial(claims({ role: 'supervisor', agent: undefined }), { number: '0934890883' })),
    'forbidden',
  );
  assert.is(h.calls.length, 0);
  assert.equal(h.results, ['forbidden', 'forbidden', 'forbidden']);
});

test('invalid_body for anything but { number: string }; invalid_number for a string that is not dialable', async () => {
  const h = harness();
  for (const body of [
    undefined,
    null,
    [],
    ['0934890883'],
    '0934890883',
    934890883,
    {},
    { number: 934890883 },
    { number: null },
    { number: ['1'] },
    { phone: '0934890883' },
  ]) {
    assert.is(code(await h.svc.dial(claims(), body)), 'invalid_body', JSON.stringify(body));
  }
  for (const number of [
    '',
    'abc',
    '0934890883; rm -rf /',
    '1'.repeat(40),
    '<script>',
    '０９３４８９０８８３',
    '0934890883\n1',
  ]) {
    assert.is(code(await h.svc.dial(claims(), { number })), 'invalid_number', JSON.stringify(number));
  }
  // Extra keys are ignored.
  assert.is(code(await h.svc.dial(claims(), { number: '0934890883', source: 'crm' })), 'dialing');
  assert.is(h.calls.length, 1);
});

test('no device for the agent: device_offline with a clear message, nothing upstream', async () => {
  const h = harness();
  const r = await h.svc.dial(claims({ agent: 'ghost' }), { number: '0934890883' });
  assert.equal(r, { error: 'device_offline', message: 'no SIP device is configured for agent ghost (DEVICES_FILE)' });
  assert.is(h.calls.length, 0);
});

test('AntRing errors: 400 → device_offline, timeout/network → upstream_unavailable, HTTP/response → upstream_error; a bug → internal_error', async () => {
  const h = harness({ idempotencyMs: 0 });
  const cases: [Error, string][] = [
    [new DeviceOfflineError(), 'device_offline'],
    [new AntRingTimeoutError('click_to_call', 5000), 'upstream_unavailable'],
    [new AntRingNetworkError('click_to_call', 'ECONNREFUSED'), 'upstream_unavailable'],
    [new AntRingHttpError('click_to_call', 500), 'upstream_error'],
    [new AntRingHttpError('click_to_call', 503), 'upstream_error'],
    [new AntRingAuthError('click_to_call', 401), 'upstream_error'],
    [new AntRingResponseError('click_to_call', 'body is not JSON'), 'upstream_error'],
    [new Error(`boom ${PASS}`), 'internal_error'],
    [new TypeError(`x is undefined ${PASS}`), 'internal_error'],
    [new AntRingArgumentError('click_to_call', 'AntRing click_to_call: empty number'), 'internal_error'],
    [new AntRingConfigError('click_to_call', 'AntRing click_to_call: no domain'), 'internal_error'],
  ];
  for (const [err, expected] of cases) {
    h.fail(err);
    const r = await h.svc.dial(claims(), { number: '0934890883' });
    assert.is(code(r), expected, err.name);
    assert.not.ok(JSON.stringify(r).includes(PASS));
  }
  assert.not.ok(h.logs.text().includes(PASS), 'no SIP password in the logs');
  assert.not.ok(h.logs.text().includes('0934890883'), 'numbers are masked in the logs');
  assert.ok(h.logs.text().includes(maskNumber('0934890883')));
});

test('idempotency: concurrent duplicates share one upstream call; a later one within the window gets the same 202', async () => {
  const h = harness();
  const release = h.hold();
  const a = h.svc.dial(claims(), { number: '0934890883' });
  const b = h.svc.dial(claims(), { number: '+84934890883' });
  await flush();
  assert.is(h.calls.length, 1);
  release();
  assert.equal(await a, { status: 'dialing', number: '0934890883' });
  assert.equal(await b, { status: 'dialing', number: '0934890883' });
  h.clock.t += 4000;
  assert.equal(await h.svc.dial(claims(), { number: '0934 890 883' }), { status: 'dialing', number: '0934890883' });
  assert.is(h.calls.length, 1);
  // Another agent, another number, or after the window: a new call.
  await h.svc.dial(claims({ agent: 'minh.tran' }), { number: '0934890883' });
  await h.svc.dial(claims(), { number: '0912345678' });
  h.clock.t += 1000;
  await h.svc.dial(claims(), { number: '0934890883' });
  assert.is(h.calls.length, 4);
});

test('idempotency: a failure is shared by the concurrent duplicate but not remembered', async () => {
  const h = harness();
  h.fail(new DeviceOfflineError());
  const release = h.hold();
  const a = h.svc.dial(claims(), { number: '0934890883' });
  const b = h.svc.dial(claims(), { number: '0934890883' });
  release();
  assert.is(code(await a), 'device_offline');
  assert.is(code(await b), 'device_offline');
  assert.is(h.calls.length, 1);
  h.fail(undefined);
  assert.is(code(await h.svc.dial(claims(), { number: '0934890883' })), 'dialing');
  assert.is(h.calls.length, 2);
});

test('rate limit: rate_limited with retryAfterSec; duplicates and invalid requests do not count', async () => {
  const h = harness({ perMinute: 2 });
  assert.is(code(await h.svc.dial(claims(), { number: '0934890883' })), 'dialing');
  assert.is(code(await h.svc.dial(claims(), { number: '0934890883' })), 'dialing'); // duplicate
  assert.is(code(await h.svc.dial(claims(), { number: 'abc' })), 'invalid_number');
  assert.is(code(await h.svc.dial(claims(), { number: '0912345678' })), 'dialing');
  const r = await h.svc.dial(claims(), { number: '0987654321' });
  assert.equal(r, { error: 'rate_limited', message: 'too many calls: retry in 30 s', retryAfterSec: 30 });
  assert.is(h.calls.length, 2);
  // The refused number was not remembered: it dials once the budget is back.
  h.clock.t += 30_000;
  assert.is(code(await h.svc.dial(claims(), { number: '0987654321' })), 'dialing');
});

test('DNC: a listed number is refused; an unreadable list refuses every call (fail closed)', async () => {
  let listed = new Set(['0393608879']);
  let down = false;
  const h = harness({
    dnc: {
      async isBlocked(n) {
        if (down) throw new DncUnavailableError('AntBotHttpError');
        return listed.has(n);
      },
    },
  });
  assert.equal(await h.svc.dial(claims(), { number: '01693608879' }), {
    error: 'dnc',
    message: 'this number is on the do-not-call list',
  });
  assert.is(code(await h.svc.dial(claims(), { number: '0934890883' })), 'dialing');
  down = true;
  assert.is(code(await h.svc.dial(claims(), { number: '0912345678' })), 'upstream_unavailable');
  assert.is(h.calls.length, 1);
  down = false;
  listed = new Set();
  assert.is(code(await h.svc.dial(claims(), { number: '01693608879' })), 'dialing', 'refusals are not remembered');
  assert.equal(h.results, ['dnc', 'dialing', 'upstream_unavailable', 'dialing']);
});

test('a throwing metrics hook or store never breaks a dial', async () => {
  const h = harness({
    onResult: () => {
      throw new Error('metrics down');
    },
  });
  assert.is(code(await h.svc.dial(claims(), { number: '0934890883' })), 'dialing');
  const broken = harness({
    idempotency: {
      claim: () => Promise.reject(new Error('redis down')),
      complete: () => undefined,
      release: () => undefined,
    },
  });
  assert.is(code(await broken.svc.dial(claims(), { number: '0934890883' })), 'upstream_unavailable');
  assert.is(broken.calls.length, 0);
});

test('a bug inside the bridge (a throwing device directory) is internal_error, never upstream_error', async () => {
  const h = harness({
    devices: {
      get: () => {
        throw new TypeError(`boom ${PASS}`);
      },
      size: 1,
    } as unknown as ClickToCallOptions['devices'],
  });
  const r = await h.svc.dial(claims(), { number: '0934890883' });
  assert.equal(r, { error: 'internal_error', message: 'click-to-call failed (internal error)' });
  assert.equal(h.results, ['internal_error']);
  assert.is(h.calls.length, 0);
  assert.not.ok(h.logs.text().includes(PASS));
});

test('maskNumber keeps the last three digits only', () => {
  assert.is(maskNumber('0934890883'), '•••••••883');
  assert.is(maskNumber('12'), '•••', 'a short input does not tell its length (shared/mask.ts)');
  assert.is(maskNumber('+14155552671'), '•••••••••671');
});

test.run();
