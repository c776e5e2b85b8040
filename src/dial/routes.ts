// POST /api/click-to-call { "number": "..." } → 202 { status: "dialing", number } or the contract's error body with
// its status (429 with Retry-After). Authentication and JSON parsing happen before (http/app.ts).
import { Router } from 'express';
import type { Claims } from '../contract.js';
import { ERROR_STATUS } from '../contract.js';
import { claimsOf } from '../http/auth.js';
import type { DialOutcome } from './click-to-call.js';

export interface Dialer {
  dial(claims: Claims, body: unknown): Promise<DialOutcome>;
}

export function clickToCallRoutes(dialer: Dialer): Router {
  const r = Router();
  r.post('/api/click-to-call', async (req, res) => {
    const result = await dialer.dial(claimsOf(res), req.body);
    res.setHeader('Cache-Control', 'no-store');
    if (!('error' in result)) return void res.status(202).json(result);
    if (result.retryAfterSec !== undefined) res.setHeader('Retry-After', String(result.retryAfterSec));
    res.status(ERROR_STATUS[result.error]).json(result);
  });
  return r;
}
