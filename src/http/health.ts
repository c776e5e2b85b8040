// Liveness and readiness: no auth. Readiness lists every reason the bridge is not ready.
import { Router } from 'express';

export interface Readiness {
  /** Empty when ready; else one short reason per problem (e.g. "signal subscription is reconnecting"). */
  notReadyReasons(): string[];
}

export function healthRoutes(readiness: Readiness): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const reasons = readiness.notReadyReasons();
    if (reasons.length) res.status(503).json({ status: 'not_ready', reasons });
    else res.json({ status: 'ready' });
  });
  return r;
}
