// The Express application: REST routes, health, errors. Socket.IO shares its HTTP server (fanout/).
import express, { type Router } from 'express';
import type { Logger } from '../log.js';
import { requireAuth, type TokenVerifier } from './auth.js';
import { cors } from './cors.js';
import { errorHandler, notFound } from './errors.js';
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
  bodyLimit?: string;
}

export function createHttpApp(o: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(cors(o.corsOrigins));
  app.use(healthRoutes(o.readiness));
  for (const r of o.publicRoutes ?? []) app.use(r);
  app.use('/api', express.json({ limit: o.bodyLimit ?? '4kb', strict: true, type: () => true }));
  app.use('/api', requireAuth(o.verifier));
  app.use(callRoutes(o.liveCalls));
  for (const r of o.apiRoutes ?? []) app.use(r);
  app.use(notFound);
  app.use(errorHandler(o.logger));
  return app;
}
