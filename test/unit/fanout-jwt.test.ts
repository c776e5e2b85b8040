import { createHmac, generateKeyPairSync } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createJwtVerifier, JwtConfigError, MAX_TOKEN_LENGTH } from '../../src/fanout/jwt.js';
import { signToken, type TestSignOptions } from '../helpers/tokens.js';

const SECRET = 'unit-secret-0123456789abcdef0123456789abcdef';
const ORG = 'org-a';
const now = () => Math.floor(Date.now() / 1000);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

const hs = (claims: Record<string, unknown>, options: TestSignOptions['options'] = {}, secret: string = SECRET) =>
  signToken(claims, { secret, options });
/** Signed as given: the claims carry their own exp (or none). */
const hsRaw = (claims: Record<string, unknown>) => signToken(claims, { secret: SECRET, ttlSec: false });
const base = { sub: 'u1', org: ORG, role: 'admin' };

const t = suite('fanout jwt');

t('HS256: a valid token gives the claims (queues default [], no undefined agent)', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG });
  assert.is(v.algorithm, 'HS256');
  const r = v.verify(hs({ ...base, extra: 'ignored' }));
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(Object.keys(r.claims).sort(), ['exp', 'org', 'queues', 'role', 'sub']);
  assert.is(r.claims.sub, 'u1');
  assert.is(r.claims.org, ORG);
  assert.is(r.claims.role, 'admin');
  assert.equal(r.claims.queues, []);
  assert.ok(r.claims.exp > now());
});

t('agent and supervisor claims', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG });
  const a = v.verify(hs({ sub: 's', org: ORG, role: 'agent', agent: 'alice' }));
  assert.ok(a.ok && a.claims.agent === 'alice');
  const s = v.verify(hs({ sub: 's', org: ORG, role: 'supervisor', queues: ['q1', 'q2'] }));
  assert.ok(s.ok && s.claims.queues.join() === 'q1,q2');
});

t('wrong secret → unauthorized, and the reason never contains the token', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG });
  const token = hs(base, {}, 'another-secret-0123456789abcdef0123456789');
  const r = v.verify(token);
  assert.equal(r.ok ? null : r.code, 'unauthorized');
  assert.ok(!r.ok && !r.reason.includes(token) && !r.reason.includes(token.split('.')[2]));
  assert.ok(!r.ok && !r.reason.includes(SECRET));
});

t('alg none (hand-crafted) → unauthorized', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG });
  const payload = b64({ ...base, exp: now() + 600 });
  for (const token of [`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, `${b64({ alg: 'none' })}.${payload}`]) {
    const r = v.verify(token);
    assert.equal(r.ok ? 'accepted' : r.code, 'unauthorized', token);
  }
});

t('malformed tokens → unauthorized', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG });
  for (const token of [
    '',
    'abc',
    'a.b.c',
    '...',
    `${b64({ alg: 'HS256' })}.not-json.sig`,
    'x'.repeat(MAX_TOKEN_LENGTH + 1),
  ]) {
    const r = v.verify(token);
    assert.equal(r.ok ? 'accepted' : r.code, 'unauthorized', token.slice(0, 30));
  }
  // Not even a string (defensive: the verifier is fed from untrusted handshakes).
  const r = v.verify(42 as unknown as string);
  assert.equal(r.ok ? 'accepted' : r.code, 'unauthorized');
});

t('expired → token_expired; within the clock tolerance → ok', () => {
  const exp = now() - 5;
  const token = hsRaw({ ...base, exp });
  const strict = createJwtVerifier({ secret: SECRET, org: ORG });
  const r = strict.verify(token);
  assert.equal(r.ok ? 'accepted' : r.code, 'token_expired');
  const lenient = createJwtVerifier({ secret: SECRET, org: ORG, clockToleranceSec: 30 });
  assert.ok(lenient.verify(token).ok);
});

t('no exp → unauthorized', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG });
  const token = hsRaw(base);
  const r = v.verify(token);
  assert.equal(r.ok ? 'accepted' : r.code, 'unauthorized');
  assert.ok(!r.ok && /exp/.test(r.reason));
});

t('the token org is lowercased at verification, then compared exactly (issue 15)', () => {
  const org = '8be18386b9adbe6895e7d82586214815';
  const v = createJwtVerifier({ secret: SECRET, org });
  const r = v.verify(hs({ ...base, org: org.toUpperCase() }));
  assert.ok(r.ok, JSON.stringify(r));
  if (r.ok) assert.is(r.claims.org, org, 'claims carry the normalised org');
  const other = v.verify(hs({ ...base, org: org.replace('8', '9') }));
  assert.equal(other.ok ? 'ok' : other.code, 'forbidden');
});

t('another org → forbidden; a role not served → forbidden', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG });
  const r = v.verify(hs({ ...base, org: 'org-b' }));
  assert.equal(r.ok ? 'accepted' : r.code, 'forbidden');
  const onlyAgents = createJwtVerifier({ secret: SECRET, org: ORG, allowedRoles: ['agent'] });
  const w = onlyAgents.verify(hs({ sub: 'w', org: ORG, role: 'wallboard' }));
  assert.equal(w.ok ? 'accepted' : w.code, 'forbidden');
});

t('invalid claims → unauthorized', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG });
  const bad: Record<string, unknown>[] = [
    { ...base, role: 'root' },
    { ...base, role: undefined },
    { sub: 'a', org: ORG, role: 'agent' },
    { sub: 'a', org: ORG, role: 'agent', agent: '' },
    { ...base, org: '' },
    { ...base, org: undefined },
    { ...base, sub: 12 },
    { ...base, sub: undefined },
    { ...base, queues: 'q1' },
    { ...base, queues: [1, 2] },
  ];
  for (const claims of bad) {
    const r = v.verify(hs(JSON.parse(JSON.stringify(claims))));
    assert.equal(r.ok ? 'accepted' : r.code, 'unauthorized', JSON.stringify(claims));
  }
});

t('RS256 with an RSA public key; ES256 with an EC P-256 key; algorithm confusion refused', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const ecPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const rv = createJwtVerifier({ publicKey: rsaPem, org: ORG });
  const ev = createJwtVerifier({ publicKey: ecPem, org: ORG });
  assert.is(rv.algorithm, 'RS256');
  assert.is(ev.algorithm, 'ES256');
  const claims = { ...base };
  assert.ok(rv.verify(signToken(claims, { secret: rsa.privateKey, algorithm: 'RS256', ttlSec: 60 })).ok);
  assert.ok(ev.verify(signToken(claims, { secret: ec.privateKey, algorithm: 'ES256', ttlSec: 60 })).ok);
  // Pinned: another asymmetric algorithm with the right key type is refused too.
  const rs512 = rv.verify(signToken(claims, { secret: rsa.privateKey, algorithm: 'RS512', ttlSec: 60 }));
  assert.equal(rs512.ok ? 'accepted' : rs512.code, 'unauthorized');
  // Cross keys.
  const crossed = rv.verify(signToken(claims, { secret: ec.privateKey, algorithm: 'ES256', ttlSec: 60 }));
  assert.equal(crossed.ok ? 'accepted' : crossed.code, 'unauthorized');
  // Algorithm confusion: HS256 signed with the public key PEM as the HMAC secret (crafted by hand).
  for (const [v, pem] of [
    [rv, rsaPem],
    [ev, ecPem],
  ] as const) {
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, exp: now() + 60 })}`;
    const sig = createHmac('sha256', pem).update(head).digest('base64url');
    const r = v.verify(`${head}.${sig}`);
    assert.equal(r.ok ? 'accepted' : r.code, 'unauthorized');
  }
  // Expiry also works with public keys.
  const expired = rv.verify(
    signToken({ ...claims, exp: now() - 10 }, { secret: rsa.privateKey, algorithm: 'RS256', ttlSec: false }),
  );
  assert.equal(expired.ok ? 'accepted' : expired.code, 'token_expired');
});

t('key configuration errors', () => {
  assert.throws(
    () => createJwtVerifier({ org: ORG }),
    (e: unknown) => e instanceof JwtConfigError,
  );
  assert.throws(
    () => createJwtVerifier({ secret: SECRET, publicKey: 'x', org: ORG }),
    (e: unknown) => e instanceof JwtConfigError,
  );
  assert.throws(
    () => createJwtVerifier({ publicKey: 'not a pem', org: ORG }),
    (e: unknown) => e instanceof JwtConfigError,
  );
  assert.throws(
    () => createJwtVerifier({ secret: SECRET, org: '' }),
    (e: unknown) => e instanceof JwtConfigError,
  );
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  assert.throws(
    () => createJwtVerifier({ publicKey: p384, org: ORG }),
    (e: unknown) => e instanceof JwtConfigError,
  );
  const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.throws(
    () => createJwtVerifier({ publicKey: ed, org: ORG }),
    (e: unknown) => e instanceof JwtConfigError,
  );
});

t('issuer and audience are checked when configured', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG, issuer: 'https://idp', audience: 'bridge' });
  assert.ok(v.verify(hs(base, { issuer: 'https://idp', audience: 'bridge' })).ok);
  for (const opts of [
    { issuer: 'https://evil', audience: 'bridge' },
    { issuer: 'https://idp', audience: 'other' },
    {},
    { audience: 'bridge' },
  ]) {
    const r = v.verify(hs(base, opts));
    assert.equal(r.ok ? 'accepted' : r.code, 'unauthorized', JSON.stringify(opts));
  }
  // Not configured: not checked.
  assert.ok(createJwtVerifier({ secret: SECRET, org: ORG }).verify(hs(base, { issuer: 'anyone', audience: 'any' })).ok);
});

t('nbf in the future → unauthorized', () => {
  const v = createJwtVerifier({ secret: SECRET, org: ORG });
  const r = v.verify(hs(base, { notBefore: 300 }));
  assert.equal(r.ok ? 'accepted' : r.code, 'unauthorized');
});

t('injected clock decides expiry', () => {
  const exp = now() + 60;
  const token = hsRaw({ ...base, exp });
  assert.ok(createJwtVerifier({ secret: SECRET, org: ORG, now: () => (exp - 1) * 1000 }).verify(token).ok);
  const r = createJwtVerifier({ secret: SECRET, org: ORG, now: () => (exp + 1) * 1000 }).verify(token);
  assert.equal(r.ok ? 'accepted' : r.code, 'token_expired');
});

t.run();
