// Bearer JWT on REST routes: the same verifier and the same `Authorization` parsing as the Socket.IO handshake.
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

// RFC 6750 §2.1: `Bearer` (any case), one space or more, a token68 (never empty). Surrounding spaces are tolerated
// (Node trims header values already; a value given by other means may not be).
const BEARER = /^ *bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer <token>` header value, or undefined (absent, another scheme, no token,
 * characters a bearer token cannot hold). The one parser for REST and for the socket handshake.
 */
export function parseBearer(header: unknown): string | undefined {
  if (typeof header !== 'string' || header.length > 16 * 1024) return undefined;
  return BEARER.exec(header)?.[1];
}

export function requireAuth(verifier: TokenVerifier) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = parseBearer(req.headers.authorization);
    if (!token) {
      next(new HttpError('unauthorized', MESSAGES.unauthorized, { 'WWW-Authenticate': 'Bearer' }));
      return;
    }
    const r = verifier.verify(token);
    if (!r.ok) {
      next(new HttpError(r.code, MESSAGES[r.code], { 'WWW-Authenticate': 'Bearer' }));
      return;
    }
    res.locals.claims = r.claims;
    next();
  };
}

export function claimsOf(res: Response): Claims {
  const c = res.locals.claims as Claims | undefined;
  if (!c) throw new HttpError('unauthorized', MESSAGES.unauthorized);
  return c;
}
