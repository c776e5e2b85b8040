// JWT verification for every tenant of the process (contract §8.3): a token's `org` must be a tenant served here,
// else `forbidden` (after its signature was checked: an unsigned token is `unauthorized` whatever it claims). Tokens
// are verified by fanout/jwt.ts with the tenant's org pinned (one verifier per tenant, made once). Operators
// (`role: "operator"`, `org: "*"`) are checked apart: they have their own routes (http/routes-tenants.ts), no socket
// and no call data, so everywhere else their token is `forbidden`.
import jwt from 'jsonwebtoken';
import type { HandshakeError } from '../contract.js';
import {
  createJwtVerifier,
  DEFAULT_JWT_MAX_TTL_SEC,
  type JwtVerifier,
  type JwtVerifierOptions,
  keyFor,
  lifetimeTooLong,
  MAX_TOKEN_LENGTH,
  type VerifyResult,
} from '../fanout/jwt.js';
import { normaliseAccountId } from '../tenants/types.js';

export interface OperatorClaims {
  sub: string;
  role: 'operator';
  org: '*';
  exp: number;
}
export type OperatorResult = { ok: true; claims: OperatorClaims } | { ok: false; code: HandshakeError; reason: string };

export interface TenantVerifier {
  verify(token: string): VerifyResult;
  /** An operator token, or why not (`forbidden` for a valid token of another role). */
  verifyOperator(token: string): OperatorResult;
}

const NO_TENANT = '\u0000no-tenant';

/** What a token claims, read before its signature is checked (only to pick the verifier; never trusted as such). */
function peek(token: string): { org?: string; role?: string } {
  const p = jwt.decode(token, { json: true });
  return {
    org: typeof p?.org === 'string' ? p.org : undefined,
    role: typeof p?.role === 'string' ? p.role : undefined,
  };
}

export function createTenantVerifier(
  o: Omit<JwtVerifierOptions, 'org'>,
  isTenant: (org: string) => boolean,
): TenantVerifier {
  const { key, algorithm } = keyFor(o);
  const byOrg = new Map<string, JwtVerifier>();
  const none = createJwtVerifier({ ...o, org: NO_TENANT });
  const now = o.now ?? Date.now;
  const verifierOf = (org: string | undefined): JwtVerifier => {
    const id = org === undefined ? undefined : normaliseAccountId(org);
    if (id === undefined || !isTenant(id)) return none;
    let v = byOrg.get(id);
    if (!v) byOrg.set(id, (v = createJwtVerifier({ ...o, org: id })));
    return v;
  };

  function verifyOperator(token: string): OperatorResult {
    let payload: unknown;
    try {
      payload = jwt.verify(token, key, {
        algorithms: [algorithm],
        clockTolerance: o.clockToleranceSec ?? 0,
        clockTimestamp: Math.floor(now() / 1000),
        ...(o.issuer ? { issuer: o.issuer } : {}),
        ...(o.audience ? { audience: o.audience } : {}),
      });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) return { ok: false, code: 'token_expired', reason: 'token expired' };
      return { ok: false, code: 'unauthorized', reason: 'invalid token' };
    }
    const p = payload as Record<string, unknown>;
    if (typeof p.exp !== 'number') return { ok: false, code: 'unauthorized', reason: 'token has no exp' };
    const iat = typeof p.iat === 'number' ? p.iat : undefined;
    const maxTtl = o.maxTtlSec ?? DEFAULT_JWT_MAX_TTL_SEC;
    if (
      lifetimeTooLong({ exp: p.exp, ...(iat !== undefined ? { iat } : {}) }, maxTtl, now() / 1000, o.clockToleranceSec)
    )
      return { ok: false, code: 'unauthorized', reason: `token lifetime over ${maxTtl} s (JWT_MAX_TTL_S)` };
    if (p.role !== 'operator') return { ok: false, code: 'forbidden', reason: 'operators only' };
    if (p.org !== '*' || typeof p.sub !== 'string')
      return { ok: false, code: 'unauthorized', reason: 'invalid operator claims' };
    return { ok: true, claims: { sub: p.sub, role: 'operator', org: '*', exp: p.exp } };
  }

  return {
    verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return none.verify(token);
      const claimed = peek(token);
      if (claimed.role === 'operator') {
        const r = verifyOperator(token);
        // A valid operator token may not read calls, dashboards or dial.
        return r.ok ? { ok: false, code: 'forbidden', reason: 'operators have no call data' } : r;
      }
      return verifierOf(claimed.org).verify(token);
    },
    verifyOperator,
  };
}
