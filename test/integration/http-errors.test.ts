// A bug inside the bridge answers 500 internal_error (JSON, nothing of the error echoed); 502 upstream_error and
// 503 upstream_unavailable stay for real (named) upstream failures. The Express app on a real server, port 0.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AntRingHttpError, AntRingTimeoutError } from '../../src/antring/errors.js';
import type { Claims } from '../../src/contract.js';
import { createHttpApp } from '../../src/http/app.js';
import { type HistorySource, historyRoutes } from '../../src/http/routes-history.js';
import { captureLogger } from '../helpers/logs.js';

const claims: Claims = {
  sub: 'admin-1',
  org: 'acc-1',
  role: 'admin',
  queues: ['*'],
  exp: Math.floor(Date.now() / 1000) + 600,
};

const t = suite<{ server: http.Server; url: string; logs: ReturnType<typeof captureLogger>; failure: () => unknown }>(
  'bugs are 500, upstream failures 502/503',
);

t.before(async (ctx) => {
  ctx.logs = captureLogger('debug');
  ctx.failure = () => new TypeError('boom');
  const source: HistorySource = {
    histories: async () => {
      throw ctx.failure();
    },
    playRecording: async () => {
      throw ctx.failure();
    },
  };
  const buggy = Router();
  buggy.get('/api/buggy', () => {
    throw new TypeError("Cannot read properties of undefined (reading 'secret-detail')");
  });
  buggy.get('/api/buggy-async', async () => {
    await Promise.resolve();
    throw new RangeError('async secret-detail');
  });
  const app = createHttpApp({
    logger: ctx.logs.logger,
    verifier: {
      verify: (token) => (token === 'good' ? { ok: true, claims } : { ok: false, code: 'unauthorized', reason: 'bad' }),
    },
    readiness: { notReadyReasons: () => [] },
    liveCalls: { visibleTo: async () => [] },
    corsOrigins: [],
    apiRoutes: [buggy, historyRoutes({ source, logger: ctx.logs.logger })],
  });
  ctx.server = http.createServer(app);
  await new Promise<void>((resolve) => ctx.server.listen(0, '127.0.0.1', resolve));
  ctx.url = `http://127.0.0.1:${(ctx.server.address() as AddressInfo).port}`;
});
t.after(async (ctx) => {
  ctx.server.closeAllConnections();
  await new Promise((resolve) => ctx.server.close(resolve));
});

async function get(url: string): Promise<{ status: number; body: unknown; text: string }> {
  const res = await fetch(url, { headers: { authorization: 'Bearer good' }, redirect: 'manual' });
  const text = await res.text();
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return { status: res.status, body: JSON.parse(text), text };
}

t(
  'an exception in a route (sync or async): 500 internal_error, the error not echoed, logged',
  async ({ url, logs }) => {
    for (const path of ['/api/buggy', '/api/buggy-async']) {
      const r = await get(`${url}${path}`);
      assert.is(r.status, 500, path);
      assert.equal(r.body, { error: 'internal_error', message: 'internal error' });
      assert.not.match(r.text, /secret-detail|TypeError|RangeError/);
    }
    assert.match(logs.text(), /unhandled request error/);
  },
);

t('a bug behind an upstream call (not a named AntRing error): 500, not 502', async (ctx) => {
  ctx.failure = () => new TypeError('x is not a function');
  const h = await get(`${ctx.url}/api/history`);
  assert.is(h.status, 500);
  assert.is((h.body as { error: string }).error, 'internal_error');
  const rec = await get(`${ctx.url}/api/recordings/a.mp3`);
  assert.is(rec.status, 500);
  assert.is((rec.body as { error: string }).error, 'internal_error');
});

t('named upstream failures keep their codes: timeout → 503, HTTP 500 → 502, 404 recording → 404', async (ctx) => {
  ctx.failure = () => new AntRingTimeoutError('histories', 5000);
  assert.equal((await get(`${ctx.url}/api/history`)).status, 503);
  ctx.failure = () => new AntRingHttpError('histories', 500);
  const h = await get(`${ctx.url}/api/history`);
  assert.equal([h.status, (h.body as { error: string }).error], [502, 'upstream_error']);
  ctx.failure = () => new AntRingHttpError('play_recording', 404);
  assert.is((await get(`${ctx.url}/api/recordings/a.mp3`)).status, 404);
});

t('play_recording answering something that is not an http(s) URL is an upstream error (502)', async (ctx) => {
  for (const answer of ['javascript:alert(1)', 'not a url']) {
    const app = createHttpApp({
      logger: ctx.logs.logger,
      verifier: { verify: () => ({ ok: true, claims }) },
      readiness: { notReadyReasons: () => [] },
      liveCalls: { visibleTo: async () => [] },
      corsOrigins: [],
      apiRoutes: [
        historyRoutes({
          source: { histories: async () => ({ items: [] }), playRecording: async () => answer },
          logger: ctx.logs.logger,
        }),
      ],
    });
    const s = http.createServer(app);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    try {
      const r = await get(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/recordings/a.mp3`);
      assert.equal([r.status, (r.body as { error: string }).error], [502, 'upstream_error'], answer);
    } finally {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  }
});

t.run();
