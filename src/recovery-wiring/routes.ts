// GET /api/recoveries?status=&from=&to= (contract §9.3): a tenant's recoveries, newest first. Admins see all;
// a supervisor those of the queues in the token (`*`: all); others are refused. `from`/`to` (ISO 8601) bound when
// the recovery was opened; `status` one of open, scheduled, recovered, unreached.
import { Router } from 'express';
import { RECOVERY_STATUSES } from '../contract.js';
import { claimsOf } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import type { Recovery } from '../recovery/types.js';
import { recoveryView } from '../recovery/view.js';

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

/** One recovery as the API lists it (no internal fields; times in ISO 8601). */
export function recoveryItem(r: Recovery) {
  return {
    id: r.id,
    number: r.dial,
    ...recoveryView(r),
    openedAt: iso(r.openedAt),
    closedAt: iso(r.closedAt),
    missed: r.missed.map((m) => ({
      callId: m.callId,
      startedAt: iso(m.startedAt),
      endedAt: iso(m.endedAt),
      ...(m.queueId ? { queueId: m.queueId } : {}),
    })),
  };
}

function time(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) throw new HttpError('invalid_body', `${name}: expected an ISO 8601 time`);
  return t;
}

export function recoveryRoutes(o: { org: string; all: () => Recovery[] }): Router {
  const r = Router();
  r.get('/api/recoveries', (req, res) => {
    const claims = claimsOf(res);
    if (claims.org !== o.org) throw new HttpError('forbidden', 'another organisation');
    if (claims.role !== 'admin' && claims.role !== 'supervisor')
      throw new HttpError('forbidden', 'recoveries are for supervisors and admins');
    const status = typeof req.query.status === 'string' && req.query.status !== '' ? req.query.status : undefined;
    if (status !== undefined && !(RECOVERY_STATUSES as readonly string[]).includes(status))
      throw new HttpError('invalid_body', `status: expected one of ${RECOVERY_STATUSES.join(', ')}`);
    const from = time(req.query.from, 'from');
    const to = time(req.query.to, 'to');
    const queues = claims.role === 'supervisor' && !claims.queues.includes('*') ? new Set(claims.queues) : undefined;
    const list = o
      .all()
      .filter((x) => (status ? x.status === status : true))
      .filter((x) => (from === undefined || x.openedAt >= from) && (to === undefined || x.openedAt <= to))
      .filter((x) => !queues || x.missed.some((m) => m.queueId !== undefined && queues.has(m.queueId)))
      .sort((a, b) => b.openedAt - a.openedAt);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ recoveries: list.map(recoveryItem) });
  });
  return r;
}
