// GET /api/calls: the live calls visible to the caller (the same views a socket gets on connect).
import { Router } from 'express';
import type { CallView, Claims } from '../contract.js';
import { claimsOf } from './auth.js';

export interface LiveCallsQuery {
  visibleTo(claims: Claims): Promise<CallView[]>;
}

export function callRoutes(live: LiveCallsQuery): Router {
  const r = Router();
  r.get('/api/calls', async (_req, res) => {
    res.json({ calls: await live.visibleTo(claimsOf(res)) });
  });
  return r;
}
