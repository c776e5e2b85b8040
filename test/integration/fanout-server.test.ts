// The fan-out on a real HTTP server (port 0) with real socket.io-client clients: handshake refusals, who receives
// which call views, replay on connect, token-expiry disconnect, dial acks, close.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as ioClient } from 'socket.io-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Audience } from '../../src/calls/types.js';
import type { CallView, Claims, Dashboard, DialResult, Role } from '../../src/contract.js';
import { createJwtVerifier } from '../../src/fanout/jwt.js';
import { type LiveCallEntry, type LiveCallStore, MemoryLiveCallStore } from '../../src/fanout/live-calls.js';
import { CallPublisher } from '../../src/fanout/publisher.js';
import { MemorySeqSource } from '../../src/fanout/seq.js';
import { createFanout, type Fanout, type FanoutOptions } from '../../src/fanout/server.js';
import type { EnrichedUpdate } from '../../src/fanout/types.js';
import { connectClient, connectError, type RecordingClient } from '../helpers/clients.js';
import { captureLogger } from '../helpers/logs.js';
import { roleToken, signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 'fanout-secret-0123456789abcdef0123456789abcdef';
const ORG = 'org-a';
const nowSec = () => Math.floor(Date.now() / 1000);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

function token(role: Role, extra: Record<string, unknown> = {}, ttlSec = 600): string {
  return roleToken(role, { org: ORG, secret: SECRET, extra, ttlSec });
}

interface Harness {
  url: string;
  fanout: Fanout;
  publisher: CallPublisher;
  live: LiveCallStore;
  logs: ReturnType<typeof captureLogger>;
  connect(role: Role, extra?: Record<string, unknown>, ttlSec?: number): Promise<RecordingClient>;
  publish(u: Partial<EnrichedUpdate> & { callId: string; audience: Audience }): Promise<CallView | undefined>;
  close(): Promise<void>;
}

async function start(over: Partial<FanoutOptions> = {}): Promise<Harness> {
  const logs = captureLogger('debug');
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const live = over.live ?? new MemoryLiveCallStore();
  const fanout = createFanout(server, {
    org: ORG,
    verifier: createJwtVerifier({ secret: SECRET, org: ORG }),
    logger: logs.logger,
    cors: false,
    live,
    ...over,
  });
  const publisher = new CallPublisher({
    emitter: fanout.emitter,
    seq: new MemorySeqSource(),
    live,
    org: ORG,
    logger: logs.logger,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: RecordingClient[] = [];
  return {
    url,
    fanout,
    publisher,
    live,
    logs,
    async connect(role, extra = {}, ttlSec = 600) {
      const cl = await connectClient(url, token(role, extra, ttlSec));
      clients.push(cl);
      return cl;
    },
    publish(u) {
      return publisher.publish({
        org: ORG,
        state: 'ringing',
        direction: 'inbound',
        from: { number: '0934890883' },
        to: { number: '02873019555' },
        startedAt: new Date().toISOString(),
        receivedAt: performance.now(),
        contact: null,
        contactStatus: 'not_found',
        customerNumber: '0934890883',
        ...u,
      });
    },
    async close() {
      for (const cl of clients) cl.close();
      await fanout.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

const dashboard = (over: Partial<Dashboard> = {}): Dashboard => ({
  org: ORG,
  at: new Date().toISOString(),
  stale: false,
  agents: {
    ready: 1,
    loggedIn: 1,
    loggedOut: 0,
    wrapup: 0,
    connected: 0,
    paused: 0,
    details: [{ username: 'alice', name: 'Alice', status: 'ready' }],
  },
  totals: {
    scope: 'org',
    offered: 1,
    handled: 0,
    abandoned: 0,
    received: 1,
    avgWaitingSec: 0,
    maxWaitingSec: 0,
    avgTalkingSec: 0,
    waiting: 1,
  },
  queues: [{ id: 'q1', name: 'Sales', agents: 1, waiting: 1 }],
  waitingCalls: [{ callId: 'c1', queueId: 'q1', number: '0934890879' }],
  ...over,
});

const agentA = (username: string): Audience => ({ kind: 'agent', username });
const callA = (queueId?: string): Audience => ({ kind: 'call', ...(queueId ? { queueId } : {}) });

// ---------------------------------------------------------------------------------------------------------------
const hs = suite<{ h: Harness }>('fanout handshake');
hs.before(async (ctx) => {
  ctx.h = await start();
});
hs.after(async (ctx) => ctx.h?.close());

hs('each bad JWT gives connect_error with err.message and err.data.code', async ({ h }) => {
  const claims = { sub: 'u', org: ORG, role: 'admin' };
  const cases: [string, unknown, string][] = [
    ['no token', undefined, 'unauthorized'],
    ['token not a string', 12345, 'unauthorized'],
    ['garbage', 'not-a-jwt', 'unauthorized'],
    [
      'wrong secret',
      signToken(claims, { secret: 'wrong-secret-0123456789abcdef0123456789ab', ttlSec: 60 }),
      'unauthorized',
    ],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: nowSec() + 60 })}.`, 'unauthorized'],
    ['HS512', signToken(claims, { secret: SECRET, algorithm: 'HS512', ttlSec: 60 }), 'unauthorized'],
    ['expired', signToken({ ...claims, exp: nowSec() - 10 }, { secret: SECRET, ttlSec: false }), 'token_expired'],
    ['without exp', signToken(claims, { secret: SECRET, ttlSec: false }), 'unauthorized'],
    ['bad role', signToken({ ...claims, role: 'root' }, { secret: SECRET, ttlSec: 60 }), 'unauthorized'],
    ['agent without username', signToken({ ...claims, role: 'agent' }, { secret: SECRET, ttlSec: 60 }), 'unauthorized'],
    ['another org', signToken({ ...claims, org: 'org-b' }, { secret: SECRET, ttlSec: 60 }), 'forbidden'],
  ];
  for (const [name, tok, code] of cases) {
    const err = await connectError(h.url, tok);
    assert.is(err.message, code, name);
    assert.is(err.code, code, `${name}: err.data.code`);
  }
  const text = h.logs.text();
  assert.ok(text.includes('socket handshake refused'));
  for (const [, tok] of cases)
    if (typeof tok === 'string' && tok.length > 20) assert.not.ok(text.includes(tok), 'no token in the logs');
  assert.not.ok(text.includes(SECRET));
  assert.equal(h.fanout.connectedByRole(), { agent: 0, supervisor: 0, wallboard: 0, admin: 0 });
});

hs('Authorization: Bearer header works for non-browser clients (websocket and polling)', async ({ h }) => {
  for (const transports of [['websocket'], ['polling']]) {
    const s = ioClient(h.url, {
      transports,
      reconnection: false,
      forceNew: true,
      extraHeaders: { authorization: `Bearer ${token('admin')}` },
    });
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('connect_error', reject);
    });
    await waitFor(() => h.fanout.connectedByRole().admin === 1, { what: 'the admin to be counted' });
    s.disconnect();
    await waitFor(() => h.fanout.connectedByRole().admin === 0, { what: 'the admin to be uncounted' });
  }
  const bad = ioClient(h.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { authorization: 'Bearer nope' },
  });
  const err = await new Promise<Error & { data?: { code?: string } }>((resolve) => bad.once('connect_error', resolve));
  bad.disconnect();
  assert.is(err.message, 'unauthorized');
  assert.is(err.data?.code, 'unauthorized');
});

hs('a verifier that would accept another org is still refused (rooms and handshake are org-scoped)', async () => {
  const inner = createJwtVerifier({ secret: SECRET, org: 'org-b' });
  const h2 = await start({ verifier: inner });
  try {
    const foreign = signToken({ sub: 'x', org: 'org-b', role: 'admin' }, { secret: SECRET, ttlSec: 60 });
    const err = await connectError(h2.url, foreign);
    assert.is(err.message, 'forbidden');
    assert.is(err.code, 'forbidden');
  } finally {
    await h2.close();
  }
});

hs.run();

// ---------------------------------------------------------------------------------------------------------------
const routing = suite<{ h: Harness }>('fanout routing');
routing.before(async (ctx) => {
  ctx.h = await start();
});
routing.after(async (ctx) => ctx.h?.close());

routing('each role receives exactly the call views it may see', async ({ h }) => {
  const alice = await h.connect('agent', { agent: 'alice' });
  const bob = await h.connect('agent', { agent: 'bob' });
  const supQ1 = await h.connect('supervisor', { queues: ['q1'] });
  const supQ2 = await h.connect('supervisor', { queues: ['q2'] });
  const supAll = await h.connect('supervisor', { queues: ['*'] });
  const supAgent = await h.connect('supervisor', { queues: [], agent: 'alice' });
  const admin = await h.connect('admin');
  const wall = await h.connect('wallboard', { queues: ['*'] });
  // A foreign client never even connects.
  const foreign = await connectError(
    h.url,
    signToken({ sub: 'x', org: 'org-b', role: 'admin' }, { secret: SECRET, ttlSec: 60 }),
  );
  assert.is(foreign.code, 'forbidden');
  assert.equal(h.fanout.connectedByRole(), { agent: 2, supervisor: 4, wallboard: 1, admin: 1 });

  const q1 = { id: 'q1', name: 'Sales' };
  await h.publish({ callId: 'c1', audience: agentA('alice'), agent: { username: 'alice' }, queue: q1 });
  await h.publish({ callId: 'c1', audience: agentA('bob'), agent: { username: 'bob' }, queue: q1 });
  await h.publish({ callId: 'c1', audience: callA('q1'), queue: q1 });
  await h.publish({ callId: 'c2', audience: callA('q2'), queue: { id: 'q2' } });
  await h.publish({ callId: 'c3', audience: callA() });
  await h.publish({ callId: 'c4', audience: agentA('alice'), agent: { username: 'alice' }, direction: 'outbound' });
  await h.publish({
    callId: 'c1',
    audience: agentA('alice'),
    agent: { username: 'alice' },
    queue: q1,
    state: 'answered',
  });
  await h.publish({
    callId: 'c1',
    audience: agentA('bob'),
    agent: { username: 'bob' },
    queue: q1,
    state: 'ended',
    outcome: 'answered_elsewhere',
  });
  // Fences: per-socket order is preserved, so once a client has its fence it has everything sent before it.
  await h.publish({ callId: 'fence', audience: agentA('alice') });
  await h.publish({ callId: 'fence', audience: agentA('bob') });
  await h.publish({ callId: 'fence', audience: callA('q1') });
  await h.publish({ callId: 'fence2', audience: callA('q2') });
  h.fanout.emitDashboard(dashboard());
  for (const cl of [alice, bob, supQ1, supAll, admin]) await cl.waitCall((v) => v.callId === 'fence', 'the fence');
  await supQ2.waitCall((v) => v.callId === 'fence2', 'fence2');
  for (const cl of [supQ1, supQ2, supAll, supAgent, admin, wall]) {
    await waitFor(() => cl.dashboards.length === 1, { what: 'the dashboard fence' });
  }

  const ids = (cl: RecordingClient) => cl.calls.filter((v) => !v.callId.startsWith('fence')).map((v) => v.id);
  assert.equal(ids(alice), ['c1:1', 'c4:1', 'c1:4']);
  assert.equal(ids(bob), ['c1:2', 'c1:5']);
  assert.equal(ids(supQ1), ['c1:3']);
  assert.equal(ids(supQ2), ['c2:1']);
  assert.equal(ids(supAll), ['c1:3', 'c2:1']);
  assert.equal(ids(supAgent), []);
  assert.equal(ids(admin), ['c1:3', 'c2:1', 'c3:1']);
  assert.equal(wall.calls.length, 0, 'a wallboard gets no call messages');
  assert.ok(alice.calls.every((v) => v.org === ORG && (v.callId.startsWith('fence') || v.agent?.username === 'alice')));
  assert.is(bob.latest('c1')?.outcome, 'answered_elsewhere');
  // The wire shape: no internal fields.
  for (const v of admin.calls) for (const k of ['receivedAt', 'customerNumber', 'audience']) assert.not.ok(k in v, k);
  // Dashboards: full for supervisors/admins, redacted for wallboards; scoped by `queues` (contract §7.1).
  assert.is(admin.dashboards[0].waitingCalls[0].number, '0934890879');
  assert.is(supQ1.dashboards[0].waitingCalls[0].number, '0934890879');
  assert.equal(supQ2.dashboards[0].waitingCalls, [], "q1's waiting call is not shown to a supervisor of q2");
  assert.equal(supQ2.dashboards[0].queues, []);
  assert.is(supQ2.dashboards[0].totals.scope, 'org');
  assert.equal(supAgent.dashboards[0].waitingCalls, [], 'queues [] sees no queue');
  assert.is(wall.dashboards[0].waitingCalls[0].number, '•••••••879');
  assert.is(wall.dashboards[0].agents.details[0].name, 'Alice');
  assert.is(alice.dashboards.length, 0);
});

routing('a dashboard or call view of another org is never emitted', async () => {
  const h = await start();
  try {
    const admin = await h.connect('admin');
    const wall = await h.connect('wallboard', { queues: ['*'] });
    h.fanout.emitDashboard(dashboard({ org: 'org-b' }));
    h.fanout.emitter.emitCall(['o:org-a:calls'], { ...(await fenceView(h)), org: 'org-b', callId: 'foreign' });
    assert.is(await h.publish({ callId: 'foreign2', audience: callA(), org: 'org-b' }), undefined);
    h.fanout.emitDashboard(dashboard({ at: 'fence' }));
    await waitFor(() => admin.dashboards.length >= 1 && wall.dashboards.length >= 1, { what: 'the fence dashboard' });
    await admin.waitCall((v) => v.callId === 'fence-x', 'fence call');
    assert.equal(
      admin.dashboards.map((d) => d.at),
      ['fence'],
    );
    assert.equal(
      wall.dashboards.map((d) => d.at),
      ['fence'],
    );
    assert.not.ok(admin.calls.some((v) => v.callId.startsWith('foreign')));
    assert.ok(h.logs.text().includes('refused to emit a dashboard of another org'));
  } finally {
    await h.close();
  }
});

async function fenceView(h: Harness): Promise<CallView> {
  const v = await h.publish({ callId: 'fence-x', audience: callA() });
  assert.ok(v);
  return v!;
}

routing.run();

// ---------------------------------------------------------------------------------------------------------------
const replay = suite('fanout replay on connect');

replay('a client first receives the live calls it may see (and the dashboard), then new ones', async () => {
  const h = await start();
  try {
    h.fanout.emitDashboard(dashboard({ at: 'before-connect' }));
    await h.publish({ callId: 'live-b', audience: callA('q1'), queue: { id: 'q1' } });
    await h.publish({ callId: 'live-a', audience: callA('q1'), queue: { id: 'q1' } });
    await h.publish({ callId: 'live-a', audience: callA('q1'), queue: { id: 'q1' }, contactStatus: 'pending' });
    await h.publish({ callId: 'live-a', audience: agentA('alice'), agent: { username: 'alice' }, queue: { id: 'q1' } });
    await h.publish({ callId: 'other-q', audience: callA('q2'), queue: { id: 'q2' } });
    await h.publish({ callId: 'gone', audience: callA('q1'), queue: { id: 'q1' } });
    await h.publish({
      callId: 'gone',
      audience: callA('q1'),
      queue: { id: 'q1' },
      state: 'ended',
      outcome: 'abandoned',
    });

    const sup = await h.connect('supervisor', { queues: ['q1'] });
    const alice = await h.connect('agent', { agent: 'alice' });
    const wall = await h.connect('wallboard', { queues: ['*'] });
    await h.publish({ callId: 'live-a', audience: callA('q1'), queue: { id: 'q1' }, state: 'answered' });
    await h.publish({
      callId: 'live-a',
      audience: agentA('alice'),
      agent: { username: 'alice' },
      queue: { id: 'q1' },
      state: 'answered',
    });
    await h.publish({ callId: 'new', audience: callA('q1'), queue: { id: 'q1' } });
    await sup.waitCall((v) => v.callId === 'new', 'the new call');
    await alice.waitCall((v) => v.callId === 'live-a' && v.state === 'answered', 'alice answered');
    await waitFor(() => wall.dashboards.length === 1, { what: 'the wallboard dashboard' });

    // Replay (ordered by callId, then seq: only the latest view per audience), then the live stream.
    assert.equal(
      sup.calls.map((v) => v.id),
      ['live-a:2', 'live-b:1', 'live-a:4', 'new:1'],
    );
    assert.equal(
      sup.calls.map((v) => v.state),
      ['ringing', 'ringing', 'answered', 'ringing'],
    );
    assert.equal(
      alice.calls.map((v) => v.id),
      ['live-a:3', 'live-a:5'],
    );
    assert.equal(
      sup.dashboards.map((d) => d.at),
      ['before-connect'],
    );
    assert.is(
      wall.dashboards[0].waitingCalls[0].number,
      '•••••••879',
      'the replayed dashboard is redacted for wallboards',
    );
    assert.is(wall.calls.length, 0);
    assert.is(alice.dashboards.length, 0);
  } finally {
    await h.close();
  }
});

replay(
  'with a slow async store, a view published during the replay read is not lost (client keeps the highest seq)',
  async () => {
    const mem = new MemoryLiveCallStore();
    let release!: () => void;
    let reading = false;
    const gate = new Promise<void>((r) => (release = r));
    const slow: LiveCallStore = {
      set: async (k, v, a) => mem.set(k, v, a),
      delete: async (k) => mem.delete(k),
      list: async () => mem.list(),
      size: async () => mem.size(),
      async entries(): Promise<LiveCallEntry[]> {
        reading = true;
        await gate;
        return mem.entries();
      },
    };
    const h = await start({ live: slow });
    try {
      await h.publish({ callId: 'x', audience: callA('q1'), queue: { id: 'q1' } });
      const connecting = h.connect('supervisor', { queues: ['q1'] });
      await waitFor(() => reading, { what: 'the replay read to start' });
      await h.publish({ callId: 'x', audience: callA('q1'), queue: { id: 'q1' }, state: 'answered' });
      const sup = await connecting;
      release();
      await waitFor(() => sup.calls.length === 2, { what: 'the live view and the replay' });
      assert.equal(sup.calls.map((v) => v.seq).sort(), [2, 2]);
      assert.is(sup.latest('x')?.state, 'answered');
    } finally {
      release();
      await h.close();
    }
  },
);

replay.run();

// ---------------------------------------------------------------------------------------------------------------
const life = suite('fanout socket lifecycle');

life('a socket is disconnected when its token expires', async () => {
  const h = await start();
  try {
    const cl = await h.connect('admin', {}, 2);
    const started = Date.now();
    const reason = await new Promise<string>((resolve) => cl.socket.once('disconnect', (r) => resolve(r)));
    assert.is(reason, 'io server disconnect');
    assert.ok(Date.now() - started < 3500, 'disconnected at exp');
    await waitFor(() => h.fanout.connectedByRole().admin === 0, { what: 'the admin to be uncounted' });
    assert.not.ok(h.logs.text().includes(SECRET));
  } finally {
    await h.close();
  }
});

life('dial: the ack gets the injected result; errors and a missing dial are answered, never thrown', async () => {
  const seen: [Claims, unknown][] = [];
  let mode: 'ok' | 'throw' | 'reject' = 'ok';
  const h = await start({
    dial: (claims, body) => {
      seen.push([claims, body]);
      if (mode === 'throw') throw new Error('sync boom');
      if (mode === 'reject') return Promise.reject(new Error('async boom'));
      return Promise.resolve({ status: 'dialing', number: (body as { number: string }).number } satisfies DialResult);
    },
  });
  const bare = await start();
  try {
    const cl = await h.connect('agent', { agent: 'alice' });
    const dial = (c: RecordingClient, body: unknown) =>
      c.socket.timeout(5000).emitWithAck('dial', body as { number: string }) as Promise<DialResult>;
    assert.equal(await dial(cl, { number: '0934890883' }), { status: 'dialing', number: '0934890883' });
    assert.is(seen[0][0].agent, 'alice');
    assert.equal(seen[0][1], { number: '0934890883' });
    mode = 'throw';
    assert.equal(await dial(cl, { number: '1' }), {
      error: 'internal_error',
      message: 'click-to-call failed (internal error)',
    });
    mode = 'reject';
    assert.equal(await dial(cl, { number: '2' }), {
      error: 'internal_error',
      message: 'click-to-call failed (internal error)',
    });
    // No ack function: ignored, the socket stays usable.
    (cl.socket as unknown as { emit(ev: string, b: unknown): void }).emit('dial', { number: '3' });
    mode = 'ok';
    assert.equal(await dial(cl, { number: '4' }), { status: 'dialing', number: '4' });
    assert.equal(
      seen.map(([, b]) => (b as { number: string }).number),
      ['0934890883', '1', '2', '4'],
    );
    assert.ok(cl.socket.connected);

    const other = await bare.connect('agent', { agent: 'alice' });
    const r = await dial(other, { number: '0934890883' });
    assert.is((r as { error: string }).error, 'upstream_unavailable');
  } finally {
    await h.close();
    await bare.close();
  }
});

life('close() disconnects every socket, is idempotent, and leaves the HTTP server to its owner', async () => {
  const h = await start();
  const a = await h.connect('admin');
  const disconnected = new Promise<string>((resolve) => a.socket.once('disconnect', (r) => resolve(r)));
  const p1 = h.fanout.close();
  const p2 = h.fanout.close();
  assert.is(p1, p2);
  await p1;
  assert.is(await disconnected, 'io server disconnect');
  assert.equal(h.fanout.connectedByRole(), { agent: 0, supervisor: 0, wallboard: 0, admin: 0 });
  // New handshakes are refused at the transport level after close.
  const s = ioClient(h.url, {
    auth: { token: token('admin') },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const err = await new Promise<Error>((resolve) => s.once('connect_error', resolve));
  s.disconnect();
  assert.ok(err);
  // The HTTP server still answers its own requests.
  const res = await fetch(`${h.url}/other`);
  assert.is(res.status, 404);
  await h.close();
});

life.run();
