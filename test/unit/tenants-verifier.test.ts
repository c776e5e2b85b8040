// JWT verification for many tenants (contract §8.3): a token's org must be a tenant here (any case); unsigned tokens
// stay `unauthorized` whatever they claim; operators (`org: "*"`) are checked apart and have no call data.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTenantVerifier } from '../../src/server/verifier.js';
import { signToken } from '../helpers/tokens.js';

const test = suite('tenants-verifier');
const SECRET = 'verifier-secret-0123456789abcdef0123456789abcdef';
const tenants = new Set(['a000', 'b000']);
const v = createTenantVerifier({ secret: SECRET }, (org) => tenants.has(org));
const tok = (claims: Record<string, unknown>, o: { secret?: string; ttlSec?: number } = {}) =>
  signToken({ sub: 's', ...claims }, { secret: o.secret ?? SECRET, ttlSec: o.ttlSec ?? 600 });

test('a token of a tenant is verified; its org is lowercased', () => {
  const r = v.verify(tok({ org: 'A000', role: 'admin' }));
  assert.ok(r.ok);
  if (r.ok) assert.is(r.claims.org, 'a000');
  assert.ok(v.verify(tok({ org: 'b000', role: 'agent', agent: 'x' })).ok);
});

test('an org that is not a tenant is forbidden; an unsigned or mis-signed token unauthorized', () => {
  const r = v.verify(tok({ org: 'c000', role: 'admin' }));
  assert.equal(r.ok ? 'ok' : r.code, 'forbidden');
  const bad = v.verify(tok({ org: 'c000', role: 'admin' }, { secret: 'another-secret-0123456789abcdef0123456789' }));
  assert.equal(bad.ok ? 'ok' : bad.code, 'unauthorized');
  assert.equal(v.verify('').ok, false);
  tenants.add('c000');
  assert.ok(v.verify(tok({ org: 'c000', role: 'admin' })).ok, 'a tenant added later is served');
  tenants.delete('c000');
  const gone = v.verify(tok({ org: 'c000', role: 'admin' }));
  assert.equal(gone.ok ? 'ok' : gone.code, 'forbidden');
});

test('operators: verified apart, forbidden everywhere else', () => {
  const op = tok({ org: '*', role: 'operator' });
  const r = v.verifyOperator(op);
  assert.ok(r.ok);
  const asTenant = v.verify(op);
  assert.equal(asTenant.ok ? 'ok' : asTenant.code, 'forbidden');
  const admin = v.verifyOperator(tok({ org: 'a000', role: 'admin' }));
  assert.equal(admin.ok ? 'ok' : admin.code, 'forbidden');
  const wrongOrg = v.verifyOperator(tok({ org: 'a000', role: 'operator' }));
  assert.equal(wrongOrg.ok ? 'ok' : wrongOrg.code, 'unauthorized');
  const expired = v.verifyOperator(tok({ org: '*', role: 'operator' }, { ttlSec: -10 }));
  assert.equal(expired.ok ? 'ok' : expired.code, 'token_expired');
  const long = v.verifyOperator(tok({ org: '*', role: 'operator' }, { ttlSec: 30 * 86_400 }));
  assert.equal(long.ok ? 'ok' : long.code, 'unauthorized');
  const forged = v.verifyOperator(tok({ org: '*', role: 'operator' }, { secret: 'x'.repeat(40) }));
  assert.equal(forged.ok ? 'ok' : forged.code, 'unauthorized');
});

test('operators: the configured JWT_MAX_TTL_S applies to their tokens as to every role', () => {
  const short = createTenantVerifier({ secret: SECRET, maxTtlSec: 3600 }, (org) => tenants.has(org));
  const op = (ttlSec: number) => tok({ org: '*', role: 'operator' }, { ttlSec });
  assert.ok(short.verifyOperator(op(1800)).ok, 'within the limit');
  const over = short.verifyOperator(op(7200));
  assert.equal(over.ok ? 'ok' : [over.code, over.reason], [
    'unauthorized',
    'token lifetime over 3600 s (JWT_MAX_TTL_S)',
  ]);
  // Without iat: the time left counts.
  const noIat = signToken(
    { sub: 's', org: '*', role: 'operator', exp: Math.floor(Date.now() / 1000) + 7200 },
    { secret: SECRET, ttlSec: false, options: { noTimestamp: true } },
  );
  const r = short.verifyOperator(noIat);
  assert.equal(r.ok ? 'ok' : r.code, 'unauthorized');
  // The same token of an admin is refused alike (one rule for every role).
  const admin = short.verify(tok({ org: 'a000', role: 'admin' }, { ttlSec: 7200 }));
  assert.equal(admin.ok ? 'ok' : admin.code, 'unauthorized');
});

test.run();
