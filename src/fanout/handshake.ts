// The Socket.IO handshake's token: `auth.token`, else `Authorization: Bearer` (the same parser as REST), verified;
// a token of another org is `forbidden` (defence in depth: the verifier refuses it too).

import { parseBearer } from '../http/auth.js';
import type { Logger } from '../log.js';
import type { VerifyResult } from './jwt.js';

export interface HandshakeInput {
  auth: unknown;
  authorization: string | undefined;
}

export function authenticateHandshake(
  h: HandshakeInput,
  verifier: { verify(token: string): VerifyResult },
  org: string,
  logger: Logger,
): VerifyResult {
  const auth = typeof h.auth === 'object' && h.auth !== null ? (h.auth as Record<string, unknown>) : undefined;
  let token: string | undefined;
  if (auth && auth.token !== undefined) {
    if (typeof auth.token !== 'string')
      return { ok: false, code: 'unauthorized', reason: 'auth.token is not a string' };
    token = auth.token;
  } else {
    token = parseBearer(h.authorization);
  }
  if (!token) return { ok: false, code: 'unauthorized', reason: 'no token' };
  let r: VerifyResult;
  try {
    r = verifier.verify(token);
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.name : 'unknown' }, 'token verifier threw');
    return { ok: false, code: 'unauthorized', reason: 'verification failed' };
  }
  if (r.ok && r.claims.org !== org) return { ok: false, code: 'forbidden', reason: 'token is for another org' };
  return r;
}
