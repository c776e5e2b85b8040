// The click-to-call service on the written-numbers table (issue 10 item 12): a string that is not a dialable number
// is invalid_number (422) and never goes upstream; a body of the wrong shape is invalid_body (400).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Claims } from '../../src/contract.js';
import { ClickToCallService, type DialOutcome } from '../../src/dial/click-to-call.js';
import { parseDevices } from '../../src/dial/devices.js';
import { MemoryIdempotencyStore } from '../../src/dial/idempotency.js';
import { MemoryRateLimiter } from '../../src/dial/rate-limiter.js';
import { FakeClock } from '../helpers/clock.js';
import { silentLogger } from '../helpers/logs.js';
import { NUMBER_CASES } from '../helpers/phone-cases.js';

const claims: Claims = { sub: 'u1', org: 'org1', role: 'agent', agent: 'lan.nguyen', queues: [], exp: 2e9 };

function service() {
  const clock = new FakeClock();
  const upstream: string[] = [];
  const svc = new ClickToCallService({
    devices: parseDevices({ 'lan.nguyen': { sipUser: 'user_lan8001', sipPassword: 'sip-pass-1' } }),
    upstream: { clickToCall: async (n) => void upstream.push(n) },
    rateLimiter: new MemoryRateLimiter({ perMinute: 100_000, clock }),
    idempotency: new MemoryIdempotencyStore({ clock }),
    idempotencyMs: 0,
    logger: silentLogger(),
  });
  return { svc, upstream };
}

const code = (r: DialOutcome) => ('error' in r ? r.error : r.status);

const N = suite('click-to-call service: the written-numbers table');

for (const c of NUMBER_CASES) {
  N(
    `${c.what}: ${JSON.stringify(c.input.slice(0, 40))} → ${c.dial === null ? 'invalid_number' : `dialing ${c.dial}`}`,
    async () => {
      const { svc, upstream } = service();
      const r = await svc.dial(claims, { number: c.input });
      if (c.dial === null) {
        assert.is(code(r), 'invalid_number');
        assert.equal(upstream, []);
      } else {
        assert.equal(r, { status: 'dialing', number: c.dial });
        assert.equal(upstream, [c.dial]);
      }
    },
  );
}

N("the issue's three inputs", async () => {
  const { svc, upstream } = service();
  assert.is(code(await svc.dial(claims, { number: '00000000000000000000' })), 'invalid_number');
  assert.is(code(await svc.dial(claims, { number: '-0934890883' })), 'invalid_number');
  assert.equal(await svc.dial(claims, { number: '(+84) 934 890 883' }), { status: 'dialing', number: '0934890883' });
  assert.equal(upstream, ['0934890883']);
});

N('a body of the wrong shape is invalid_body, whatever the number looks like', async () => {
  const { svc, upstream } = service();
  const shapes: unknown[] = [
    undefined,
    null,
    0,
    '00000000000000000000',
    ['0934890883'],
    {},
    { number: 0 },
    { number: 934890883 },
    { number: 1e20 },
    { number: -934890883 },
    { number: true },
    { number: null },
    { number: ['0934890883'] },
    { number: { value: '0934890883' } },
    { phone: '0934890883' },
  ];
  for (const body of shapes) assert.is(code(await svc.dial(claims, body)), 'invalid_body', JSON.stringify(body));
  assert.equal(upstream, []);
});

N.run();
