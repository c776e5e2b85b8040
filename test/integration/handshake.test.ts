// JWTs the bridge must refuse at the Socket.IO handshake and on REST: wrong secret, alg none, expired, no exp, another org.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectError } from '../helpers/clients.js';
import { JWT_SECRET, type Stack, startStack } from '../helpers/stack.js';
import { signToken } from '../helpers/tokens.js';

const t = suite<{ stack: Stack }>('JWT handshake');
t.before(async (ctx) => {
  ctx.stack = await startStack({ protocol: 'socketio' });
});
t.after(async (ctx) => ctx.stack?.close());

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

function cases(org: string): [string, unknown, string][] {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'u', org, role: 'admin' };
  return [
    [
      'wrong secret',
      signToken(claims, { secret: 'another-secret-0123456789abcdef0123456789', ttlSec: 60 }),
      'unauthorized',
    ],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: now + 60 })}.`, 'unauthorized'],
    ['expired', signToken({ ...claims, exp: now - 10 }, { secret: JWT_SECRET, ttlSec: false }), 'token_expired'],
    ['without exp', signToken(claims, { secret: JWT_SECRET, ttlSec: false }), 'unauthorized'],
    ['another org', signToken({ ...claims, org: `not-${org}` }, { secret: JWT_SECRET, ttlSec: 60 }), 'forbidden'],
    [
      'HS512 with the right secret',
      signToken(claims, { secret: JWT_SECRET, algorithm: 'HS512', ttlSec: 60 }),
      'unauthorized',
    ],
    [
      'agent without username',
      signToken({ ...claims, role: 'agent' }, { secret: JWT_SECRET, ttlSec: 60 }),
      'unauthorized',
    ],
    ['garbage', 'not-a-jwt', 'unauthorized'],
    ['no token', undefined, 'unauthorized'],
  ];
}

t('refused handshakes give connect_error with the code', async ({ stack }) => {
  for (const [name, token, code] of cases(stack.org)) {
    const err = await connectError(stack.url, token);
    assert.is(err.message, code, name);
    assert.is(err.code, code, `${name}: err.data.code`);
  }
});

t('the same tokens are refused on REST with the contract error body', async ({ stack }) => {
  for (const [name, token, code] of cases(stack.org)) {
    const res = await fetch(`${stack.url}/api/calls`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    assert.is(res.status, code === 'forbidden' ? 403 : 401, name);
    const body = (await res.json()) as { error: string; message: string };
    assert.is(body.error, code, name);
    assert.type(body.message, 'string');
  }
  const ok = await fetch(`${stack.url}/api/calls`, { headers: { authorization: `Bearer ${stack.token('admin')}` } });
  assert.is(ok.status, 200);
  assert.ok(Array.isArray(((await ok.json()) as { calls: unknown[] }).calls));
});

t(
  'a token valid until the year 9999 is refused (JWT_MAX_TTL_S, default one day), on the socket and on REST',
  async ({ stack }) => {
    const exp = Math.floor(Date.UTC(9999, 0, 1) / 1000);
    const forever = signToken({ sub: 'u', org: stack.org, role: 'admin', exp }, { secret: JWT_SECRET, ttlSec: false });
    for (const transports of [['websocket'], ['polling']] as const) {
      const err = await connectError(stack.url, forever, [...transports]);
      assert.equal(err, { message: 'unauthorized', code: 'unauthorized' }, transports[0]);
    }
    const res = await fetch(`${stack.url}/api/calls`, { headers: { authorization: `Bearer ${forever}` } });
    assert.is(res.status, 401);
    assert.is(((await res.json()) as { error: string }).error, 'unauthorized');
    // A day exactly is still accepted.
    const day = signToken({ sub: 'u', org: stack.org, role: 'admin' }, { secret: JWT_SECRET, ttlSec: 86_400 });
    const ok = await fetch(`${stack.url}/api/calls`, { headers: { authorization: `Bearer ${day}` } });
    assert.is(ok.status, 200);
    await ok.body?.cancel();
  },
);

t(
  'a 100 KB token gets connect_error unauthorized over WebSocket and long-polling, not a closed transport',
  async ({ stack }) => {
    // Signed with the right secret and within its lifetime: refused for its size alone.
    const pad = 'x'.repeat(75 * 1024); // base64url: the token is about 100 KB
    const huge = signToken({ sub: 'u', org: stack.org, role: 'admin', pad }, { secret: JWT_SECRET, ttlSec: 60 });
    assert.ok(huge.length > 100_000 && huge.length < 110_000, String(huge.length));
    for (const transports of [['websocket'], ['polling']] as const) {
      const err = await connectError(stack.url, huge, [...transports]);
      assert.equal(err, { message: 'unauthorized', code: 'unauthorized' }, transports[0]);
    }
    // REST: over 8 KiB the same `unauthorized`; beyond Node's 16 KiB header limit, 431 in the contract's shape.
    const tenK = signToken(
      { sub: 'u', org: stack.org, role: 'admin', pad: 'x'.repeat(10 * 1024) },
      { secret: JWT_SECRET },
    );
    const res = await fetch(`${stack.url}/api/calls`, { headers: { authorization: `Bearer ${tenK}` } });
    assert.is(res.status, 401);
    assert.is(((await res.json()) as { error: string }).error, 'unauthorized');
    assert.equal(await connectError(stack.url, tenK), { message: 'unauthorized', code: 'unauthorized' });
    // The server is still serving handshakes.
    const { connectClient } = await import('../helpers/clients.js');
    const cl = await connectClient(stack.url, stack.token('admin'));
    assert.ok(cl.socket.connected);
    cl.close();
  },
);

t('a socket whose token expires gets session_expired, then is disconnected', async ({ stack }) => {
  const { connectClient } = await import('../helpers/clients.js');
  const cl = await connectClient(stack.url, stack.token('admin', {}, 2));
  const order: string[] = [];
  let expired: unknown;
  cl.socket.on('session_expired', (e) => {
    expired = e;
    order.push('session_expired');
  });
  const reason = await new Promise<string>((resolve) =>
    cl.socket.once('disconnect', (r) => {
      order.push('disconnect');
      resolve(r);
    }),
  );
  assert.is(reason, 'io server disconnect');
  assert.equal(expired, { code: 'token_expired' });
  assert.equal(order, ['session_expired', 'disconnect']);
  cl.close();
});

// One Authorization parser for REST and the handshake (http/auth.ts parseBearer): the same header, the same verdict.
function bearerCases(tok: string): [string, string, boolean][] {
  return [
    ['Bearer <t>', `Bearer ${tok}`, true],
    ['lower-case scheme', `bearer ${tok}`, true],
    ['upper-case scheme', `BEARER ${tok}`, true],
    ['several spaces', `Bearer    ${tok}`, true],
    ['no space', `Bearer${tok}`, false],
    ['empty token', 'Bearer ', false],
    ['scheme only', 'Bearer', false],
    ['tab instead of a space', `Bearer\t${tok}`, false],
    ['two tokens', `Bearer ${tok} ${tok}`, false],
    ['another scheme', `Basic ${tok}`, false],
    ['a token with a comma', `Bearer ${tok},x`, false],
  ];
}

async function handshakeWithHeader(url: string, header: string): Promise<boolean> {
  const { io } = await import('socket.io-client');
  // Long-polling: extraHeaders are sent on the handshake request (a browser websocket cannot send them).
  const socket = io(url, {
    transports: ['polling'],
    extraHeaders: { authorization: header },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve(true);
    });
    socket.once('connect_error', () => {
      socket.disconnect();
      resolve(false);
    });
  });
}

t('Authorization: Bearer is parsed by the same rules on REST and at the socket handshake', async ({ stack }) => {
  for (const [name, header, ok] of bearerCases(stack.token('admin'))) {
    const res = await fetch(`${stack.url}/api/calls`, { headers: { authorization: header } });
    assert.is(res.status, ok ? 200 : 401, `REST: ${name}`);
    await res.body?.cancel();
    assert.is(await handshakeWithHeader(stack.url, header), ok, `socket: ${name}`);
  }
});

t.run();
