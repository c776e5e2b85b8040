// REST of the write-back (authentication and JSON parsing happen before, http/app.ts):
// POST /api/calls/:callId/wrapup { note, disposition? } → 202 { status: "accepted" } | 400/403/404 (contract §7.2);
// GET /api/outbox (admin) → counts by state, the oldest pending age, the given-up deliveries with their last error.
import { Router } from 'express';
import { ERROR_STATUS, type OutboxStatsBody, type WrapupResult } from '../contract.js';
import { claimsOf } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { Outbox, OutboxStats } from '../outbox/types.js';
import type { WrapupService } from './wrapup.js';

// Compile-time: the contract's body is the outbox's stats, exactly.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SAME_STATS: Same<OutboxStats, OutboxStatsBody> = true;
void SAME_STATS;

export function writebackRoutes(o: { wrapup: WrapupService; outbox: Pick<Outbox, 'stats'>; logger: Logger }): Router {
  const r = Router();
  r.post('/api/calls/:callId/wrapup', async (req, res) => {
    const body =
      req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
    res.setHeader('Cache-Control', 'no-store');
    let result: WrapupResult;
    try {
      result = await o.wrapup.submit(claimsOf(res), { ...body, callId: req.params.callId });
    } catch (err) {
      if (err instanceof HttpError) throw err;
      o.logger.error(
        { err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
        'wrap-up not accepted',
      );
      throw new HttpError('upstream_unavailable', 'the wrap-up could not be stored; try again');
    }
    if ('error' in result) return void res.status(ERROR_STATUS[result.error]).json(result);
    res.status(202).json(result);
  });
  r.get('/api/outbox', async (_req, res) => {
    if (claimsOf(res).role !== 'admin') throw new HttpError('forbidden', 'admins only');
    let stats: OutboxStats;
    try {
      stats = await o.outbox.stats();
    } catch (err) {
      o.logger.error(
        { err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
        'outbox stats failed',
      );
      throw new HttpError('upstream_unavailable', 'the outbox is unavailable');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(stats satisfies OutboxStatsBody);
  });
  return r;
}
