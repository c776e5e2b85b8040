// The Socket.IO handshake's token: `auth.token`, else `Authorization: Bearer` (the same parser as REST), verified;
// a token of another org is `forbidden` (defence in depth: the verifier refuses it too).

import { parseBearer } from '../http/auth.js';
import type { Logger } from '../log.js';
import { errCode } from '../shared/errors.js';
import type { VerifyResult } from './jwt.js';

/**
 * The largest client message Socket.IO reads (engine.io's maxHttpBufferSize). A token is refused over
 * MAX_TOKEN_LENGTH (8 KiB, jwt.ts), but only once its handshake packet is read: below this size an oversized token
 * gets `connect_error` `unauthorized`, as REST answers, instead of a transport closed without a word (issue 15).
 * Client events are small (`dial`, `wrapup`) and throttled per socket; each is checked by its own schema.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 128 * 1024;

export interface HandshakeInput {
  auth: unknown;
  authorization: string | undefined;
}

export function authenticateHandshake(
  h: HandshakeInput,
  verifier: { verify(token: string): VerifyResult },
  /** The one org served (undefined: the caller checks the org against its tenants). */
  org: string | undefined,
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
    logger.error({ err: errCode(err) }, 'token verifier threw');
    return { ok: false, code: 'unauthorized', reason: 'verification failed' };
  }
  if (r.ok && org !== undefined && r.claims.org !== org)
    return { ok: false, code: 'forbidden', reason: 'token is for another org' };
  return r;
}
