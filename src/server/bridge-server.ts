// The process-wide server (one per node, every tenant): the Express app and its HTTP server, the Socket.IO server, the
// operator's routes, /readyz, /metrics and the demo pages. What a request or a socket sees is its tenant's business:
// the server looks the tenant up by the verified `org` (tenants are a lookup here, never a list it owns).
import type { AddressInfo } from 'node:net';
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { Config } from '../config.js';
import type { Claims } from '../contract.js';
import { createHttpApp, createHttpServer, type HttpServerLimits } from '../http/app.js';
import { claimsOf } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import type { Readiness } from '../http/health.js';
import type { BridgeMetrics } from '../http/metrics.js';
import { type TenantsRoutesOptions, tenantsRoutes } from '../http/routes-tenants.js';
import type { Logger } from '../log.js';
import type { BridgeMode } from '../runtime/mode.js';
import type { TenantRuntime } from '../tenants/runtime.js';
import { createSocketServer, type SocketServer } from './sockets.js';
import { type TenantList, tenantOutboxes, tenantSummaries } from './tenant-status.js';
import type { TenantVerifier } from './verifier.js';

export interface BridgeServerOptions {
  config: Pick<Config, 'port' | 'host' | 'corsOrigins'>;
  logger: Logger;
  metrics: BridgeMetrics;
  verifier: TenantVerifier;
  /** The running tenants: `get` by org (any case), or undefined. */
  tenants: TenantList & { get(org: string): TenantRuntime | undefined };
  readiness: Readiness;
  /** POST /api/tenants/reload. */
  reload: TenantsRoutesOptions['reload'];
  onReloadRefused?(): void;
  /** Demo pages and the like (no auth). */
  publicRoutes: Router[];
  /** Socket.IO adapter and recovery (the process mode). */
  sockets: BridgeMode['sockets'];
  http?: HttpServerLimits;
}

export interface BridgeServer {
  readonly sockets: SocketServer;
  listen(): Promise<{ port: number; url: string }>;
  /** Socket.IO clients first, then the HTTP requests in flight (bounded by `closeMs`). */
  close(closeMs: number): Promise<void>;
}

export function createBridgeServer(o: BridgeServerOptions): BridgeServer {
  const { config, logger, metrics } = o;
  const tenantOf = (claims: Claims) => {
    const t = o.tenants.get(claims.org);
    // Removed since the token was verified.
    if (!t) throw new HttpError('forbidden', 'this token may not use this bridge');
    return t;
  };
  // Every tenant's own routes, behind the JWT check: the request's org picks the router.
  const tenantRoutes = Router();
  tenantRoutes.use((req: Request, res: Response, next: NextFunction) => {
    // Only behind the JWT check (/api): other paths go on to the 404.
    if (!res.locals.claims) return next();
    tenantOf(claimsOf(res)).router(req, res, next);
  });
  // Express first: engine.io hands every non-Socket.IO request to the listeners already attached.
  const app = createHttpApp({
    logger: logger.child({ mod: 'http' }),
    verifier: o.verifier,
    readiness: o.readiness,
    liveCalls: { visibleTo: (claims) => tenantOf(claims).visibleCalls(claims) },
    corsOrigins: config.corsOrigins,
    publicRoutes: [
      metrics.router(),
      tenantsRoutes({
        verifyOperator: (token) => o.verifier.verifyOperator(token),
        tenants: () => tenantSummaries(o.tenants),
        outboxes: () => tenantOutboxes(o.tenants),
        reload: () => o.reload(),
        ...(o.onReloadRefused ? { onReloadRefused: o.onReloadRefused } : {}),
      }),
      ...o.publicRoutes,
    ],
    apiRoutes: [tenantRoutes],
    // Click-to-call and the rest: 4 KB. A wrap-up note: 2,000 characters of Vietnamese are up to ~6 KB of UTF-8.
    largeBodies: { paths: /^\/calls\/[^/]+\/wrapup$/, limit: '16kb' },
  });
  const http = createHttpServer(app, logger.child({ mod: 'http' }), o.http);
  const sockets = createSocketServer(http.server, {
    verifier: o.verifier,
    tenant: (org) => o.tenants.get(org)?.sockets,
    logger: logger.child({ mod: 'fanout' }),
    cors: config.corsOrigins.length ? { origins: config.corsOrigins } : false,
    onConnectionChange: (role, delta) => metrics.socketChange(role, delta),
    onThrottle: (what) => metrics.socketThrottled(what),
    ...o.sockets,
  });

  return {
    sockets,
    async listen() {
      const server = http.server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      return { port, url: `http://${host}:${port}` };
    },
    async close(closeMs) {
      // HTTP before the tenants' clients, which the requests in flight (click-to-call, history) still use.
      await sockets.close();
      await http.close(closeMs);
    },
  };
}
