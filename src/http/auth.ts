// Bearer JWT on REST routes: the same verifier as the Socket.IO handshake.
import type { NextFunction, Request, Response } from 'express';
import type { Claims, HandshakeError } from '../contract.js';
import { HttpError } from './errors.js';

export interface TokenVerifier {
  verify(token: string): { ok: true; claims: Claims } | { ok: false; code: HandshakeError; reason: string };
}

const MESSAGES: Record<HandshakeError, string> = {
  unauthorized: 'a valid bearer token is required',
  token_expired: 'the token has expired',
  forbidden: 'this token may not use this bridge',
};

export function requireAuth(verifier: TokenVerifier) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+([A-Za-z0-9_\-.=]+)$/i.exec(header);
    if (!m) return next(new HttpError('unauthorized', MESSAGES.unauthorized, { 'WWW-Authenticate': 'Bearer' }));
    const r = verifier.verify(m[1]);
    if (!r.ok) return next(new HttpError(r.code, MESSAGES[r.code], { 'WWW-Authenticate': 'Bearer' }));
    res.locals.claims = r.claims;
    next();
  };
}

export function claimsOf(res: Response): Claims {
  const c = res.locals.claims as Claims | undefined;
  if (!c) throw new HttpError('unauthorized', MESSAGES.unauthorized);
  return c;
}
