// AntRing's 400 to click-to-call, through the real AntRing client and the click-to-call service: only an answer
// about the SIP device's registration (or a bare 400, its documented meaning) is `409 device_offline`; any other
// refusal (a number, a device AntRing does not know) is "AntRing refused the call", `502 upstream_error`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AntRingClient } from '../../src/antring/client.js';
import { ClickToCallService, type DialOutcome } from '../../src/dial/click-to-call.js';
import { parseDevices } from '../../src/dial/devices.js';
import { MemoryIdempotencyStore } from '../../src/dial/idempotency.js';
import { MemoryRateLimiter } from '../../src/dial/rate-limiter.js';
import type { FetchLike } from '../../src/upstream/fetch.js';
import { FakeClock } from '../helpers/clock.js';
import { captureLogger } from '../helpers/logs.js';

const PASS = 'sip-pass-9f8e7d6c';
const claims = { sub: 'u1', org: 'org1', role: 'agent' as const, agent: 'lan.nguyen', queues: [], exp: 2e9 };

/** The service over a real AntRingClient whose fetch answers click-to-call with `status` and `body`. */
function dialWith(status: number, body: string) {
  const clock = new FakeClock();
  const logs = captureLogger('trace');
  const fetch: FetchLike = async () => ({ status, text: async () => body });
  const client = new AntRingClient({
    apiUrl: 'http://antring.invalid/',
    appId: 'app',
    appSecret: 'secret',
    fetch,
    logger: logs.logger,
  });
  const svc = new ClickToCallService({
    devices: parseDevices({ 'lan.nguyen': { sipUser: 'user_lan8001', sipPassword: PASS } }),
    upstream: client,
    rateLimiter: new MemoryRateLimiter({ perMinute: 100, clock }),
    idempotency: new MemoryIdempotencyStore({ clock }),
    idempotencyMs: 0,
    logger: logs.logger,
  });
  return { dial: (number: string) => svc.dial(claims, { number }), logs };
}

const json = (o: unknown) => JSON.stringify(o);

test('a 400 about the device (offline, not registered) or a bare 400: 409 device_offline', async () => {
  for (const body of [
    json({ message: 'device offline' }),
    json({ message: 'Device is not registered' }),
    json({ error: 'SIP device unregistered' }),
    '',
    '{}',
  ]) {
    const r = await dialWith(400, body).dial('0934890883');
    assert.is('error' in r && r.error, 'device_offline', body);
  }
});

test('a 400 about anything else: 502 upstream_error "AntRing refused the call", with its reason', async () => {
  const cases: [string, string][] = [
    [json({ message: 'invalid number' }), 'AntRing refused the call (HTTP 400: invalid number)'],
    [json({ message: 'invalid device' }), 'AntRing refused the call (HTTP 400: invalid device)'],
    [
      'sipUser and sipPassword are required',
      'AntRing refused the call (HTTP 400: sipUser and sipPassword are required)',
    ],
  ];
  for (const [body, message] of cases) {
    const r: DialOutcome = await dialWith(400, body).dial('12');
    assert.equal(r, { error: 'upstream_error', message }, body);
  }
});

test("the reason shown is AntRing's words only: no digits, no control characters, bounded", async () => {
  const h = dialWith(400, json({ message: `bad number 0934890883 for ${PASS}\u0007 ${'x'.repeat(300)}` }));
  const r = await h.dial('0934890883');
  assert.ok('error' in r && r.error === 'upstream_error');
  const message = 'error' in r ? r.message : '';
  assert.ok(message.startsWith('AntRing refused the call (HTTP 400: bad number'), message);
  const reason = message.slice('AntRing refused the call (HTTP 400: '.length);
  assert.not.match(reason, /[0-9]|sip-pass/);
  assert.not.ok(reason.includes('\u0007'), 'no control character');
  assert.ok(message.length <= 140, `${message.length} chars`);
  assert.not.match(h.logs.text(), /0934890883|9f8e7d6c/);
});

test.run();
