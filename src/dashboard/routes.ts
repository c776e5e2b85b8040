// GET /api/dashboard: the latest dashboard for supervisors and admins, redacted for wallboards; agents are refused.
// A supervisor or wallboard limited to some queues gets the queue-scoped dashboard (scope.ts, contract §7.1).
// 503 upstream_unavailable until a dashboard was fetched once (afterwards a failing upstream shows as `stale`).
import { Router } from 'express';
import type { Dashboard } from '../contract.js';
import { redactDashboardForWallboard } from '../fanout/redact.js';
import { dashboardKind } from '../fanout/rooms.js';
import { claimsOf } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import { dashboardScope, membersOf, scopeDashboard } from './scope.js';

export interface DashboardRouteOptions {
  latest: () => Dashboard | undefined;
  /** Wallboard redaction; default redactDashboardForWallboard (the fanout's too). */
  redact?: (d: Dashboard) => Dashboard;
}

export function dashboardRoutes(o: DashboardRouteOptions): Router {
  const redact = o.redact ?? redactDashboardForWallboard;
  const r = Router();
  r.get('/api/dashboard', (_req, res) => {
    const claims = claimsOf(res);
    const kind = dashboardKind(claims);
    if (!kind) throw new HttpError('forbidden', 'the dashboard is for supervisors, wallboards and admins');
    const d = o.latest();
    if (!d || d.org !== claims.org)
      throw new HttpError('upstream_unavailable', 'the dashboard has not been fetched from AntRing yet');
    const scope = dashboardScope(claims);
    const seen = scope ? scopeDashboard(d, scope, membersOf(d)) : d;
    res.setHeader('Cache-Control', 'no-store');
    res.json(kind === 'full' ? seen : redact(seen));
  });
  return r;
}
