// A token's lifetime is bounded (issue 15 item 13): `exp` in the year 9999 was accepted. Refused (`unauthorized`) when
// exp − iat exceeds JWT_MAX_TTL_S (default 86,400 s), or, whatever iat says (absent, or in the future), when the
// token is still valid for longer than that from now.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createJwtVerifier, DEFAULT_JWT_MAX_TTL_SEC } from '../../src/fanout/jwt.js';
import { signToken } from '../helpers/tokens.js';

const SECRET = 'unit-secret-0123456789abcdef0123456789abcdef';
const ORG = 'org-a';
const NOW_S = 1_800_000_000;
const base = { sub: 'u1', org: ORG, role: 'admin' };
/** Signed as given: the claims carry their own exp, and their own iat or none (jsonwebtoken keeps a given iat). */
const raw = (claims: Record<string, unknown>) =>
  signToken(
    { ...base, ...claims },
    { secret: SECRET, ttlSec: false, options: claims.iat === undefined ? { noTimestamp: true } : {} },
  );
const verifier = (o: { maxTtlSec?: number; clockToleranceSec?: number } = {}) =>
  createJwtVerifier({ secret: SECRET, org: ORG, now: () => NOW_S * 1000, ...o });
const verdict = (r: ReturnType<ReturnType<typeof verifier>['verify']>) => (r.ok ? 'ok' : `${r.code}: ${r.reason}`);

const t = suite('fanout jwt: bounded lifetime');

t('the default bound is one day', () => {
  assert.is(DEFAULT_JWT_MAX_TTL_SEC, 86_400);
});

t('exp in the year 9999 is refused, with or without iat', () => {
  const exp9999 = Math.floor(Date.UTC(9999, 11, 31) / 1000);
  assert.match(verdict(verifier().verify(raw({ iat: NOW_S, exp: exp9999 }))), /^unauthorized: token lifetime/);
  assert.match(verdict(verifier().verify(raw({ exp: exp9999 }))), /^unauthorized: token lifetime/);
});

t('exp − iat: exactly the bound is accepted, one second more is refused', () => {
  const v = verifier();
  assert.is(verdict(v.verify(raw({ iat: NOW_S - 100, exp: NOW_S - 100 + 86_400 }))), 'ok');
  assert.match(verdict(v.verify(raw({ iat: NOW_S - 100, exp: NOW_S - 100 + 86_401 }))), /^unauthorized/);
});

t('without iat: the time left (exp − now) is bounded', () => {
  const v = verifier();
  assert.is(verdict(v.verify(raw({ exp: NOW_S + 86_400 }))), 'ok');
  assert.match(verdict(v.verify(raw({ exp: NOW_S + 86_401 }))), /^unauthorized/);
});

t('an iat in the future does not stretch the bound: the time left counts too', () => {
  const iat = NOW_S + 10 * 365 * 86_400;
  assert.match(verdict(verifier().verify(raw({ iat, exp: iat + 3600 }))), /^unauthorized/);
});

t('JWT_MAX_TTL_S is honoured (maxTtlSec), and the reason never carries the token', () => {
  const v = verifier({ maxTtlSec: 3600 });
  const token = raw({ iat: NOW_S, exp: NOW_S + 3601 });
  const r = v.verify(token);
  assert.match(verdict(r), /^unauthorized/);
  assert.ok(!r.ok && !r.reason.includes(token.split('.')[1]));
  assert.is(verdict(v.verify(raw({ iat: NOW_S, exp: NOW_S + 3600 }))), 'ok');
});

t('an expired long token is still token_expired (expiry is checked first)', () => {
  assert.match(verdict(verifier().verify(raw({ iat: NOW_S - 10 * 86_400, exp: NOW_S - 10 }))), /^token_expired/);
});

t.run();
