// GET /demo/…: the client-demo pages (agent panel, wallboard, CRM page + click-to-call widget), served as plain files
// from client-demo/ (no build step), and socket.io-client's browser build (ES module) from node_modules at
// /demo/vendor/socket.io.esm.min.js. Public routes: the pages hold no data; they connect with the token of the link.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Response, Router } from 'express';
import { coded } from '../shared/error-catalogue.js';
import { parseBearer } from './auth.js';
import type { DemoTokenRenewer } from './demo-token.js';

export class DemoPagesError extends coded('DEMO_PAGES_MISSING') {
  override readonly name = 'DemoPagesError';
}

export interface DemoPagesOptions {
  /** The pages' folder. Default: client-demo/ at the package root (the same from src/http/ and dist/http/). */
  dir?: string;
  /** socket.io-client's dist/ folder. Default: resolved from node_modules. */
  socketIoClientDist?: string;
  /** Demo mode only: `POST /demo/token` (Authorization: Bearer <the page's token, expired or not>) → `{ token }`,
   *  so a page that got `session_expired` can reconnect by itself. Absent: the route answers 404. */
  renewToken?: DemoTokenRenewer;
  /** Demo mode only: what the simulated AntCRM and the embedded webhook receiver got, for the CRM and webhook demo
   *  pages (GET /demo/feed/crm.json, /demo/feed/webhooks.json). Absent: those routes answer 404. */
  feed?: DemoFeed;
}

/** The demo pages' feed: simulated data only (the simulator's tickets, leads and received webhooks). */
export interface DemoFeed {
  crm(): { tickets: unknown[]; leads: unknown[] };
  webhooks(): { deliveries: unknown[] };
}

/** Same-origin only; no inline script or style (the pages and the widget use none); sockets to this origin. */
export const DEMO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const VENDOR_FILES = ['socket.io.esm.min.js', 'socket.io.esm.min.js.map'];

export function defaultDemoDir(): string {
  return fileURLToPath(new URL('../../client-demo/', import.meta.url));
}

function defaultSocketIoClientDist(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('socket.io-client/package.json')), 'dist');
}

function securityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', DEMO_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Tokens travel in the URL fragment (never sent), or the query (moved to the fragment by the pages): no Referer.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
}

export function demoPages(o: DemoPagesOptions = {}): Router {
  const dir = o.dir ?? defaultDemoDir();
  const vendor = o.socketIoClientDist ?? defaultSocketIoClientDist();
  if (!existsSync(join(dir, 'agent.html'))) throw new DemoPagesError(`client-demo pages not found in ${dir}`);
  for (const f of VENDOR_FILES) {
    if (!existsSync(join(vendor, f))) throw new DemoPagesError(`socket.io-client browser build not found: ${f}`);
  }
  const r = Router();
  const renew = o.renewToken;
  if (renew) {
    r.post('/demo/token', (req, res) => {
      securityHeaders(res);
      res.setHeader('Cache-Control', 'no-store');
      const token = parseBearer(req.headers.authorization);
      const fresh = token ? renew(token) : undefined;
      if (!fresh) {
        res.status(401).json({ error: 'unauthorized', message: 'a demo token of this bridge is required' });
        return;
      }
      res.json({ token: fresh });
    });
  }
  const feed = o.feed;
  if (feed) {
    const serve = (get: () => unknown) => (_req: unknown, res: Response) => {
      securityHeaders(res);
      res.setHeader('Cache-Control', 'no-store');
      res.json(get());
    };
    r.get(
      '/demo/feed/crm.json',
      serve(() => feed.crm()),
    );
    r.get(
      '/demo/feed/webhooks.json',
      serve(() => feed.webhooks()),
    );
  }
  // Express matches `/demo/` here too (non-strict routing): only the bare path is redirected.
  r.get('/demo', (req, res, next) =>
    req.originalUrl.split('?')[0] === '/demo' ? res.redirect(301, '/demo/') : next(),
  );
  r.get('/demo/vendor/:file', (req, res, next) => {
    const file = String(req.params.file);
    if (!VENDOR_FILES.includes(file)) return next();
    securityHeaders(res);
    res.sendFile(join(vendor, file), (err) => {
      if (err) next(err);
    });
  });
  r.use(
    '/demo',
    express.static(dir, {
      index: 'index.html',
      dotfiles: 'ignore',
      redirect: true,
      fallthrough: true,
      setHeaders: securityHeaders,
    }),
  );
  return r;
}
