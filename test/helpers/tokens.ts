// JWTs for tests: what a CRM backend would mint for a browser (bridge-contract §3), signed here so tests can also
// forge, expire or mis-sign them on purpose.
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface TestSignOptions {
  /** An HS256/HS512 secret, or a private key for RS256/ES256. */
  secret: string | KeyObject;
  /** Default HS256. */
  algorithm?: jwt.Algorithm;
  /** Lifetime in seconds (default 600); `false` = no `exp` from here (the claims may carry their own, or none). */
  ttlSec?: number | false;
  /** Further registered claims (issuer, audience, notBefore…). */
  options?: Omit<jwt.SignOptions, 'algorithm' | 'expiresIn'>;
}

/** Signs `claims` as given. */
export function signToken(
  claims: Record<string, unknown>,
  { secret, algorithm = 'HS256', ttlSec = 600, options = {} }: TestSignOptions,
): string {
  return jwt.sign(
    claims,
    secret,
    ttlSec === false ? { ...options, algorithm } : { ...options, algorithm, expiresIn: ttlSec },
  );
}

export interface RoleTokenOptions {
  org: string;
  secret: string;
  extra?: Record<string, unknown>;
  ttlSec?: number;
  /** Default `t-<role>`. */
  sub?: string;
}

/** The usual test token: `{ sub: 't-<role>', org, role, ...extra }`, HS256. */
export function roleToken(
  role: string,
  { org, secret, extra = {}, ttlSec = 600, sub = `t-${role}` }: RoleTokenOptions,
): string {
  return signToken({ sub, org, role, ...extra }, { secret, ttlSec });
}
