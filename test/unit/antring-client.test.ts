// The client against a real local HTTP server (port 0) through the default keep-alive node-fetch.

import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AntRingClient, type AntRingClientOptions } from '../../src/antring/client.js';
import {
  AntRingAuthError,
  AntRingConfigError,
  AntRingHttpError,
  AntRingNetworkError,
  AntRingResponseError,
  AntRingTimeoutError,
  DeviceOfflineError,
} from '../../src/antring/errors.js';
import { TokenKeeper } from '../../src/antring/token-keeper.js';
import { captureLogger, silentLogger } from '../helpers/logs.js';
import { rejects } from '../helpers/rejects.js';
import { waitFor } from '../helpers/wait.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const APP = 'app';
const SECRET = 'secret';
const DOMAIN = 'acme.antbuddy.com';
const EMAIL = 'boss@acme.vn';
const NOW = 1_769_584_133_000;

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Reply = { status: number; body?: unknown; raw?: string } | 'hang';

const S = {
  server: undefined as http.Server | undefined,
  base: '',
  seen: [] as Seen[],
  reply: (_req: Seen): Reply => ({ status: 404 }),
  clients: [] as AntRingClient[],
};

function client(extra: Partial<AntRingClientOptions> = {}): AntRingClient {
  const c = new AntRingClient({
    apiUrl: `${S.base}/`,
    appId: APP,
    appSecret: SECRET,
    domain: DOMAIN,
    email: EMAIL,
    logger: silentLogger(),
    now: () => NOW,
    ...extra,
  });
  S.clients.push(c);
  return c;
}

const last = () => S.seen[S.seen.length - 1];

const C = suite('antring client');

C.before(async () => {
  S.server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const seen: Seen = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      S.seen.push(seen);
      const r = S.reply(seen);
      if (r === 'hang') return;
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.raw ?? (r.body === undefined ? '' : JSON.stringify(r.body)));
    });
  });
  await new Promise<void>((r) => S.server!.listen(0, '127.0.0.1', () => r()));
  S.base = `http://127.0.0.1:${(S.server.address() as AddressInfo).port}`;
});

C.after.each(() => {
  S.seen = [];
  S.reply = () => ({ status: 404 });
});

C.after(async () => {
  for (const c of S.clients) c.close();
  S.server!.closeAllConnections();
  await new Promise<void>((r) => S.server!.close(() => r()));
});

C('authToken: POST with signed headers; seconds-to-live and ISO expire', async () => {
  S.reply = () => ({ status: 200, body: { value: 'abc123', expire: 3600 } });
  const t = await client().authToken();
  assert.equal(t, { value: 'abc123', expiresAt: NOW + 3_600_000 });
  const r = last();
  assert.is(r.method, 'POST');
  assert.is(r.path, '/oapi/v1/voice/auth_token');
  assert.is(r.headers['x-auth-app-id'], 'app');
  assert.is(r.headers['x-auth-app-hash'], '87d30924574640e83d55653999fc0b3a4973a9cad137c41937c65887a26262bb');
  assert.is(r.headers['x-auth-app-hash'], sha(APP + SECRET));
  assert.is(r.headers['content-type'], 'application/json');
  S.reply = () => ({ status: 200, body: { value: 'abc123', expire: '2026-01-28T08:08:53Z' } });
  assert.is((await client().authToken()).expiresAt, Date.UTC(2026, 0, 28, 8, 8, 53));
});

C('authToken: 401/403 → AntRingAuthError; 500 → AntRingHttpError; bad bodies → AntRingResponseError', async () => {
  S.reply = () => ({ status: 401, body: { message: 'invalid hash' } });
  assert.is((await rejects(client().authToken(), AntRingAuthError)).status, 401);
  S.reply = () => ({ status: 403, body: {} });
  assert.is((await rejects(client().authToken(), AntRingAuthError)).status, 403);
  S.reply = () => ({ status: 500, raw: 'oops' });
  const e = await rejects(client().authToken(), AntRingHttpError);
  assert.is(e.status, 500);
  S.reply = () => ({ status: 200, raw: '<html>' });
  await rejects(client().authToken(), AntRingResponseError);
  S.reply = () => ({ status: 200, body: { value: 'x', expire: 'whenever' } });
  await rejects(client().authToken(), AntRingResponseError);
  S.reply = () => ({ status: 200, body: { expire: 3600 } });
  await rejects(client().authToken(), AntRingResponseError);
});

C('agents: signed query; nested and flat anttel.userId; ext string or array; bad items skipped', async () => {
  const items = [
    {
      anttel: { userId: 'EAB4EBF976C53D22D393E94F3ED085DC' },
      username: 'userstaging2',
      name: 'User Staging 2',
      ext: ['8000', '8001'],
    },
    { 'anttel.userId': 'da80ca52e8ab9d6b26b7f2eb960545ae', username: 'nguyenvana', ext: '8002' },
    { anttel: { userId: 'df67983ccdeee7d834e8f5d345db1fe5' }, name: 'no username' },
    { username: 'no id' },
    'junk',
  ];
  S.reply = () => ({ status: 200, body: items });
  const c = client();
  const agents = await c.agents();
  assert.equal(agents, [
    { id: 'eab4ebf976c53d22d393e94f3ed085dc', username: 'userstaging2', name: 'User Staging 2', ext: ['8000', '8001'] },
    { id: 'da80ca52e8ab9d6b26b7f2eb960545ae', username: 'nguyenvana', ext: ['8002'] },
  ]);
  assert.is(c.counters.agentsSkipped, 3);
  const r = last();
  assert.is(r.method, 'GET');
  assert.is(r.path, '/oapi/v1/agents');
  assert.is(r.query.get('appId'), APP);
  assert.is(r.query.get('domain'), DOMAIN);
  assert.is(r.query.get('email'), EMAIL);
  assert.is(r.query.get('hash'), sha(APP + DOMAIN + EMAIL + SECRET));
  S.reply = () => ({ status: 200, body: { data: items.slice(0, 1) } });
  assert.is((await c.agents()).length, 1);
  S.reply = () => ({ status: 200, body: { nope: 1 } });
  await rejects(c.agents(), AntRingResponseError);
});

C('queues: id | _id | queue_id; agent ids lowercased', async () => {
  S.reply = () => ({
    status: 200,
    body: [
      { id: 'q1', name: 'Staging Queue', agents: ['Eab4ebf976c53d22d393e94f3ed085dc'] },
      { _id: 'q2', name: 'Sales', agents: [] },
      { queue_id: 'q3' },
      { name: 'no id' },
    ],
  });
  const c = client();
  assert.equal(await c.queues(), [
    { id: 'q1', name: 'Staging Queue', agents: ['eab4ebf976c53d22d393e94f3ed085dc'] },
    { id: 'q2', name: 'Sales', agents: [] },
    { id: 'q3', name: 'q3', agents: [] },
  ]);
  assert.is(c.counters.queuesSkipped, 1);
  assert.is(last().path, '/oapi/v1/queues');
  assert.is(last().query.get('hash'), sha(APP + DOMAIN + EMAIL + SECRET));
});

C('dashboard: the seed document sample, loosely typed; missing parts refused', async () => {
  const sample = {
    agent: {
      ready: 2,
      logged_out: 1,
      wrapup: 0,
      logged_in: 3,
      connected: 0,
      paused: 0,
      status_details: [
        {
          timestamp: 63936806933,
          status: 'ready',
          id: 'df67983ccdeee7d834e8f5d345db1f45::63936806933',
          agent_id: 'df67983ccdeee7d834e8f5d345db1fe5',
          start_idle_time: 63936806933,
          idle_time: 765140,
          waiting_calls: [],
          unix_timestamp: 1769587733,
          username: 'nguyenvana',
          name: 'Nguyễn Văn A',
        },
        42,
      ],
    },
    queue: {
      abandoned: 0,
      abandoned_detail: {},
      offered: 12,
      handled: 12,
      avg_waiting: 6,
      max_waiting: 15,
      avg_talking: 180,
      abandoned_calls: 0,
      received: '12',
      status_details: [],
      waiting_call_logs: [],
      extra: 'kept',
    },
  };
  S.reply = () => ({ status: 200, body: sample });
  const d = await client().dashboard();
  assert.is(d.agent.ready, 2);
  assert.is(d.agent.status_details.length, 1);
  assert.is(d.agent.status_details[0].username, 'nguyenvana');
  assert.is(d.agent.status_details[0].unix_timestamp, 1769587733);
  assert.is(d.queue.offered, 12);
  assert.is(d.queue.received, 12);
  assert.is((d.queue as Record<string, unknown>).extra, 'kept');
  assert.is(last().path, '/oapi/v1/call/dashboard');
  assert.is(last().query.get('hash'), sha(APP + DOMAIN + EMAIL + SECRET));
  S.reply = () => ({ status: 200, body: { agent: {} } });
  await rejects(client().dashboard(), AntRingResponseError);
});

C('directory calls without domain/email → AntRingConfigError, no request', async () => {
  const c = client({ domain: undefined });
  await rejects(c.agents(), AntRingConfigError);
  await rejects(c.queues(), AntRingConfigError);
  await rejects(client({ email: '' }).dashboard(), AntRingConfigError);
  assert.is(S.seen.length, 0);
});

C('histories: query and hash in HISTORY_HASH_ORDER; { data, total } and plain array', async () => {
  S.reply = () => ({ status: 200, body: { data: [{ caller: { number: '01693608879' } }], total: 41 } });
  const q = { created_from: '2024-02-01 00:00:00', created_to: '2024-02-07 23:59:59', limit: 20, page: 3 };
  const h = await client().histories(q);
  assert.equal(h, { items: [{ caller: { number: '01693608879' } }], total: 41 });
  const r = last();
  assert.is(r.path, '/oapi/v1/call/histories');
  assert.is(r.query.get('appId'), APP);
  assert.is(r.query.get('created_from'), q.created_from);
  assert.is(r.query.get('created_to'), q.created_to);
  assert.is(r.query.get('limit'), '20');
  assert.is(r.query.get('page'), '3');
  assert.is(r.query.get('hash'), sha(`${q.created_from}${q.created_to}203${APP}${SECRET}`));
  S.reply = () => ({ status: 200, body: [1, 2] });
  assert.equal(await client().histories(q), { items: [1, 2] });
});

C('playRecording: media in the query, signed; returns the URL', async () => {
  const url = 'https://abs1.antbuddy.com/nkrecord/x.mp3?Signature=abc%3D';
  S.reply = () => ({ status: 200, body: { media: url } });
  const media = 'call_recording_F5879958@172.16.0.204.mp3';
  assert.is(await client().playRecording(media), url);
  assert.is(last().path, '/oapi/v1/call/play_recording');
  assert.is(last().query.get('media'), media);
  assert.is(last().query.get('hash'), sha(APP + media + SECRET));
  S.reply = () => ({ status: 200, body: {} });
  await rejects(client().playRecording(media), AntRingResponseError);
});

C('clickToCall: number encoded in the path, signed headers, JSON body; 400 → DeviceOfflineError', async () => {
  S.reply = () => ({ status: 200, body: { message: 'ok' } });
  await client().clickToCall('+84 934/890883', { sipUser: 'dev1', sipPassword: 'pw' });
  const r = last();
  assert.is(r.method, 'POST');
  assert.is(r.path, '/oapi/v1/call/click-to-call/%2B84%20934%2F890883');
  assert.is(r.headers['x-auth-app-hash'], sha(APP + SECRET));
  assert.is(r.headers['content-type'], 'application/json');
  assert.equal(JSON.parse(r.body), { sipUser: 'dev1', sipPassword: 'pw' });
  S.reply = () => ({ status: 400, body: { message: 'device offline' } });
  const e = await rejects(
    client().clickToCall('0934890883', { sipUser: 'dev1', sipPassword: 'pw' }),
    DeviceOfflineError,
  );
  assert.is(e.status, 400);
  S.reply = () => ({ status: 401, body: { message: 'invalid hash' } });
  await rejects(client().clickToCall('0934890883', { sipUser: 'dev1', sipPassword: 'pw' }), AntRingAuthError);
  S.reply = () => ({ status: 502 });
  assert.is(
    (await rejects(client().clickToCall('0934890883', { sipUser: 'd', sipPassword: 'p' }), AntRingHttpError)).status,
    502,
  );
});

C(
  'timeout → AntRingTimeoutError; refused connection → AntRingNetworkError (no URL or hash in the message)',
  async () => {
    S.reply = () => 'hang';
    const started = Date.now();
    const e = await rejects(client({ timeoutMs: 150 }).agents(), AntRingTimeoutError);
    assert.ok(Date.now() - started < 2000);
    assert.is(e.timeoutMs, 150);
    assert.not.match(e.message, sha(APP + DOMAIN + EMAIL + SECRET));
    // A port with nothing listening: bind one, note it, close it.
    const tmp = http.createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', () => r()));
    const port = (tmp.address() as AddressInfo).port;
    await new Promise<void>((r) => tmp.close(() => r()));
    const n = await rejects(client({ apiUrl: `http://127.0.0.1:${port}` }).agents(), AntRingNetworkError);
    assert.is(n.sysCode, 'ECONNREFUSED');
    assert.not.match(n.message, 'hash');
    assert.not.match(n.message, '127.0.0.1');
  },
);

C('no secret, hash or token in logs or error messages (auth failure, then success and invalidate)', async () => {
  const secret = 'S3cr3t-SHOULD-NOT-LEAK';
  const token = 'tok-SHOULD-NOT-LEAK-0123456789';
  const secrets = [secret, token, sha(APP + secret), sha(APP + DOMAIN + EMAIL + secret)];
  const cap = captureLogger('trace');
  const c = client({ appSecret: secret, logger: cap.logger.child({ mod: 'antring' }) });
  let ok = false;
  S.reply = () =>
    ok ? { status: 200, body: { value: token, expire: 3600 } } : { status: 401, body: { message: 'invalid hash' } };
  const keeper = new TokenKeeper({
    fetchToken: (signal) => c.authToken(signal),
    logger: cap.logger.child({ mod: 'token' }),
    backoff: { baseMs: 5, maxMs: 20 },
  });
  const err = await rejects(keeper.start(), AntRingAuthError);
  const dir = await rejects(c.agents(), AntRingAuthError);
  ok = true;
  await waitFor(() => keeper.status().hasToken, { what: 'the retry to succeed', timeoutMs: 2000 });
  assert.is((await keeper.get()).value, token);
  keeper.invalidate(token);
  await waitFor(() => S.seen.length >= 4, { what: 'the refresh after invalidate', timeoutMs: 2000 });
  await keeper.stop();
  const logs = cap.text();
  assert.match(logs, 'credentials refused');
  assert.match(logs, 'antring token: refreshed');
  assert.match(logs, '"status":401');
  for (const s of secrets) {
    assert.not.match(logs, s);
    assert.not.match(err.message, s);
    assert.not.match(dir.message, s);
    assert.not.match(JSON.stringify(err), s);
  }
});

C.run();
