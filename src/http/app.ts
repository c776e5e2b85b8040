// The Express application (REST routes, health, errors) and its HTTP server: timeouts that release slow or
// incomplete requests, Node's own error answers as JSON, and a shutdown that lets requests in flight finish.
// Socket.IO shares the server (fanout/).
import http from 'node:http';
import express, { type Router } from 'express';
import type { Logger } from '../log.js';
import { requireAuth, type TokenVerifier } from './auth.js';
import { cors } from './cors.js';
import { clientErrorResponder, errorHandler, notFound } from './errors.js';
import { healthRoutes, type Readiness } from './health.js';
import { callRoutes, type LiveCallsQuery } from './routes-calls.js';

export interface HttpAppOptions {
  logger: Logger;
  verifier: TokenVerifier;
  readiness: Readiness;
  liveCalls: LiveCallsQuery;
  corsOrigins: string[];
  /** Routes without auth mounted before the API (metrics, demo pages). */
  publicRoutes?: Router[];
  /** Authenticated API routes (click-to-call, dashboard, history…). */
  apiRoutes?: Router[];
  /** JSON body limit of the API routes. Default 4kb (a click-to-call body is tens of bytes). */
  bodyLimit?: string;
  /** Routes that take longer bodies (a wrap-up note: 2,000 characters of Vietnamese are up to ~6 KB of UTF-8), by
   *  path under /api. */
  largeBodies?: { paths: RegExp; limit: string };
}

export function createHttpApp(o: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(cors(o.corsOrigins));
  app.use(healthRoutes(o.readiness));
  for (const r of o.publicRoutes ?? []) app.use(r);
  const json = (limit: string) => express.json({ limit, strict: true, type: () => true });
  const small = json(o.bodyLimit ?? '4kb');
  const large = o.largeBodies ? json(o.largeBodies.limit) : undefined;
  app.use('/api', (req, res, next) => (large && o.largeBodies?.paths.test(req.path) ? large : small)(req, res, next));
  app.use('/api', requireAuth(o.verifier));
  app.use(callRoutes(o.liveCalls));
  for (const r of o.apiRoutes ?? []) app.use(r);
  app.use(notFound);
  app.use(errorHandler(o.logger));
  return app;
}

/** Limits of the HTTP server. Defaults: headers within 10 s, a whole request within 30 s, idle keep-alive 5 s. */
export interface HttpServerLimits {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** How often expired requests are looked for (Node's default, 30 s, would add up to 30 s to every bound). */
  checkEveryMs?: number;
}

export interface HttpServer {
  server: http.Server;
  /** Shutdown: stop accepting, close idle keep-alive sockets, answer the requests in flight with `Connection: close`,
   *  wait for them up to `boundMs`, then close what is left. Resolves when no HTTP request is in flight. Upgraded
   *  (Socket.IO) connections are not waited for: their owner closes them. Idempotent. */
  close(boundMs: number): Promise<{ inFlight: number; forced: number }>;
}

export function createHttpServer(app: express.Express, logger: Logger, limits: HttpServerLimits = {}): HttpServer {
  const requestTimeout = limits.requestTimeoutMs ?? 30_000;
  const server = http.createServer({ connectionsCheckingInterval: limits.checkEveryMs ?? 1000 }, app);
  server.requestTimeout = requestTimeout;
  server.headersTimeout = Math.min(limits.headersTimeoutMs ?? 10_000, requestTimeout);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? 5000;
  server.on('clientError', clientErrorResponder(logger));

  const inFlight = new Set<http.ServerResponse>();
  let closing: Promise<{ inFlight: number; forced: number }> | undefined;
  server.on('request', (_req, res: http.ServerResponse) => {
    if (closing && !res.headersSent) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });

  async function doClose(boundMs: number): Promise<{ inFlight: number; forced: number }> {
    const waiting = inFlight.size;
    // No new connections; keep-alive sockets between requests go now; the others after their answer.
    server.close((err) => {
      if (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING')
        logger.warn({ err: err.message }, 'http server close failed');
    });
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    server.closeIdleConnections();
    if (inFlight.size) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          clearInterval(poll);
          resolve();
        };
        const timer = setTimeout(done, boundMs);
        const poll = setInterval(() => {
          server.closeIdleConnections();
          if (inFlight.size === 0) done();
        }, 20);
      });
    }
    const forced = inFlight.size;
    if (forced)
      logger.warn({ forced, boundMs }, 'requests still in flight after the shutdown bound: connections closed');
    server.closeAllConnections();
    return { inFlight: waiting, forced };
  }

  return { server, close: (boundMs) => (closing ??= doClose(boundMs)) };
}
