// Token expiry on a demo page (issue 10 item 4): the bridge sends `session_expired` before it disconnects; the agent
// panel then fetches a fresh token (POST /demo/token, demo mode only), keeps it in the fragment and reconnects.
// Without a token endpoint (not demo mode) the page shows the expired state instead (agent-panel.test.ts).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import jwt from 'jsonwebtoken';
import type { Browser } from 'playwright-core';
import * as assert from 'uvu/assert';
import { createJwtVerifier } from '../../src/fanout/jwt.js';
import { MemoryLiveCallStore } from '../../src/fanout/live-calls.js';
import { createFanout, type Fanout } from '../../src/fanout/server.js';
import { demoPages } from '../../src/http/demo-pages.js';
import { createDemoTokenRenewer } from '../../src/http/demo-token.js';
import { captureLogger } from '../helpers/logs.js';
import { signToken } from '../helpers/tokens.js';
import { browserSuite, launchChromium, type OpenedPage, openPage } from './harness.js';

const SECRET = 'demo-renew-secret-0123456789abcdef0123456789abcdef';
const ORG = 'org-demo';
interface Ctx {
  server?: http.Server;
  fanout?: Fanout;
  url: string;
  browser?: Browser;
  page?: OpenedPage;
  renewals: number;
}
const t = browserSuite<Ctx>('demo page: session_expired → a fresh token → reconnected', 'session-renew.test.ts', {
  url: '',
  renewals: 0,
});

t.before(async (ctx) => {
  const logs = captureLogger('silent');
  const renew = createDemoTokenRenewer({ secret: SECRET, org: ORG, ttlSec: 600 });
  const app = express();
  app.use(
    demoPages({
      renewToken: (tok) => {
        ctx.renewals++;
        return renew(tok);
      },
    }),
  );
  ctx.server = http.createServer(app);
  ctx.fanout = createFanout(ctx.server, {
    org: ORG,
    verifier: createJwtVerifier({ secret: SECRET, org: ORG }),
    logger: logs.logger,
    live: new MemoryLiveCallStore(),
  });
  await new Promise<void>((r) => ctx.server!.listen(0, '127.0.0.1', r));
  ctx.url = `http://127.0.0.1:${(ctx.server.address() as AddressInfo).port}`;
  ctx.browser = await launchChromium();
});

t.after(async (ctx) => {
  await ctx.page?.context.close().catch(() => undefined);
  await ctx.browser?.close();
  await ctx.fanout?.close();
  ctx.server?.closeAllConnections();
  await new Promise<void>((r) => (ctx.server ? ctx.server.close(() => r()) : r()));
});

t('the agent panel renews its expired token and goes live again', async (ctx) => {
  const short = signToken(
    { sub: 'demo-agent', org: ORG, role: 'agent', agent: 'lan.nguyen' },
    { secret: SECRET, ttlSec: 2 },
  );
  ctx.page = await openPage(ctx.browser!, `${ctx.url}/demo/agent.html#token=${short}`);
  const { page } = ctx.page;
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
  assert.is(ctx.fanout!.connectedByRole().agent, 1);
  // Expiry (2 s): session_expired, disconnect, renewal, reconnect with the new token kept in the fragment.
  await page.waitForFunction((old) => !location.hash.includes(old), short, { timeout: 10_000 });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
  assert.is(ctx.renewals, 1);
  const fresh = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get('token')!;
  const claims = jwt.verify(fresh, SECRET) as jwt.JwtPayload;
  assert.is(claims.agent, 'lan.nguyen');
  assert.is(claims.role, 'agent');
  assert.ok(claims.exp! > Date.now() / 1000 + 60, 'a fresh exp');
  assert.is(ctx.fanout!.connectedByRole().agent, 1, 'connected again');
});

t('POST /demo/token refuses what is not a demo token of this bridge', async (ctx) => {
  const post = (auth?: string) =>
    fetch(`${ctx.url}/demo/token`, { method: 'POST', headers: auth ? { authorization: auth } : {} });
  assert.is((await post()).status, 401);
  assert.is((await post('Bearer not-a-jwt')).status, 401);
  const other = signToken({ sub: 'x', org: 'another-org', role: 'admin' }, { secret: SECRET, ttlSec: 60 });
  assert.is((await post(`Bearer ${other}`)).status, 401);
  const forged = signToken(
    { sub: 'x', org: ORG, role: 'admin' },
    { secret: 'another-secret-0123456789abcdef0123456789', ttlSec: 60 },
  );
  assert.is((await post(`Bearer ${forged}`)).status, 401);
  const expired = signToken(
    { sub: 'x', org: ORG, role: 'admin', exp: Math.floor(Date.now() / 1000) - 3600 },
    { secret: SECRET, ttlSec: false },
  );
  const res = await post(`Bearer ${expired}`);
  assert.is(res.status, 200);
  const { token } = (await res.json()) as { token: string };
  assert.is((jwt.verify(token, SECRET) as jwt.JwtPayload).role, 'admin');
});

t.run();
