// Reload as a difference (contract §8.2): added / removed / changed / unchanged by account id and a stable hash.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { diffTenants, tenantHash } from '../../src/tenants/diff.js';
import type { TenantConfig } from '../../src/tenants/types.js';
import { testTenant } from '../helpers/tenants.js';

const test = suite('tenants-diff');

const tenant = (id: string, over: Partial<TenantConfig> = {}): TenantConfig => testTenant(id, over);

test('the hash is stable across key order and undefined fields, and sees every resolved value', () => {
  const t = tenant('a');
  const reverse = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, reverse(x)]),
        )
      : v;
  const reordered = reverse(t) as TenantConfig;
  assert.is.not(JSON.stringify(reordered), JSON.stringify(t));
  assert.is(tenantHash(reordered), tenantHash(t));
  assert.is(tenantHash({ ...t, name: undefined }), tenantHash(t));
  assert.is.not(tenantHash({ ...t, antring: { ...t.antring, appSecret: 'rotated' } }), tenantHash(t));
  assert.is.not(tenantHash({ ...t, name: 'Acme' }), tenantHash(t));
  assert.is.not(tenantHash({ ...t, antring: { ...t.antring, bindings: ['x'] } }), tenantHash(t));
});

test('added, removed, changed and unchanged by account id', () => {
  const prev = [tenant('a'), tenant('b'), tenant('c')];
  const next = [tenant('a'), tenant('c', { name: 'C renamed' }), tenant('d')];
  const d = diffTenants(prev, next);
  assert.equal(
    d.added.map((t) => t.accountId),
    ['d'],
  );
  assert.equal(d.removed, ['b']);
  assert.equal(
    d.changed.map((t) => t.accountId),
    ['c'],
  );
  assert.equal(d.changed[0].name, 'C renamed');
  assert.equal(d.unchanged, ['a']);
});

test('account ids are compared lowercased; the same list is all unchanged', () => {
  const d = diffTenants([tenant('ABC')], [tenant('abc', { antring: { ...tenant('abc').antring, accountId: 'ABC' } })]);
  assert.equal(d.added, []);
  assert.equal(d.removed, []);
  assert.is(d.changed.length, 1); // accountId text differs in the settings: a change, not a remove + add
  const same = [tenant('x'), tenant('y')];
  assert.equal(diffTenants(same, same), { added: [], removed: [], changed: [], unchanged: ['x', 'y'] });
});

test.run();
