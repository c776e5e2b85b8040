// The operator's routes (contract §8.2, §8.4), mounted before the tenants' API (their token is not a tenant's):
//   GET  /api/tenants          → [{ accountId, name, upstream, holders?, sockets, liveCalls, outbox }] (never a secret)
//   POST /api/tenants/reload   → 200 { added, removed, changed, unchanged } | 422 { error: "invalid_tenants", problems }
//   GET  /api/outbox           → an operator gets every tenant's outbox ({ tenants: [{ accountId, ...stats }] });
//                                any other token goes on to its own tenant's route (admins).
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { OutboxStats } from '../outbox/types.js';
import type { OperatorResult } from '../server/verifier.js';
import type { ReloadResult } from '../tenants/registry.js';
import type { UpstreamStatus } from '../tenants/upstream-state.js';
import { parseBearer } from './auth.js';
import { HttpError } from './errors.js';

export interface TenantSummary {
  accountId: string;
  name?: string;
  upstream: UpstreamStatus;
  holders?: string[];
  sockets: number;
  liveCalls: number;
  outbox: { pending: number; failed: number };
}

export interface TenantsRoutesOptions {
  verifyOperator(token: string): OperatorResult;
  tenants(): Promise<TenantSummary[]>;
  outboxes(): Promise<({ accountId: string } & OutboxStats)[]>;
  /** Throws an error with `problems` (TenantsError) when the file does not load: nothing changed. */
  reload(): Promise<ReloadResult>;
  /** A reload refused (metrics). */
  onReloadRefused?(): void;
}

export function tenantsRoutes(o: TenantsRoutesOptions): Router {
  const r = Router();
  const operatorOnly = (req: Request, res: Response, next: NextFunction) => {
    const token = parseBearer(req.headers.authorization);
    if (!token)
      return next(new HttpError('unauthorized', 'an operator token is required', { 'WWW-Authenticate': 'Bearer' }));
    const v = o.verifyOperator(token);
    if (!v.ok)
      return next(new HttpError(v.code, v.code === 'forbidden' ? 'operators only' : 'an operator token is required'));
    res.locals.operator = v.claims;
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  r.get('/api/tenants', operatorOnly, async (_req, res) => {
    res.json(await o.tenants());
  });
  r.post('/api/tenants/reload', operatorOnly, async (_req, res) => {
    try {
      res.json(await o.reload());
    } catch (err) {
      const problems = (err as { problems?: unknown }).problems;
      if (!Array.isArray(problems)) throw err;
      o.onReloadRefused?.();
      res
        .status(422)
        .json({ error: 'invalid_tenants', message: 'the tenants file did not load; nothing changed', problems });
    }
  });
  // Only an operator's token is answered here; every other request goes on to the tenant's own GET /api/outbox.
  r.get('/api/outbox', async (req, res, next) => {
    const token = parseBearer(req.headers.authorization);
    const v = token ? o.verifyOperator(token) : undefined;
    if (!v?.ok) return next();
    res.setHeader('Cache-Control', 'no-store');
    res.json({ tenants: await o.outboxes() });
  });
  return r;
}
