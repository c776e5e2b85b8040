// GET /api/history and GET /api/recordings/:media through the real bridge against the simulated AntRing:
// validation before any upstream call, the signed request accepted, paging, role scoping, the recording redirect.
// A second suite maps upstream failures (fake source) to 502/503.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AntRingAuthError,
  AntRingHttpError,
  AntRingNetworkError,
  AntRingTimeoutError,
} from '../../src/antring/errors.js';
import type { Claims, ErrorBody } from '../../src/contract.js';
import { createHttpApp } from '../../src/http/app.js';
import { type HistoryItem, type HistorySource, historyRoutes } from '../../src/http/routes-history.js';
import type { HistoryRecord } from '../../src/simulator/history.js';
import { type Stack, startStack } from '../helpers/stack.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const historyCalls = (s: Stack) => s.sim.stats().rest.routes['GET /call/histories'] ?? 0;
/** GET /api/history's 200 body (routes-history.ts). */
interface HistoryPage {
  page: number;
  limit: number;
  total?: number;
  hasMore: boolean;
  from: string;
  to: string;
  items: HistoryItem[];
}
/** A test reads the page or the error body, after asserting the status: both shapes' fields, typed. */
type Answer = HistoryPage & ErrorBody;
const recordingCalls = (s: Stack) => s.sim.stats().rest.routes['GET /call/play_recording'] ?? 0;

interface Ctx {
  stack: Stack;
  from: number;
  to: number;
}

async function get(
  stack: Stack,
  path: string,
  token?: string,
): Promise<{ status: number; body: Answer; headers: Headers }> {
  const res = await fetch(`${stack.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Answer, headers: res.headers };
}

/** Who a simulated record concerns, written from the seed document's fields (independently of the route). */
const usernamesOf = (r: HistoryRecord) =>
  new Set(
    [
      r.caller.username,
      r.callee.username,
      ...r.queue_stat.flatMap((q) => [q.username, ...q.misses.map((m) => m.username)]),
    ].filter((u): u is string => Boolean(u)),
  );

const h = suite<Ctx>('call history through the real bridge');

h.before(async (ctx) => {
  ctx.stack = await startStack();
  ctx.to = Date.now();
  ctx.from = ctx.to - 30 * DAY;
});
h.after(async (ctx) => ctx.stack?.close());

h('invalid queries are refused with 400 invalid_body before any upstream call', async ({ stack }) => {
  const admin = stack.token('admin');
  const before = historyCalls(stack);
  const cases: [string, RegExp][] = [
    ['from=2025-01-01&to=2025-02-01', /31 days/],
    [`from=${iso(Date.now() - 32 * DAY)}&to=${iso(Date.now())}`, /31 days/],
    ['from=2025-01-10&to=2025-01-09', /before/],
    ['from=2025-01-10', /together/],
    ['from=yesterday&to=2025-01-09', /from must be a date/],
    ['from=2025-01-01&to=2025-01-32', /to must be a date/],
    ['limit=0', /limit must be an integer from 1 to 100/],
    ['limit=101', /limit must be an integer from 1 to 100/],
    ['limit=abc', /limit/],
    ['limit=5&limit=6', /limit must be given once/],
    ['page=0', /page must be an integer/],
    ['page=-1', /page/],
  ];
  for (const [q, re] of cases) {
    const r = await get(stack, `/api/history?${q}`, admin);
    assert.is(r.status, 400, q);
    assert.is(r.body.error, 'invalid_body', q);
    assert.match(r.body.message, re, q);
  }
  const wall = await get(stack, '/api/history', stack.token('wallboard', { queues: ['*'] }));
  assert.is(wall.status, 403);
  assert.is(wall.body.error, 'forbidden');
  const anon = await get(stack, '/api/history');
  assert.is(anon.status, 401);
  assert.is(anon.body.error, 'unauthorized');
  assert.is(historyCalls(stack), before, 'no history request reached AntRing');
});

h('a signed request is accepted (200 with data); pages differ and respect the limit', async ({ stack, from, to }) => {
  const admin = stack.token('admin');
  const before = historyCalls(stack);
  const q = `from=${iso(from)}&to=${iso(to)}&limit=5`;
  const p1 = await get(stack, `/api/history?${q}&page=1`, admin);
  const p2 = await get(stack, `/api/history?${q}&page=2`, admin);
  assert.is(p1.status, 200, JSON.stringify(p1.body));
  assert.is(historyCalls(stack), before + 2, 'one upstream request per page');
  const expected = stack.sim.state.historyBetween(Math.floor(from / 1000), Math.floor(to / 1000));
  assert.ok(expected.length > 10, 'the simulator holds enough history');
  for (const [p, page] of [
    [p1, 1],
    [p2, 2],
  ] as const) {
    assert.is(p.body.page, page);
    assert.is(p.body.limit, 5);
    assert.is(p.body.total, expected.length, "AntRing's total");
    assert.is(p.body.hasMore, true);
    assert.is(p.body.items.length, 5);
    assert.equal(
      p.body.items.map((i) => i.callId),
      expected.slice((page - 1) * 5, page * 5).map((r) => r.call_id),
    );
  }
  const ids1 = new Set(p1.body.items.map((i) => i.callId));
  assert.not.ok(
    p2.body.items.some((i) => ids1.has(i.callId)),
    'page 2 differs from page 1',
  );
  // Normalised items.
  const first = p1.body.items[0];
  const raw = expected[0];
  assert.is(first.startedAt, new Date(raw.unix_timestamp * 1000).toISOString());
  assert.is(first.durationSec, raw.duration_seconds);
  assert.is(first.billingSec, raw.billing_seconds);
  assert.is(first.direction, raw.class === 'one_one' ? 'internal' : raw.direction === 'to_ab' ? 'inbound' : 'outbound');
  assert.is(first.status, raw.status_detail.toLowerCase());
  assert.equal(
    first.queues,
    raw.queue_stat.map((s) => s.queue_id),
  );
  assert.is(first.from.number, raw.caller.number);
  for (const i of p1.body.items)
    assert.ok(Date.parse(i.startedAt) >= from - 1000 && Date.parse(i.startedAt) <= to, 'inside the window');
});

h('the default window is the last 24 hours', async ({ stack }) => {
  const r = await get(stack, '/api/history?limit=100', stack.token('admin'));
  assert.is(r.status, 200);
  assert.ok(Math.abs(Date.parse(r.body.to) - Date.now()) < 60_000);
  assert.is(Date.parse(r.body.to) - Date.parse(r.body.from), DAY);
  for (const i of r.body.items) assert.ok(Date.parse(i.startedAt) >= Date.now() - DAY - 60_000);
});

h('role scoping on the page AntRing returned: agent, supervisor, admin', async ({ stack, from, to }) => {
  const q = `/api/history?from=${iso(from)}&to=${iso(to)}&limit=100`;
  const page = stack.sim.state.historyBetween(Math.floor(from / 1000), Math.floor(to / 1000)).slice(0, 100);
  const ids = (rs: HistoryRecord[]) => rs.map((r) => r.call_id);

  const admin = await get(stack, q, stack.token('admin'));
  assert.is(admin.status, 200);
  assert.equal(
    admin.body.items.map((i) => i.callId),
    ids(page),
    'admin: the whole page',
  );

  // The agent with the most calls on the page, and one other.
  const counts = stack.sim.data.agents
    .map((a) => [a.username, page.filter((r) => usernamesOf(r).has(a.username)).length] as const)
    .sort((a, b) => b[1] - a[1]);
  assert.ok(counts[0][1] > 0 && counts[0][1] < page.length, 'a meaningful agent');
  for (const [username] of counts.slice(0, 2)) {
    const r = await get(stack, q, stack.token('agent', { agent: username }));
    assert.is(r.status, 200);
    assert.equal(
      r.body.items.map((i) => i.callId),
      ids(page.filter((x) => usernamesOf(x).has(username))),
      `agent ${username}`,
    );
    assert.ok(
      r.body.items.every(
        (i) =>
          i.from.username === username ||
          i.to.username === username ||
          i.agent === username ||
          page
            .find((x) => x.call_id === i.callId)!
            .queue_stat.some((s) => s.misses.some((m) => m.username === username)),
      ),
      'only its calls',
    );
    assert.is(r.body.total, admin.body.total, "total is AntRing's count, before scoping");
  }

  const queue = stack.sim.data.queues[0].id;
  const sup = await get(stack, q, stack.token('supervisor', { queues: [queue] }));
  assert.is(sup.status, 200);
  const supExpected = page.filter((r) => r.queue_stat.some((s) => s.queue_id === queue));
  assert.ok(supExpected.length > 0 && supExpected.length < page.length);
  assert.equal(
    sup.body.items.map((i) => i.callId),
    ids(supExpected),
  );
  assert.ok(sup.body.items.every((i) => i.queues.includes(queue)));
  const all = await get(stack, q, stack.token('supervisor', { queues: ['*'] }));
  assert.equal(
    all.body.items.map((i) => i.callId),
    ids(page.filter((r) => r.queue_stat.length > 0)),
    '* = every call with a queue',
  );
});

h('recordings: 302 to the signed URL (which plays), no-store; bad media 400; roles', async ({ stack, from, to }) => {
  const admin = stack.token('admin');
  const list = await get(stack, `/api/history?from=${iso(from)}&to=${iso(to)}&limit=100`, admin);
  const withRec = list.body.items.filter((i) => i.recording);
  assert.ok(withRec.length > 0, 'some calls have a recording');
  const media = withRec[0].recording!;
  const before = recordingCalls(stack);
  const r = await get(stack, `/api/recordings/${encodeURIComponent(media)}`, admin);
  assert.is(r.status, 302);
  assert.is(recordingCalls(stack), before + 1, 'asked AntRing each time (no cache)');
  const location = r.headers.get('location')!;
  assert.ok(location.startsWith(`${stack.sim.url}/recordings/${encodeURIComponent(media)}?`), location);
  assert.match(location, /Expires=\d+&Signature=/);
  assert.is(r.headers.get('cache-control'), 'no-store');
  const audio = await fetch(location);
  assert.is(audio.status, 200, 'the signed link works');
  assert.is(audio.headers.get('content-type'), 'audio/mpeg');
  await audio.arrayBuffer();

  const sup = await get(
    stack,
    `/api/recordings/${encodeURIComponent(media)}`,
    stack.token('supervisor', { queues: ['nope'] }),
  );
  assert.is(sup.status, 302, 'supervisors may play recordings');

  const beforeBad = recordingCalls(stack);
  for (const bad of [
    'bad%20name.mp3',
    'a%2Fb.mp3',
    'x'.repeat(201),
    'semi%3Bcolon',
    '..%2F..%2Fetc',
    '...',
    'bad%25zz%3F',
  ]) {
    const b = await get(stack, `/api/recordings/${bad}`, admin);
    assert.is(b.status, 400, bad);
    assert.is(b.body.error, 'invalid_body', bad);
  }
  const malformed = await get(stack, '/api/recordings/%E0%A4%A', admin);
  assert.is(malformed.status, 400, 'not percent-decodable');
  assert.is(malformed.body.error, 'invalid_body');
  const wall = await get(
    stack,
    `/api/recordings/${encodeURIComponent(media)}`,
    stack.token('wallboard', { queues: ['*'] }),
  );
  assert.is(wall.status, 403);
  assert.is(recordingCalls(stack), beforeBad, 'no upstream request for refused media');
  const anon = await get(stack, `/api/recordings/${encodeURIComponent(media)}`);
  assert.is(anon.status, 401);
  const logs = stack.logs.text();
  assert.not.ok(logs.includes('Signature='), 'the signed URL is never logged');
  assert.not.ok(logs.includes(stack.sim.credentials.appSecret), 'nor the app secret');
});

h('agents play only recordings of their own calls listed to them', async ({ stack, from, to }) => {
  const q = `/api/history?from=${iso(from)}&to=${iso(to)}&limit=100`;
  const page = stack.sim.state.historyBetween(Math.floor(from / 1000), Math.floor(to / 1000)).slice(0, 100);
  const owner = stack.sim.data.agents.find((a) => page.some((r) => r.recording && usernamesOf(r).has(a.username)))!;
  const mine = page.find((r) => r.recording && usernamesOf(r).has(owner.username))!;
  const other = stack.sim.data.agents.find((a) => a.username !== owner.username && !usernamesOf(mine).has(a.username))!;
  const ownerToken = stack.token('agent', { agent: owner.username });
  const path = `/api/recordings/${encodeURIComponent(mine.recording)}`;
  const early = await get(stack, path, ownerToken);
  assert.is(early.status, 403, 'not listed yet');
  assert.is(early.body.error, 'forbidden');
  assert.is((await get(stack, q, ownerToken)).status, 200);
  assert.is((await get(stack, path, ownerToken)).status, 302, 'its own call, listed');
  const otherToken = stack.token('agent', { agent: other.username });
  assert.is((await get(stack, q, otherToken)).status, 200);
  assert.is((await get(stack, path, otherToken)).status, 403, "another agent's call");
});

h.run();

// ---- upstream failures ----

interface FakeCtx {
  server: http.Server;
  url: string;
  fail: unknown;
  calls: number;
}
const f = suite<FakeCtx>('history upstream failures → 502/503');
const CLAIMS: Claims = { sub: 'a', org: 'o', role: 'admin', queues: [], exp: 2e9 };

f.before(async (ctx) => {
  ctx.calls = 0;
  const source: HistorySource = {
    histories: async () => {
      ctx.calls++;
      if (ctx.fail) throw ctx.fail;
      return { items: [{ unix_timestamp: 1_700_000_000, caller: { number: '1', type: 'realnumber' } }, 'junk'] };
    },
    playRecording: async () => {
      ctx.calls++;
      if (ctx.fail) throw ctx.fail;
      return 'javascript:alert(1)';
    },
  };
  const logger = pino({ level: 'silent' });
  const app = createHttpApp({
    logger,
    verifier: { verify: () => ({ ok: true, claims: CLAIMS }) },
    readiness: { notReadyReasons: () => [] },
    liveCalls: { visibleTo: async () => [] },
    corsOrigins: [],
    apiRoutes: [historyRoutes({ source, logger })],
  });
  ctx.server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => ctx.server.once('listening', r));
  ctx.url = `http://127.0.0.1:${(ctx.server.address() as AddressInfo).port}`;
});
f.after(async (ctx) => {
  await new Promise((r) => ctx.server.close(r));
});

f('failures map to the contract codes; never a stack or an upstream detail', async (ctx) => {
  const call = async (path: string) => {
    const res = await fetch(`${ctx.url}${path}`, { headers: { authorization: 'Bearer x' }, redirect: 'manual' });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Answer };
  };
  ctx.fail = undefined;
  const ok = await call('/api/history');
  assert.is(ok.status, 200);
  assert.is(ok.body.items.length, 1, 'the junk record is dropped');
  assert.is(ok.body.hasMore, false);
  assert.not.ok('total' in ok.body);
  const badUrl = await call('/api/recordings/x.mp3');
  assert.is(badUrl.status, 502, 'a non-http media URL is not followed');
  const cases: [unknown, number, string][] = [
    [new AntRingTimeoutError('histories', 5000), 503, 'upstream_unavailable'],
    [new AntRingNetworkError('histories', 'ECONNREFUSED'), 503, 'upstream_unavailable'],
    [new AntRingHttpError('histories', 503), 503, 'upstream_unavailable'],
    [new AntRingHttpError('histories', 500), 502, 'upstream_error'],
    [new AntRingAuthError('histories', 401), 502, 'upstream_error'],
    // A bug inside the bridge (not an AntRing failure) is ours: 500 internal_error (issue 10 item 12).
    [new Error('boom'), 500, 'internal_error'],
  ];
  for (const [err, status, code] of cases) {
    ctx.fail = err;
    for (const path of ['/api/history', '/api/recordings/x.mp3']) {
      const r = await call(path);
      assert.is(r.status, status, `${(err as Error).message} on ${path}`);
      assert.is(r.body.error, code);
      assert.not.match(r.body.message, /ECONNREFUSED|boom|HTTP/);
    }
  }
  ctx.fail = new AntRingHttpError('play_recording', 404);
  const missing = await call('/api/recordings/x.mp3');
  assert.is(missing.status, 404);
  assert.is(missing.body.error, 'not_found');
});

f.run();
