// The simulated AntRing REST API over real HTTP: auth_token (hash, expiry formats, faults), signed GETs,
// play_recording links, click-to-call (device checks, faults, the outbound scenario it starts), request counts.

import express from 'express';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type AntRingRest, antringRest } from '../../src/simulator/antring-rest.js';
import type { ClickToCallFaults, TokenFaults } from '../../src/simulator/faults.js';
import { TokenRegistry } from '../../src/simulator/token-registry.js';
import { waitFor } from '../helpers/wait.js';
import { type Harness, harness, serve, sha256, steps } from './sim-fixture.js';

const APP_ID = 'app-123';
const SECRET = 's3cr3t';

interface Ctx {
  url: string;
  close: () => Promise<void>;
  h: Harness;
  rest: AntRingRest;
  tokens: TokenRegistry;
  faults: { tokens: TokenFaults; clickToCall: ClickToCallFaults };
}

async function setup(ctx: Ctx): Promise<void> {
  ctx.h = harness();
  ctx.tokens = new TokenRegistry();
  ctx.faults = {
    tokens: { reject: false, fail: false, lifetimeMs: 3_600_000, expireFormat: 'unix-s' },
    clickToCall: { delayMs: 0, fail: null, result: 'answered' },
  };
  ctx.rest = antringRest({
    data: ctx.h.data,
    state: ctx.h.state,
    tokens: ctx.tokens,
    faults: ctx.faults,
    credentials: { appId: APP_ID, appSecret: SECRET },
    startClickToCall: (agent, number) =>
      void ctx.h.engine.clickToCall({ agent: agent.username, number, result: ctx.faults.clickToCall.result }),
  });
  const app = express();
  app.use('/oapi/v1', ctx.rest.router);
  app.use(ctx.rest.recordings);
  Object.assign(ctx, await serve(app));
}

const authToken = (ctx: Ctx, hash = sha256(APP_ID + SECRET), appId = APP_ID) =>
  fetch(`${ctx.url}/oapi/v1/voice/auth_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-app-id': appId, 'x-auth-app-hash': hash },
  });

const t = suite<Ctx>('AntRing REST: auth_token');
t.before.each(setup);
t.after.each((ctx) => ctx.close());

t('a good hash gets { value, expire }; the token is valid for the signal socket', async (ctx) => {
  const before = Date.now();
  const res = await authToken(ctx);
  assert.is(res.status, 200);
  const body = (await res.json()) as { value: string; expire: number };
  assert.type(body.value, 'string');
  assert.is(ctx.tokens.check(body.value), 'valid');
  assert.ok(
    body.expire >= Math.floor((before + 3_600_000) / 1000) && body.expire <= Math.ceil((Date.now() + 3_600_000) / 1000),
  );
});

t('a bad hash, a wrong app id, an uppercase hash or missing headers: 401, no token', async (ctx) => {
  assert.is((await authToken(ctx, sha256(SECRET + APP_ID))).status, 401);
  assert.is((await authToken(ctx, sha256(APP_ID + SECRET).toUpperCase())).status, 401);
  assert.is((await authToken(ctx, sha256(`other${SECRET}`), 'other')).status, 401);
  assert.is((await fetch(`${ctx.url}/oapi/v1/voice/auth_token`, { method: 'POST' })).status, 401);
  assert.is(ctx.rest.stats().tokensIssued, 0);
  assert.is(ctx.rest.stats().routes['POST /voice/auth_token'], 4, 'every request counted');
});

t('each expiry format, with the configured lifetime', async (ctx) => {
  ctx.faults.tokens.lifetimeMs = 2000;
  const expect = {
    'unix-s': (e: unknown) => typeof e === 'number' && Math.abs(e - (Date.now() + 2000) / 1000) <= 2,
    'unix-ms': (e: unknown) => typeof e === 'number' && Math.abs(e - (Date.now() + 2000)) <= 1500,
    'ttl-s': (e: unknown) => e === 2,
    iso: (e: unknown) =>
      typeof e === 'string' && Math.abs(Date.parse(e) - (Date.now() + 2000)) <= 1500 && e.endsWith('Z'),
  } as const;
  for (const [format, ok] of Object.entries(expect)) {
    ctx.faults.tokens.expireFormat = format as TokenFaults['expireFormat'];
    const body = (await (await authToken(ctx)).json()) as { value: string; expire: unknown };
    assert.ok(ok(body.expire), `${format}: ${body.expire}`);
    assert.is(ctx.tokens.expiresAt(body.value)! - Date.now() <= 2000, true);
  }
});

t('fault switches: rejectTokens → 401, failTokens → 503', async (ctx) => {
  ctx.faults.tokens.reject = true;
  assert.is((await authToken(ctx)).status, 401);
  ctx.faults.tokens.reject = false;
  ctx.faults.tokens.fail = true;
  assert.is((await authToken(ctx)).status, 503);
  ctx.faults.tokens.fail = false;
  assert.is((await authToken(ctx)).status, 200);
});

t.run();

const g = suite<Ctx>('AntRing REST: signed GETs');
g.before.each(setup);
g.after.each((ctx) => ctx.close());

const orgQuery = (ctx: Ctx, hash?: string) => {
  const { domain, email } = ctx.h.data.org;
  return new URLSearchParams({
    appId: APP_ID,
    domain,
    email,
    hash: hash ?? sha256(APP_ID + domain + email + SECRET),
  }).toString();
};

g('agents, queues, dashboard with hash = sha256(appId + domain + email + appSecret)', async (ctx) => {
  const agents = (await (await fetch(`${ctx.url}/oapi/v1/agents?${orgQuery(ctx)}`)).json()) as {
    anttel: { userId: string };
    username: string;
    name: string;
    ext: string[];
  }[];
  assert.is(agents.length, 6);
  assert.equal(agents[0], {
    anttel: { userId: ctx.h.data.agents[0].userId },
    username: 'lan.nguyen',
    name: 'Nguyễn Thị Lan',
    ext: ['8001'],
  });
  const queues = (await (await fetch(`${ctx.url}/oapi/v1/queues?${orgQuery(ctx)}`)).json()) as {
    id: string;
    name: string;
    agents: string[];
  }[];
  assert.equal(
    queues.map((q) => q.id),
    ctx.h.data.queues.map((q) => q.id),
  );
  assert.ok(queues[0].agents.includes(ctx.h.data.agents[0].userId));
  await ctx.h.engine.inboundQueueCall({ customer: '0934890883', agents: ['lan.nguyen'], answeredBy: null });
  const d = (await (await fetch(`${ctx.url}/oapi/v1/call/dashboard?${orgQuery(ctx)}`)).json()) as {
    agent: Record<string, number> & {
      status_details: { timestamp: number; unix_timestamp: number; username: string; waiting_calls: unknown[] }[];
    };
    queue: Record<string, unknown>;
  };
  assert.equal([d.agent.ready, d.agent.logged_out, d.agent.logged_in], [5, 1, 5]);
  const s = d.agent.status_details[0];
  assert.is(s.timestamp - s.unix_timestamp, 62167219200, 'Gregorian timestamp');
  assert.equal(s.waiting_calls, []);
  assert.equal([d.queue.offered, d.queue.abandoned, d.queue.abandoned_calls, d.queue.received], [1, 1, 1, 1]);
  assert.ok(Array.isArray(d.queue.status_details) && Array.isArray(d.queue.waiting_call_logs));
});

g('a wrong hash → 401; missing params → 400; another org email → 401', async (ctx) => {
  for (const path of ['agents', 'queues', 'call/dashboard']) {
    assert.is((await fetch(`${ctx.url}/oapi/v1/${path}?${orgQuery(ctx, sha256('x'))}`)).status, 401, path);
  }
  assert.is((await fetch(`${ctx.url}/oapi/v1/agents?appId=${APP_ID}&hash=x`)).status, 400);
  const email = 'someone@else.vn';
  const hash = sha256(APP_ID + ctx.h.data.org.domain + email + SECRET);
  assert.is(
    (
      await fetch(
        `${ctx.url}/oapi/v1/agents?appId=${APP_ID}&domain=${ctx.h.data.org.domain}&email=${email}&hash=${hash}`,
      )
    ).status,
    401,
  );
  assert.is(ctx.rest.stats().routes['GET /agents'], 3);
});

const histories = (ctx: Ctx, p: { from: string; to: string; limit?: string; page?: string }, hash?: string) => {
  const q = new URLSearchParams({
    appId: APP_ID,
    created_from: p.from,
    created_to: p.to,
    ...(p.limit ? { limit: p.limit } : {}),
    ...(p.page ? { page: p.page } : {}),
  });
  q.set('hash', hash ?? sha256(p.from + p.to + (p.limit ?? '') + (p.page ?? '') + APP_ID + SECRET));
  return fetch(`${ctx.url}/oapi/v1/call/histories?${q}`);
};

g(
  'histories: hash = sha256(created_from + created_to + limit + page + appId + appSecret), paging, seed shape',
  async (ctx) => {
    await ctx.h.engine.inboundQueueCall({
      customer: '0934890883',
      agents: ['lan.nguyen', 'minh.tran'],
      answeredBy: 'minh.tran',
      talkMs: 42_000,
    });
    await ctx.h.engine.clickToCall({ agent: 'lan.nguyen', number: '0912345678', result: 'busy' });
    const day = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10); // today in Vietnam (dates are read in UTC+7)
    const res = await histories(ctx, { from: day, to: day, limit: '1', page: '2' });
    assert.is(res.status, 200);
    const body = (await res.json()) as { data: Record<string, unknown>[]; total: number };
    assert.is(body.total, 2);
    assert.is(body.data.length, 1);
    const r = body.data[0];
    for (const k of [
      'caller',
      'callee',
      'class',
      'did_number',
      'direction',
      'status_detail',
      'duration_seconds',
      'unix_timestamp',
      'billing_seconds',
      'recording',
      'queue_stat',
    ]) {
      assert.ok(k in r, k);
    }
    assert.equal(
      [r.direction, r.status_detail, r.class, r.did_number],
      ['to_ab', 'SUCCESS', 'trunking', '02873019555'],
    );
    const qs = (r.queue_stat as Record<string, unknown>[])[0];
    assert.equal([qs.status, qs.username, qs.talk_time], ['processed', 'minh.tran', 42]);
    assert.is((await histories(ctx, { from: day, to: day, limit: '20', page: '1' }, sha256('nope'))).status, 401);
    const defaults = await histories(ctx, { from: day, to: day }, sha256(`${day + day}201${APP_ID}${SECRET}`));
    assert.is(defaults.status, 200, 'omitted limit/page signed with their defaults');
  },
);

g('histories: 400 when the window is over 31 days or limit over 100', async (ctx) => {
  assert.is((await histories(ctx, { from: '2024-01-01', to: '2024-01-31', limit: '100', page: '1' })).status, 200);
  assert.is((await histories(ctx, { from: '2024-01-01', to: '2024-02-01', limit: '20', page: '1' })).status, 400);
  assert.is((await histories(ctx, { from: '2024-01-01', to: '2024-01-10', limit: '101', page: '1' })).status, 400);
  assert.is((await histories(ctx, { from: '2024-01-10', to: '2024-01-01', limit: '20', page: '1' })).status, 400);
  assert.is((await histories(ctx, { from: 'yesterday', to: '2024-01-01', limit: '20', page: '1' })).status, 400);
  const from = String(Math.floor(Date.now() / 1000) - 86_400);
  const to = String(Math.floor(Date.now() / 1000));
  assert.is((await histories(ctx, { from, to, limit: '20', page: '1' })).status, 200, 'unix seconds accepted');
});

g(
  'play_recording: hash = sha256(appId + media + appSecret) → a signed link that plays until it expires',
  async (ctx) => {
    const media = 'call_recording_dl5m5j5hfh4n8njj1oor.mp3';
    const bad = await fetch(
      `${ctx.url}/oapi/v1/call/play_recording?appId=${APP_ID}&media=${media}&hash=${sha256(media)}`,
    );
    assert.is(bad.status, 401);
    const res = await fetch(
      `${ctx.url}/oapi/v1/call/play_recording?appId=${APP_ID}&media=${media}&hash=${sha256(APP_ID + media + SECRET)}`,
    );
    assert.is(res.status, 200);
    const link = ((await res.json()) as { media: string }).media;
    assert.match(link, new RegExp(`^${ctx.url}/recordings/${media}\\?Expires=\\d+&Signature=`));
    const audio = await fetch(link);
    assert.is(audio.status, 200);
    assert.is(audio.headers.get('content-type'), 'audio/mpeg');
    assert.is((await fetch(link.replace(/Signature=[^&]+/, 'Signature=forged'))).status, 403);
  },
);

g.run();

const c = suite<Ctx>('AntRing REST: click-to-call');
c.before.each(setup);
c.after.each((ctx) => ctx.close());

const click = (ctx: Ctx, number: string, body: unknown, hash = sha256(APP_ID + SECRET)) =>
  fetch(`${ctx.url}/oapi/v1/call/click-to-call/${number}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-app-id': APP_ID, 'x-auth-app-hash': hash },
    body: JSON.stringify(body),
  });

c('success: 200 { message: "ok" } and the agent device leg rings first, then the customer leg', async (ctx) => {
  const agent = ctx.h.data.agents[1];
  const res = await click(ctx, '0912345678', { sipUser: agent.device.sipUser, sipPassword: agent.device.sipPassword });
  assert.is(res.status, 200);
  assert.equal(await res.json(), { message: 'ok' });
  await waitFor(() => ctx.h.engine.stats().completed === 1, { what: 'the click-to-call scenario' });
  const [A, B] = [ctx.h.published[0]['Call-ID'] as string, ctx.h.published[2]['Call-ID'] as string];
  assert.equal(steps(ctx.h.published, { [A]: 'A', [B]: 'B' }).slice(0, 4), [
    'A CREATE',
    'A ANSWER',
    'B CREATE',
    'B ANSWER',
  ]);
  assert.is((ctx.h.published[0]['Custom-Channel-Vars'] as Record<string, string>)['Owner-ID'], agent.userId);
  assert.is(ctx.h.published[2]['Callee-ID-Number'], '0912345678');
  assert.equal(ctx.rest.stats().clickToCall, { '0912345678': 1 });
});

c(
  'device offline → 400 "device offline"; wrong password / unknown device / bad number → 400; bad hash → 401; no call',
  async (ctx) => {
    const off = ctx.h.data.agents.find((a) => !a.device.online)!;
    const offline = await click(ctx, '0912345678', {
      sipUser: off.device.sipUser,
      sipPassword: off.device.sipPassword,
    });
    assert.is(offline.status, 400);
    assert.equal(await offline.json(), { message: 'device offline' });
    const on = ctx.h.data.agents[0].device;
    assert.is((await click(ctx, '0912345678', { sipUser: on.sipUser, sipPassword: 'wrong' })).status, 400);
    assert.is((await click(ctx, '0912345678', { sipUser: 'nobody', sipPassword: 'x' })).status, 400);
    assert.is((await click(ctx, '0912345678', {})).status, 400);
    assert.is((await click(ctx, 'abc', { sipUser: on.sipUser, sipPassword: on.sipPassword })).status, 400);
    assert.is(
      (await click(ctx, '0912345678', { sipUser: on.sipUser, sipPassword: on.sipPassword }, sha256('x'))).status,
      401,
    );
    assert.is(ctx.h.published.length, 0);
    assert.is(ctx.rest.stats().routes['POST /call/click-to-call'], 6);
    assert.equal(ctx.rest.stats().clickToCall, { '0912345678': 5, abc: 1 });
  },
);

c('an extension of 2 to 6 digits is dialled as the bridge accepts it (one rule: normalizeDialable)', async (ctx) => {
  const on = ctx.h.data.agents[0].device;
  const creds = { sipUser: on.sipUser, sipPassword: on.sipPassword };
  for (const number of ['12', '8002', '123456']) {
    const res = await click(ctx, number, creds);
    assert.is(res.status, 200, number);
  }
  for (const number of ['1', '1234567x', '00']) {
    const res = await click(ctx, number, creds);
    assert.is(res.status, 400, number);
    assert.equal(await res.json(), { message: 'invalid number' });
  }
});

c('fault switches: clickToCallFail 503/500, clickToCallDelayMs', async (ctx) => {
  const d = ctx.h.data.agents[0].device;
  const creds = { sipUser: d.sipUser, sipPassword: d.sipPassword };
  ctx.faults.clickToCall.fail = 503;
  assert.is((await click(ctx, '0912345678', creds)).status, 503);
  ctx.faults.clickToCall.fail = 500;
  assert.is((await click(ctx, '0912345678', creds)).status, 500);
  assert.is(ctx.h.published.length, 0, 'a failed request starts no call');
  ctx.faults.clickToCall.fail = null;
  ctx.faults.clickToCall.delayMs = 150;
  const started = Date.now();
  assert.is((await click(ctx, '0912345678', creds)).status, 200);
  assert.ok(Date.now() - started >= 140, 'delayed');
});

c.run();
