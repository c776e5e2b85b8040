// Click-to-call end to end: the real bridge against the simulated AntRing (click-to-call starts the call legs),
// AntCRM (the outbound pop's contact) and AntBot (the do-not-call list), through REST and the socket `dial`.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DialResult } from '../../src/contract.js';
import type { RecordingClient } from '../helpers/clients.js';
import { NUMBER_CASES } from '../helpers/phone-cases.js';
import { JWT_SECRET, type Stack, startStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

/** Every response body read by these tests, to grep them for secrets at the end. */
const bodies: string[] = [];

async function post(stack: Stack, token: string | undefined, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}/api/click-to-call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
  const text = await res.text();
  bodies.push(text, JSON.stringify([...res.headers]));
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
}

const dialRest = (stack: Stack, agent: string, number: unknown) =>
  post(stack, stack.token('agent', { agent }), JSON.stringify({ number }));

async function dialSocket(cl: RecordingClient, body: unknown): Promise<DialResult> {
  const r = (await cl.socket.timeout(10_000).emitWithAck('dial', body as { number: string })) as DialResult;
  bodies.push(JSON.stringify(r));
  return r;
}

const c2c = (stack: Stack) => stack.sim.stats().clickToCallRequests;
const dncReads = (stack: Stack) => stack.sim.stats().antbot.routes['GET /dnc-contact/'] ?? 0;

// ---------------------------------------------------------------------------------------------------------------
const main = suite<{ stack: Stack }>('click-to-call (REST and socket, AntBot DNC, faults)');
main.before(async (ctx) => {
  ctx.stack = await startStack({
    devices: true,
    antbot: true,
    env: { DIAL_RATE_PER_MINUTE: '60', DIAL_IDEMPOTENCY_MS: '3000' },
    bridgeDeps: { antringTimeoutMs: 1000, dial: { dncTtlMs: 200, dncTimeoutMs: 3000, antbotTimeoutMs: 1000 } },
  });
});
main.after(async (ctx) => ctx.stack?.close());

main(
  'REST: 202 dialing with the normalised number; the agent gets the outbound pop with the CRM contact',
  async ({ stack }) => {
    const agent = await stack.client('agent', { agent: 'lan.nguyen' });
    const before = c2c(stack);
    const r = await dialRest(stack, 'lan.nguyen', '+84 934 890 883');
    assert.is(r.status, 202);
    assert.equal(r.body, { status: 'dialing', number: '0934890883' });
    assert.is(c2c(stack) - before, 1);
    assert.is(stack.sim.stats().rest.clickToCall['0934890883'], 1, 'AntRing was asked to dial the national form');
    const pop = await agent.waitCall(
      (v) =>
        v.direction === 'outbound' &&
        v.to.number === '0934890883' &&
        v.state === 'ringing' &&
        v.contactStatus === 'found',
      'the outbound pop with its contact',
    );
    assert.is(pop.agent?.username, 'lan.nguyen');
    assert.is(pop.contact?.name, 'Nguyễn Văn An');
    assert.is(pop.contact?.source, 'antcrm');
    // The bridge placed this call: from its first view on it is the agent's outbound call (never a call "to" the agent).
    const mine = agent.calls.filter((v) => v.callId === pop.callId);
    assert.ok(
      mine.length > 0 && mine.every((v) => v.direction === 'outbound'),
      'every view of the placed call is outbound',
    );
  },
);

main('socket dial: the ack gets the same body; the pop follows on the same socket', async ({ stack }) => {
  const agent = await stack.client('agent', { agent: 'minh.tran' });
  const before = c2c(stack);
  assert.equal(await dialSocket(agent, { number: '0912 345 678' }), { status: 'dialing', number: '0912345678' });
  assert.is(c2c(stack) - before, 1);
  const pop = await agent.waitCall(
    (v) =>
      v.direction === 'outbound' &&
      v.to.number === '0912345678' &&
      v.state === 'ringing' &&
      v.contactStatus === 'found',
    'the outbound pop after a socket dial',
  );
  assert.is(pop.contact?.name, 'Lê Hoàng Phúc');
  // Errors through the socket: the same bodies as REST.
  assert.equal(await dialSocket(agent, { number: 'abc' }), {
    error: 'invalid_number',
    message: 'not a dialable number (a Vietnamese number, +<country><number>, or an extension)',
  });
  assert.is(((await dialSocket(agent, ['0934890883'])) as { error: string }).error, 'invalid_body');
  assert.is(((await dialSocket(agent, '0934890883')) as { error: string }).error, 'invalid_body');
  const wall = await stack.client('wallboard', { queues: ['*'] });
  assert.is(((await dialSocket(wall, { number: '0934890883' })) as { error: string }).error, 'forbidden');
  assert.is(c2c(stack) - before, 1, 'no other upstream call');
});

main('who may dial: the JWT agent; wallboards and tokens without an agent claim get 403', async ({ stack }) => {
  const before = c2c(stack);
  const body = JSON.stringify({ number: '0934890883' });
  const wall = await post(stack, stack.token('wallboard', { queues: ['*'], agent: 'lan.nguyen' }), body);
  assert.is(wall.status, 403);
  assert.is(wall.body.error, 'forbidden');
  const admin = await post(stack, stack.token('admin'), body);
  assert.is(admin.status, 403);
  assert.is(admin.body.error, 'forbidden');
  const noAuth = await post(stack, undefined, body);
  assert.is(noAuth.status, 401);
  // A supervisor with an agent claim dials from that agent's device.
  const sup = await post(
    stack,
    stack.token('supervisor', { queues: ['*'], agent: 'thao.vo' }),
    JSON.stringify({ number: '0945667788' }),
  );
  assert.is(sup.status, 202);
  assert.is(c2c(stack) - before, 1);
});

main(
  'device offline: 409 device_offline; once registered again the retry dials (failures are not remembered)',
  async ({ stack }) => {
    const { sim } = stack;
    sim.faults.devices.setOnline('tuan.pham', false);
    const before = c2c(stack);
    const off = await dialRest(stack, 'tuan.pham', '0987654321');
    assert.is(off.status, 409);
    assert.is(off.body.error, 'device_offline');
    assert.match(String(off.body.message), /not registered/);
    assert.is(c2c(stack) - before, 1, 'AntRing was asked and answered 400');
    sim.faults.devices.setOnline('tuan.pham', true);
    const on = await dialRest(stack, 'tuan.pham', '0987654321');
    assert.is(on.status, 202);
    assert.is(c2c(stack) - before, 2);
  },
);

main('an agent with no device in DEVICES_FILE: 409 with a clear message, no upstream call', async ({ stack }) => {
  const before = c2c(stack);
  const r = await dialRest(stack, 'ghost.agent', '0934890883');
  assert.is(r.status, 409);
  assert.equal(r.body, {
    error: 'device_offline',
    message: 'no SIP device is configured for agent ghost.agent (DEVICES_FILE)',
  });
  assert.is(c2c(stack), before);
});

main(
  'DNC: 403 dnc for numbers on the AntBot list, in any form (legacy 11-digit entries too), no upstream call',
  async ({ stack }) => {
    const { sim } = stack;
    const before = c2c(stack);
    const listed = sim.antbot.dnc.entries().map((e) => e.phone_number);
    assert.ok(
      listed.includes('01662223344') && listed.includes('0916777888') && listed.includes('0523000026'),
      'seed entries on both pages',
    );
    for (const number of ['0362223344', '01662223344', '+84 916 777 888', '0523000026', '0909000025', '0915000011']) {
      const r = await dialRest(stack, 'thao.vo', number);
      assert.is(r.status, 403, `${number} refused`);
      assert.equal(r.body, { error: 'dnc', message: 'this number is on the do-not-call list' });
    }
    assert.is(c2c(stack), before, 'AntRing never asked');
    assert.ok((sim.stats().antbot.routes['GET /dnc-contact/'] ?? 0) >= 2, 'both pages read');
    // A number added to the list is refused once the cache (200 ms here) has been refreshed: dial a listed number
    // (always refused, never dialled) until the bridge has read the list again after the addition.
    sim.antbot.dnc.add('0945 667 799');
    const reads = dncReads(stack);
    await waitFor(
      async () => (await dialRest(stack, 'thao.vo', '0362223344')).status === 403 && dncReads(stack) >= reads + 2,
      {
        what: 'the list read again',
        timeoutMs: 5000,
        intervalMs: 100,
      },
    );
    const added = await dialRest(stack, 'thao.vo', '0945667799');
    assert.is(added.status, 403);
    assert.is(c2c(stack), before);
  },
);

main(
  'AntBot: a refused token is replaced and the list read again; AntBot down = 503, fail closed',
  async ({ stack }) => {
    const { sim } = stack;
    const before = c2c(stack);
    const issued = sim.antbot.stats().tokensIssued;
    sim.antbot.revokeTokens();
    await waitFor(
      async () =>
        (await dialRest(stack, 'huong.le', '0334000024')).status === 403 && sim.antbot.stats().tokensIssued > issued,
      {
        what: 'a DNC answer with a fresh AntBot token',
        timeoutMs: 5000,
        intervalMs: 100,
      },
    );

    sim.antbot.faults.fail = 503;
    try {
      // A listed number is refused either way (403 from the cached list, then 503 once the cache has expired).
      const r = await waitFor(
        async () => {
          const x = await dialRest(stack, 'huong.le', '0334000024');
          return x.status === 503 ? x : undefined;
        },
        { what: 'the expired DNC cache to fail closed', timeoutMs: 5000, intervalMs: 100 },
      );
      assert.equal(r.body, {
        error: 'upstream_unavailable',
        message: 'the do-not-call list cannot be checked right now; the call was not placed',
      });
      const other = await dialRest(stack, 'huong.le', '0945667700');
      assert.is(other.status, 503, 'a number that is not listed is not dialled either');
      assert.is(c2c(stack), before, 'not dialled without the DNC list');
    } finally {
      sim.antbot.reset();
    }
    const ok = await dialRest(stack, 'huong.le', '0945667700');
    assert.is(ok.status, 202);
    assert.is(c2c(stack) - before, 1);
  },
);

main(
  'idempotency: the same agent and number twice (concurrently, then again) = one upstream call, same 202',
  async ({ stack }) => {
    const before = c2c(stack);
    const [a, b] = await Promise.all([
      dialRest(stack, 'lan.nguyen', '0987.654.321'),
      dialRest(stack, 'lan.nguyen', '0987654321'),
    ]);
    const c = await dialRest(stack, 'lan.nguyen', '+84987654321');
    for (const r of [a, b, c]) {
      assert.is(r.status, 202);
      assert.equal(r.body, { status: 'dialing', number: '0987654321' });
    }
    assert.is(c2c(stack) - before, 1);
    // Another agent dialling the same number is a different call.
    assert.is((await dialRest(stack, 'minh.tran', '0987654321')).status, 202);
    assert.is(c2c(stack) - before, 2);
  },
);

main('invalid numbers: 422 invalid_number, never sent upstream', async ({ stack }) => {
  const bad = [
    'abc',
    '0934890883; rm -rf /',
    '+84 93 ab',
    '1'.repeat(40),
    '',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '0934890883\n0912345678',
    '0934890883\r\nX-Injected: 1',
    '０９３４８９０８８３',
    '٠٩٣٤٨٩٠٨٨٣',
    '../../etc/passwd',
    '--1',
    '0934890883#',
    '*99#',
    '+84 123',
    '0934 890 883 ext 12',
    '0934890883\u0000',
    '   ',
    '+',
    '1',
    '09348908831234',
    '%2e%2e%2f',
    '0934890883?x=1',
    'tel:0934890883',
    '0934890883,0912345678',
    '$(reboot)',
    '+0934890883',
    '1e10',
    '9'.repeat(5000).slice(0, 3000),
  ];
  assert.ok(bad.length >= 15);
  const before = c2c(stack);
  for (const number of bad) {
    const r = await dialRest(stack, 'lan.nguyen', number);
    assert.is(r.status, 422, `${JSON.stringify(number.slice(0, 40))} → ${r.status}`);
    assert.is(r.body.error, 'invalid_number');
  }
  assert.is(c2c(stack), before);
});

main('invalid bodies: 400 invalid_body (not an object, no string number, not JSON, too large)', async ({ stack }) => {
  const token = stack.token('agent', { agent: 'lan.nguyen' });
  const bodies400: [string, string, Record<string, string>?][] = [
    ['array', '["0934890883"]'],
    ['empty array', '[]'],
    ['JSON string', '"0934890883"'],
    ['JSON number', '934890883'],
    ['null', 'null'],
    ['true', 'true'],
    ['empty object', '{}'],
    ['number as a JSON number', '{"number":934890883}'],
    ['number null', '{"number":null}'],
    ['number array', '{"number":["0934890883"]}'],
    ['number object', '{"number":{"value":"0934890883"}}'],
    ['other key', '{"phone":"0934890883"}'],
    ['not JSON', 'number=0934890883', { 'content-type': 'text/plain' }],
    ['truncated JSON', '{"number":"0934890883"'],
    ['empty body', ''],
    ['over the body limit', JSON.stringify({ number: '0934890883', pad: 'x'.repeat(8 * 1024) })],
  ];
  const before = c2c(stack);
  for (const [what, body, headers] of bodies400) {
    const r = await post(stack, token, body, headers);
    assert.is(r.status, 400, `${what} → ${r.status}`);
    assert.is(r.body.error, 'invalid_body', what);
    assert.type(r.body.message, 'string');
  }
  assert.is(c2c(stack), before);
});

main('AntRing timeout → 503 upstream_unavailable; AntRing 500 → 502 upstream_error', async ({ stack }) => {
  const { sim } = stack;
  sim.faults.clickToCall.delayMs = 2500; // the bridge's AntRing timeout is 1000 ms here
  try {
    const r = await dialRest(stack, 'huong.le', '0945667701');
    assert.is(r.status, 503);
    assert.is(r.body.error, 'upstream_unavailable');
  } finally {
    sim.faults.clickToCall.delayMs = 0;
  }
  sim.faults.clickToCall.fail = 500;
  try {
    const r = await dialRest(stack, 'huong.le', '0945667702');
    assert.is(r.status, 502);
    assert.equal(r.body, { error: 'upstream_error', message: 'AntRing refused the call (HTTP 500)' });
    // Failures are not remembered: the same dial once AntRing is back goes through.
    sim.faults.clickToCall.fail = null;
    assert.is((await dialRest(stack, 'huong.le', '0945667702')).status, 202);
  } finally {
    sim.faults.clickToCall.fail = null;
  }
});

main('no secret in any response body, header or log line', async ({ stack }) => {
  const { sim } = stack;
  const antringTokens = sim.tokens.issued();
  assert.ok(antringTokens.length >= 1, 'the AntRing tokens are known');
  const antbotTokens = sim.antbot.issuedTokens();
  assert.ok(antbotTokens.length >= 2, 'the AntBot tokens are known');
  const secrets: [string, string][] = [
    ['app secret', sim.credentials.appSecret],
    ['AntCRM API key', sim.credentials.crmApiKey],
    ['AntBot password', sim.credentials.antbotPassword],
    ['JWT secret', JWT_SECRET],
    ...sim.data.agents.map((a): [string, string] => [`SIP password of ${a.username}`, a.device.sipPassword]),
    ...antbotTokens.map((t): [string, string] => ['AntBot token', t]),
    ...antringTokens.map((t): [string, string] => ['AntRing token', t]),
  ];
  const logs = stack.logs.text();
  assert.ok(logs.includes('click-to-call: dialing'), 'the dial log lines were captured');
  const all = bodies.join('\n');
  assert.ok(all.includes('dialing') && all.includes('invalid_body'));
  for (const [what, secret] of secrets) {
    assert.ok(secret.length >= 8, what);
    assert.not.ok(logs.includes(secret), `${what} in a log line`);
    assert.not.ok(all.includes(secret), `${what} in a response`);
  }
});

main.run();

// ---------------------------------------------------------------------------------------------------------------
const rate = suite<{ stack: Stack }>('click-to-call rate limit (3 per minute per agent)');
rate.before(async (ctx) => {
  ctx.stack = await startStack({ devices: true, env: { DIAL_RATE_PER_MINUTE: '3', DIAL_IDEMPOTENCY_MS: '0' } });
});
rate.after(async (ctx) => ctx.stack?.close());

rate(
  'the 4th call within a minute: 429 rate_limited with Retry-After (REST) and retryAfterSec (socket ack)',
  async ({ stack }) => {
    const before = c2c(stack);
    for (const n of ['0934890883', '0912345678', '0987654321'])
      assert.is((await dialRest(stack, 'lan.nguyen', n)).status, 202);
    const r = await dialRest(stack, 'lan.nguyen', '0909112233');
    assert.is(r.status, 429);
    assert.is(r.body.error, 'rate_limited');
    const retry = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 20, `Retry-After ${r.headers.get('retry-after')}`);
    assert.is(r.body.retryAfterSec, retry);
    assert.is(c2c(stack) - before, 3);

    const agent = await stack.client('agent', { agent: 'lan.nguyen' });
    const ack = (await dialSocket(agent, { number: '0909112233' })) as DialResult & { retryAfterSec?: number };
    assert.is((ack as { error: string }).error, 'rate_limited');
    assert.ok(typeof ack.retryAfterSec === 'number' && ack.retryAfterSec >= 1);
    // Another agent has a budget of its own.
    assert.is((await dialRest(stack, 'minh.tran', '0909112233')).status, 202);
    assert.is(c2c(stack) - before, 4);
  },
);

rate('without AntBot configured, no DNC check is made (a listed number dials)', async ({ stack }) => {
  const before = c2c(stack);
  assert.is((await dialRest(stack, 'huong.le', '0362223344')).status, 202);
  assert.is(c2c(stack) - before, 1);
  assert.is(stack.sim.stats().antbot.total, 0);
});

rate.run();

// ---------------------------------------------------------------------------------------------------------------
const numbers = suite<{ stack: Stack }>('click-to-call: the written-numbers table through REST and the socket');
numbers.before(async (ctx) => {
  ctx.stack = await startStack({ devices: true, env: { DIAL_RATE_PER_MINUTE: '10000', DIAL_IDEMPOTENCY_MS: '0' } });
});
numbers.after(async (ctx) => ctx.stack?.close());

const dialled = (stack: Stack, n: string) => stack.sim.stats().rest.clickToCall[n] ?? 0;

numbers('REST: 202 with the normalised number, or 422 invalid_number and nothing upstream', async ({ stack }) => {
  for (const c of NUMBER_CASES) {
    const label = `${c.what}: ${JSON.stringify(c.input.slice(0, 40))}`;
    const before = c2c(stack);
    const was = c.dial === null ? 0 : dialled(stack, c.dial);
    const r = await dialRest(stack, 'lan.nguyen', c.input);
    if (c.dial === null) {
      assert.is(r.status, 422, `${label} → ${r.status}`);
      assert.is(r.body.error, 'invalid_number', label);
      assert.is(c2c(stack), before, `${label}: not sent upstream`);
    } else {
      assert.is(r.status, 202, `${label} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body, { status: 'dialing', number: c.dial }, label);
      assert.is(dialled(stack, c.dial) - was, 1, `${label}: AntRing was asked to dial ${c.dial}`);
    }
  }
});

numbers('socket dial: the same answers in the ack', async ({ stack }) => {
  // A socket may send 20 events at once (the per-socket throttle): one socket per 15 cases.
  let agent = await stack.client('agent', { agent: 'minh.tran' });
  for (const [i, c] of NUMBER_CASES.entries()) {
    if (i > 0 && i % 15 === 0) agent = await stack.client('agent', { agent: 'minh.tran' });
    const label = `${c.what}: ${JSON.stringify(c.input.slice(0, 40))}`;
    const before = c2c(stack);
    const r = await dialSocket(agent, { number: c.input });
    if (c.dial === null) {
      assert.is((r as { error?: string }).error, 'invalid_number', label);
      assert.is(c2c(stack), before, `${label}: not sent upstream`);
    } else {
      assert.equal(r, { status: 'dialing', number: c.dial }, label);
    }
  }
});

numbers(
  'a JSON number, or anything but a string, is 400 invalid_body (REST) / invalid_body (socket)',
  async ({ stack }) => {
    const token = stack.token('agent', { agent: 'lan.nguyen' });
    const agent = await stack.client('agent', { agent: 'minh.tran' });
    const before = c2c(stack);
    for (const body of [
      '{"number":0}',
      '{"number":934890883}',
      '{"number":1e20}',
      '{"number":-934890883}',
      '{"number":true}',
    ]) {
      const r = await post(stack, token, body);
      assert.is(r.status, 400, `${body} → ${r.status}`);
      assert.is(r.body.error, 'invalid_body', body);
      assert.is(((await dialSocket(agent, JSON.parse(body))) as { error?: string }).error, 'invalid_body', body);
    }
    // Unquoted digits with leading zeros are not JSON at all.
    const notJson = await post(stack, token, '{"number":00000000000000000000}');
    assert.is(notJson.status, 400);
    assert.is(notJson.body.error, 'invalid_body');
    assert.is(c2c(stack), before);
  },
);

numbers(
  'the probe of issue 15: a well-formed body with an all-zeros number is 422 invalid_number, whatever the content type says',
  async ({ stack }) => {
    const token = stack.token('agent', { agent: 'lan.nguyen' });
    const agent = await stack.client('agent', { agent: 'lan.nguyen' });
    const before = c2c(stack);
    const body = '{ "number": "00000000000000000000" }';
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/x-www-form-urlencoded', // what `curl -d` sends
      'text/plain',
      undefined,
    ]) {
      const r = await post(stack, token, body, type === undefined ? { 'content-type': '' } : { 'content-type': type });
      assert.is(r.status, 422, `${type}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.is(r.body.error, 'invalid_number', String(type));
    }
    assert.is(
      ((await dialSocket(agent, { number: '00000000000000000000' })) as { error?: string }).error,
      'invalid_number',
    );
    assert.is(c2c(stack), before, 'nothing sent upstream');
  },
);

numbers.run();
