// Operator endpoints of the real bridge: /metrics (parsed back; counters move when a call flows), /readyz (503 while
// the bridge cannot re-subscribe, 200 again after), JSON 404s, oversized and malformed bodies, CORS closed by default
// and open for a configured origin, on REST and on Socket.IO's handshake alike.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { METRICS_PREFIX as P } from '../../src/http/metrics.js';
import { type MetricFamily, parsePrometheusText, sampleSum, sampleValue } from '../helpers/metrics-text.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

type Families = Map<string, MetricFamily>;

async function metrics(stack: Stack): Promise<{ text: string; f: Families; contentType: string }> {
  const res = await fetch(`${stack.url}/metrics`);
  assert.is(res.status, 200);
  const text = await res.text();
  return { text, f: parsePrometheusText(text), contentType: res.headers.get('content-type') ?? '' };
}

async function readyz(stack: Stack): Promise<{ status: number; body: { status: string; reasons: string[] } }> {
  const res = await fetch(`${stack.url}/readyz`);
  return { status: res.status, body: await res.json() };
}

// ---- metrics and readiness ----

const op = suite<{ stack: Stack }>('operator endpoints: /metrics, /readyz');
op.before(async (ctx) => {
  ctx.stack = await startStack();
});
op.after(async (ctx) => ctx.stack?.close());

op('/metrics is Prometheus text: # TYPE lines and samples of every family', async ({ stack }) => {
  const { text, f, contentType } = await metrics(stack);
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  for (const [name, type] of [
    ['signal_state', 'gauge'],
    ['signal_reconnects_total', 'counter'],
    ['signal_frames_total', 'counter'],
    ['signal_rejected_total', 'counter'],
    ['call_messages_total', 'counter'],
    ['ring_to_emit_seconds', 'histogram'],
    ['crm_lookups_total', 'counter'],
    ['sockets', 'gauge'],
    ['click_to_call_total', 'counter'],
    ['token_refreshes_total', 'counter'],
    ['dashboard_polls_total', 'counter'],
  ]) {
    assert.ok(text.includes(`# TYPE ${P}${name} ${type}\n`), `# TYPE line of ${name}`);
    assert.is(f.get(`${P}${name}`)?.type, type);
  }
  assert.match(text, new RegExp(`^${P}signal_state\\{state="live"\\} 1$`, 'm'), 'a sample line');
  assert.is(sampleValue(f, `${P}signal_state`, { state: 'live' }), 1);
  assert.ok(
    (sampleValue(f, `${P}token_refreshes_total`, { result: 'ok', reason: 'start' }) ?? 0) >= 1,
    'the first token',
  );
  assert.ok(sampleSum(f, `${P}signal_frames_total`) > 0, 'frames in already (connect, acks)');
});

op(
  'counters move when a call flows: frames in, call messages out, latency, CRM lookups, sockets',
  async ({ stack }) => {
    const { sim } = stack;
    const queue = sim.data.queues[0];
    const [a] = sim.data.agents.filter((x) => queue.agents.includes(x.userId)).map((x) => x.username);
    const admin = await stack.client('admin');
    const agent = await stack.client('agent', { agent: a });
    const before = (await metrics(stack)).f;
    assert.is(sampleValue(before, `${P}sockets`, { role: 'admin' }), 1);
    assert.is(sampleValue(before, `${P}sockets`, { role: 'agent' }), 1);

    const customer = sim.data.customerNumbers({ withContact: true })[0];
    const r = await sim.scenarios.inboundQueueCall({
      customer,
      queueId: queue.id,
      agents: [a],
      answeredBy: a,
      ringMs: 50,
      talkMs: 50,
    });
    await admin.waitCall((v) => v.callId === r.callId && v.state === 'ended', 'the call ended on the admin socket');
    await agent.waitCall((v) => v.callId === r.callId && v.state === 'ended', 'the call ended on the agent socket');
    const sentAdmin = admin.calls.filter((v) => v.callId === r.callId).length;
    const sentAgent = agent.calls.filter((v) => v.callId === r.callId).length;

    const delta = (f: Families, name: string, labels: Record<string, string> = {}) =>
      sampleSum(f, name, labels) - sampleSum(before, name, labels);
    const after = await waitFor(
      async () => {
        const { f } = await metrics(stack);
        return delta(f, `${P}call_messages_total`, { audience: 'call' }) >= sentAdmin ? f : undefined;
      },
      { what: 'call messages counted' },
    );
    const callMsgs = delta(after, `${P}call_messages_total`, { audience: 'call' });
    assert.ok(
      callMsgs >= sentAdmin && callMsgs <= admin.calls.filter((v) => v.callId === r.callId).length,
      `one count per admin message (${callMsgs})`,
    );
    assert.ok(delta(after, `${P}call_messages_total`, { audience: 'agent' }) >= sentAgent, 'agent messages counted');
    assert.ok(delta(after, `${P}signal_frames_total`) >= 6, 'frames in (create, answer, bridge, destroy of two legs)');
    const latencyCount = delta(after, `${P}ring_to_emit_seconds_count`);
    assert.ok(latencyCount >= sentAdmin + sentAgent, `latency observed per message (${latencyCount})`);
    assert.ok(delta(after, `${P}ring_to_emit_seconds_count`, { state: 'ringing' }) >= 2, 'the pops were timed');
    const sum = delta(after, `${P}ring_to_emit_seconds_sum`);
    assert.ok(sum > 0 && sum / latencyCount < 1, `a plausible mean latency (${sum / latencyCount} s)`);
    const inf = delta(after, `${P}ring_to_emit_seconds_bucket`, { le: '+Inf' });
    assert.is(inf, latencyCount, '+Inf bucket = count');
    assert.ok(delta(after, `${P}crm_lookups_total`) >= 1, 'CRM lookups counted');
    assert.ok(sampleSum(after, `${P}crm_lookups_total`, { result: 'found' }) >= 1);

    admin.close();
    agent.close();
    await waitFor(async () => sampleValue((await metrics(stack)).f, `${P}sockets`, { role: 'admin' }) === 0, {
      what: 'the admin socket gone',
    });
  },
);

op(
  '/readyz: 503 with the reason while the bridge cannot re-subscribe, 200 after re-subscription',
  async ({ stack }) => {
    const { sim, bridge } = stack;
    const ok = await readyz(stack);
    assert.is(ok.status, 200);
    assert.equal(ok.body, { status: 'ready' });
    const reconnectsBefore = sampleValue((await metrics(stack)).f, `${P}signal_reconnects_total`) ?? 0;
    const tokenRequests = sim.stats().authTokenRequests;

    // Tokens refused and every issued token revoked: after the drop, the subscription cannot be made again.
    sim.faults.tokens.reject = true;
    sim.faults.tokens.revokeAll();
    try {
      assert.ok(sim.faults.signal.dropAll() >= 1, 'the signal socket dropped');
      const down = await waitFor(
        async () => {
          const r = await readyz(stack);
          return r.status === 503 ? r : undefined;
        },
        { what: 'readyz 503' },
      );
      assert.is(down.body.status, 'not_ready');
      assert.ok(
        down.body.reasons.some((x: string) => /^signal subscription is (connecting|subscribing|backoff)$/.test(x)),
        JSON.stringify(down.body),
      );
      // It stays down: the bridge reconnected and asked for a token again (refused), and is still not ready.
      await waitFor(() => sim.stats().authTokenRequests > tokenRequests && bridge.status().reconnects > 0, {
        what: 'a refused token request after the drop',
      });
      await waitFor(() => sim.stats().authTokenRequests > tokenRequests + 1, {
        what: 'a retried (refused) token request',
        timeoutMs: 20_000,
      });
      assert.is((await readyz(stack)).status, 503, 'still not ready while tokens are refused');
      assert.is.not(bridge.status().signal, 'live');
      const mid = (await metrics(stack)).f;
      assert.is(sampleValue(mid, `${P}signal_state`, { state: 'live' }), 0);
      assert.ok(
        (sampleValue(mid, `${P}token_refreshes_total`, { result: 'error', reason: 'invalidated' }) ?? 0) +
          (sampleValue(mid, `${P}token_refreshes_total`, { result: 'error', reason: 'retry' }) ?? 0) >=
          1,
        'refused refreshes counted',
      );
    } finally {
      sim.faults.tokens.reject = false;
    }
    await waitFor(async () => (await readyz(stack)).status === 200, {
      what: 'readyz 200 after the fault is lifted',
      timeoutMs: 45_000,
    });
    assert.is(bridge.status().signal, 'live');
    const f = (await metrics(stack)).f;
    assert.is(sampleValue(f, `${P}signal_state`, { state: 'live' }), 1);
    assert.ok((sampleValue(f, `${P}signal_reconnects_total`) ?? 0) > reconnectsBefore, 'the reconnect was counted');
  },
);

op.run();

// ---- errors and CORS (closed by default) ----

const closed = suite<{ stack: Stack }>('errors and CORS closed by default');
closed.before(async (ctx) => {
  ctx.stack = await startStack();
});
closed.after(async (ctx) => ctx.stack?.close());

closed('unknown routes: 404 with the JSON error body, /api or not, any method', async ({ stack }) => {
  const admin = stack.token('admin');
  for (const [method, path, auth] of [
    ['GET', '/nope', false],
    ['POST', '/nope/deeper?x=1', false],
    ['GET', '/api/nope', true],
    ['DELETE', '/api/calls', true],
    ['GET', '/demo-not-here', false],
  ] as const) {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: auth ? { authorization: `Bearer ${admin}` } : {},
    });
    assert.is(res.status, 404, `${method} ${path}`);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(await res.json(), { error: 'not_found', message: 'no such route' });
  }
  const healthz = await fetch(`${stack.url}/healthz`);
  assert.is(healthz.status, 200);
  assert.equal(await healthz.json(), { status: 'ok' });
});

closed('bodies: too large and malformed → 400 invalid_body (JSON), before anything else happens', async ({ stack }) => {
  const admin = stack.token('admin');
  const dials = stack.sim.stats().clickToCallRequests;
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}/api/click-to-call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...headers },
      body,
    });
  const big = await post(JSON.stringify({ number: '0934890883', pad: 'x'.repeat(20_000) }));
  assert.is(big.status, 400);
  assert.equal(await big.json(), { error: 'invalid_body', message: 'the body is too large' });
  const broken = await post('{"number": ');
  assert.is(broken.status, 400);
  assert.equal(await broken.json(), { error: 'invalid_body', message: 'the body is not valid JSON' });
  const gzip = await post('{}', { 'content-encoding': 'br-unknown' });
  assert.is(gzip.status, 400);
  assert.is((await gzip.json()).error, 'invalid_body');
  assert.is(stack.sim.stats().clickToCallRequests, dials, 'nothing reached AntRing');
});

closed(
  'CORS: no Access-Control-Allow-Origin for any origin on REST, preflight or the Socket.IO handshake',
  async ({ stack }) => {
    const origin = 'https://crm.example.com';
    const rest = await fetch(`${stack.url}/api/calls`, {
      headers: { origin, authorization: `Bearer ${stack.token('admin')}` },
    });
    assert.is(rest.status, 200);
    assert.is(rest.headers.get('access-control-allow-origin'), null);
    await rest.arrayBuffer();
    const pre = await fetch(`${stack.url}/api/calls`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.is(pre.headers.get('access-control-allow-origin'), null);
    assert.is(pre.headers.get('access-control-allow-headers'), null);
    await pre.arrayBuffer();
    const sio = await fetch(`${stack.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    assert.is(sio.headers.get('access-control-allow-origin'), null);
    await sio.arrayBuffer();
  },
);

closed.run();

// ---- CORS open for configured origins ----

const ALLOWED = 'https://crm.example.com';
const open = suite<{ stack: Stack }>('CORS with CORS_ORIGINS set');
open.before(async (ctx) => {
  ctx.stack = await startStack({ env: { CORS_ORIGINS: `${ALLOWED}, https://other.example.com` } });
});
open.after(async (ctx) => ctx.stack?.close());

open(
  'the configured origin is allowed on REST, preflight and the Socket.IO handshake; others are not',
  async ({ stack }) => {
    const token = stack.token('admin');
    const rest = await fetch(`${stack.url}/api/calls`, {
      headers: { origin: ALLOWED, authorization: `Bearer ${token}` },
    });
    assert.is(rest.status, 200);
    assert.is(rest.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(rest.headers.get('vary') ?? '', /Origin/);
    await rest.arrayBuffer();
    const pre = await fetch(`${stack.url}/api/click-to-call`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.is(pre.status, 204);
    assert.is(pre.headers.get('access-control-allow-origin'), ALLOWED);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
    const err = await fetch(`${stack.url}/api/calls`, { headers: { origin: ALLOWED } });
    assert.is(err.status, 401);
    assert.is(err.headers.get('access-control-allow-origin'), ALLOWED, 'errors are readable by the allowed origin too');
    await err.arrayBuffer();
    const sio = await fetch(`${stack.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: ALLOWED } });
    assert.is(sio.status, 200);
    assert.is(sio.headers.get('access-control-allow-origin'), ALLOWED, 'Socket.IO follows the same list');
    await sio.arrayBuffer();

    const evil = 'https://evil.example.net';
    const r2 = await fetch(`${stack.url}/api/calls`, { headers: { origin: evil, authorization: `Bearer ${token}` } });
    assert.is(r2.headers.get('access-control-allow-origin'), null);
    await r2.arrayBuffer();
    const s2 = await fetch(`${stack.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: evil } });
    assert.is(s2.headers.get('access-control-allow-origin'), null, 'Socket.IO refuses other origins');
    await s2.arrayBuffer();
  },
);

open.run();
