// Liveness and readiness: no auth. Readiness lists every reason the bridge is not ready.
import { Router } from 'express';

export interface Readiness {
  /** Empty when ready; else one short reason per problem (e.g. "signal subscription is reconnecting"). */
  notReadyReasons(): string[];
  /** Each tenant's upstream state (contract §8.4), listed in both answers. */
  tenants?(): { accountId: string; state: string; reason?: string; since: string }[];
}

/**
 * `/readyz`'s reason for a signal subscription that is not live. A lasting problem the subscriber reported
 * (StateInfo.problem, e.g. a server offering only xhr-polling) is said as it is, not as "reconnecting".
 */
export function signalNotReadyReason(state: string, info: { problem?: string } = {}): string {
  return info.problem ? `signal subscription cannot start: ${info.problem}` : `signal subscription is ${state}`;
}

export function healthRoutes(readiness: Readiness): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const reasons = readiness.notReadyReasons();
    const tenants = readiness.tenants ? { tenants: readiness.tenants() } : {};
    if (reasons.length) res.status(503).json({ status: 'not_ready', reasons, ...tenants });
    else res.json({ status: 'ready', ...tenants });
  });
  return r;
}
