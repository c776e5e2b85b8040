// Demo mode only: renews a demo page's token after `session_expired` (contract §7.1), so the demo pages can fetch a
// fresh token and reconnect by themselves. A token is renewed when its signature is the demo secret's and its org
// is the bridge's, however long ago it expired; the new token has the same claims and a fresh `exp`.
// Never wired outside demo mode (a production bridge does not issue tokens).
import jwt from 'jsonwebtoken';
import { MAX_TOKEN_LENGTH } from '../fanout/jwt.js';

export interface DemoTokenRenewerOptions {
  /** The demo's HS256 secret (config.jwt.secret in demo mode). */
  secret: string;
  org: string;
  /** Lifetime of a renewed token; default 12 h (as the printed demo tokens). */
  ttlSec?: number;
  issuer?: string;
  audience?: string;
}

/** The renewed token, or undefined (not a demo token of this org). Never throws. */
export type DemoTokenRenewer = (token: string) => string | undefined;

const KEPT = ['sub', 'org', 'role', 'agent', 'queues'] as const;

export function createDemoTokenRenewer(o: DemoTokenRenewerOptions): DemoTokenRenewer {
  const ttl = o.ttlSec ?? 12 * 3600;
  return (token) => {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    let payload: unknown;
    try {
      payload = jwt.verify(token, o.secret, {
        algorithms: ['HS256'],
        ignoreExpiration: true,
        ...(o.issuer ? { issuer: o.issuer } : {}),
        ...(o.audience ? { audience: o.audience } : {}),
      });
    } catch {
      return undefined;
    }
    if (payload === null || typeof payload !== 'object') return undefined;
    const p = payload as Record<string, unknown>;
    if (p.org !== o.org) return undefined;
    const claims: Record<string, unknown> = {};
    for (const k of KEPT) if (p[k] !== undefined) claims[k] = p[k];
    return jwt.sign(claims, o.secret, {
      algorithm: 'HS256',
      expiresIn: ttl,
      ...(o.issuer ? { issuer: o.issuer } : {}),
      ...(o.audience ? { audience: o.audience } : {}),
    });
  };
}
