// JWT → Claims, or a refusal code (unauthorized | token_expired | forbidden). The algorithm is pinned by the
// configured key: HS256 with a secret; RS256 or ES256 (P-256) with a PEM public key, chosen by the key's type.
// Reasons are fixed texts: never the token, never the key.
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { type Claims, type HandshakeError, ROLES, type Role } from '../contract.js';
import { coded } from '../shared/error-catalogue.js';
import { normaliseAccountId } from '../tenants/types.js';

export type VerifyResult = { ok: true; claims: Claims } | { ok: false; code: HandshakeError; reason: string };

/** What the Socket.IO handshake and the REST middleware need (http/auth.ts TokenVerifier is the same shape). */
export interface JwtVerifier {
  verify(token: string): VerifyResult;
  /** The pinned algorithm (for logs and docs). */
  readonly algorithm: JwtAlgorithm;
}

export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

export interface JwtVerifierOptions {
  /** HS256 shared secret. Exactly one of secret / publicKey. */
  secret?: string;
  /** PEM public key: RSA → RS256, EC P-256 → ES256. */
  publicKey?: string;
  issuer?: string;
  audience?: string;
  /** Seconds of leeway for exp/nbf; default 0. */
  clockToleranceSec?: number;
  /** JWT_MAX_TTL_S: the longest lifetime accepted (exp − iat, and exp − now), in seconds; default one day. */
  maxTtlSec?: number;
  /** The bridge's org (AntRing account id): a token of another org is `forbidden`. */
  org: string;
  /** Roles this bridge serves (default: all); another role is `forbidden`. */
  allowedRoles?: readonly Role[];
  /** Unix milliseconds, for tests. Default Date.now. */
  now?: () => number;
}

export class JwtConfigError extends coded('JWT_KEY_INVALID') {
  override readonly name = 'JwtConfigError';
}

/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

/** JWT_MAX_TTL_S's default: a token valid for longer than a day is refused (issue 15). */
export const DEFAULT_JWT_MAX_TTL_SEC = 86_400;

const claimsSchema = z
  .object({
    sub: z.string().max(512),
    org: z.string().min(1).max(256),
    role: z.enum(ROLES),
    agent: z.string().min(1).max(256).optional(),
    queues: z.array(z.string().min(1).max(256)).max(1000).default([]),
    exp: z.number().finite(),
    iat: z.number().finite().optional(),
  })
  .refine((c) => c.role !== 'agent' || c.agent !== undefined, {
    message: 'agent claim required for role agent',
    path: ['agent'],
  });

/** A role by its one string of the process (a token's own copy of "agent" is not kept per socket). */
const ROLE_STRINGS = new Map<string, Role>(ROLES.map((r) => [r, r]));

/** Frozen: shared by every claims without queues (most are agents'); nothing writes a claims' queues. */
const NO_QUEUES = Object.freeze([]) as unknown as string[];

/**
 * The claims a socket keeps for its lifetime (socket.data): one object literal (every property in the object, none
 * in an out-of-object array), the process's own strings for the org and the role, one empty queue list for all.
 */
function compactClaims(c: Omit<Claims, 'org'>, org: string): Claims {
  const role = ROLE_STRINGS.get(c.role) ?? c.role;
  const queues = c.queues.length === 0 ? NO_QUEUES : c.queues;
  return c.agent !== undefined
    ? { sub: c.sub, org, role, agent: c.agent, queues, exp: c.exp }
    : { sub: c.sub, org, role, queues, exp: c.exp };
}

function refuse(code: HandshakeError, reason: string): VerifyResult {
  return { ok: false, code, reason };
}

/** The verification key and the algorithm it pins (also the operator tokens' check, server/verifier.ts). */
export function keyFor(o: Pick<JwtVerifierOptions, 'secret' | 'publicKey'>): {
  key: KeyObject;
  algorithm: JwtAlgorithm;
} {
  if (o.secret && o.publicKey) throw new JwtConfigError('set either a JWT secret or a JWT public key, not both');
  // A KeyObject made once: given a string, jsonwebtoken tries createPublicKey on it at every verify (and fails),
  // which was most of the CPU of a reconnect storm in the bench profile.
  if (o.secret) return { key: createSecretKey(Buffer.from(o.secret, 'utf8')), algorithm: 'HS256' };
  if (!o.publicKey) throw new JwtConfigError('a JWT secret or a JWT public key is required');
  let key: KeyObject;
  try {
    key = createPublicKey(o.publicKey);
  } catch {
    throw new JwtConfigError('the JWT public key is not a valid PEM public key');
  }
  if (key.asymmetricKeyType === 'rsa') return { key, algorithm: 'RS256' };
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1')
      throw new JwtConfigError(`EC JWT public keys must use P-256 (ES256), got ${curve ?? 'unknown curve'}`);
    return { key, algorithm: 'ES256' };
  }
  throw new JwtConfigError(
    `unsupported JWT public key type ${key.asymmetricKeyType ?? 'unknown'} (use RSA or EC P-256)`,
  );
}

/**
 * A token valid for longer than `maxTtlSec` (JWT_MAX_TTL_S): exp − iat over it, or the time left (exp − now, also
 * when iat is absent or in the future) over it (plus the clock tolerance). Every verifier of the process applies it.
 */
export function lifetimeTooLong(
  c: { exp: number; iat?: number },
  maxTtlSec: number,
  nowSec: number,
  toleranceSec = 0,
): boolean {
  return c.exp - nowSec > maxTtlSec + toleranceSec || (c.iat !== undefined && c.exp - c.iat > maxTtlSec);
}

export function createJwtVerifier(o: JwtVerifierOptions): JwtVerifier {
  const { key, algorithm } = keyFor(o);
  if (!o.org) throw new JwtConfigError('the bridge org is required to verify tokens');
  const tolerance = o.clockToleranceSec ?? 0;
  const allowed = new Set<Role>(o.allowedRoles ?? ROLES);
  const now = o.now ?? Date.now;
  const maxTtl = o.maxTtlSec ?? DEFAULT_JWT_MAX_TTL_SEC;
  if (!(maxTtl > 0)) throw new JwtConfigError('the longest token lifetime must be a positive number of seconds');

  function verify(token: string): VerifyResult {
    if (typeof token !== 'string' || token.length === 0) return refuse('unauthorized', 'no token');
    if (token.length > MAX_TOKEN_LENGTH) return refuse('unauthorized', 'token too long');
    let payload: unknown;
    try {
      payload = jwt.verify(token, key, {
        algorithms: [algorithm],
        clockTolerance: tolerance,
        clockTimestamp: Math.floor(now() / 1000),
        ...(o.issuer ? { issuer: o.issuer } : {}),
        ...(o.audience ? { audience: o.audience } : {}),
      });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) return refuse('token_expired', 'token expired');
      if (err instanceof jwt.NotBeforeError) return refuse('unauthorized', 'token not yet valid');
      const msg = err instanceof Error ? err.message : '';
      if (/audience/.test(msg)) return refuse('unauthorized', 'wrong audience');
      if (/issuer/.test(msg)) return refuse('unauthorized', 'wrong issuer');
      if (/algorithm|signature is required/.test(msg)) return refuse('unauthorized', 'algorithm not allowed');
      if (/signature/.test(msg)) return refuse('unauthorized', 'invalid signature');
      return refuse('unauthorized', 'malformed token');
    }
    if (payload === null || typeof payload !== 'object') return refuse('unauthorized', 'claims are not an object');
    if ((payload as { exp?: unknown }).exp === undefined) return refuse('unauthorized', 'token has no exp');
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'claims')))].join(', ');
      return refuse('unauthorized', `invalid claims: ${fields}`);
    }
    if (lifetimeTooLong(parsed.data, maxTtl, now() / 1000, tolerance))
      return refuse('unauthorized', `token lifetime over ${maxTtl} s (JWT_MAX_TTL_S)`);
    // The org is compared exactly: the configured one was normalised at configuration, the token's is here.
    const c = parsed.data;
    if (normaliseAccountId(c.org) !== o.org) return refuse('forbidden', 'token is for another org');
    if (!allowed.has(c.role)) return refuse('forbidden', `role ${c.role} is not served here`);
    return { ok: true, claims: compactClaims(c, o.org) };
  }

  return { verify, algorithm };
}
