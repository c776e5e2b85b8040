// What operators see (contract §8.4): /readyz is ready while at least one tenant is up; not while draining, when the
// mode is not, or when no tenant is; a single tenant's reasons are said as a single-account bridge said them.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pipelinesStatus, tenantsReadiness } from '../../src/server/tenant-status.js';
import { pollPhaseMs, type TenantRuntime } from '../../src/tenants/runtime.js';

const test = suite('tenants-status');

const rt = (accountId: string, reasons: string[], signal = reasons.length ? 'backoff' : 'live') =>
  ({
    accountId,
    notReadyReasons: () => reasons,
    upstream: () => ({ state: reasons.length ? 'connecting' : 'up', since: '2026-01-01T00:00:00.000Z' }),
    status: () => ({ signal, reconnects: 1, liveCalls: 2 }),
  }) as unknown as TenantRuntime;

const node = (o: { draining?: boolean; reasons?: string[] } = {}) => ({
  draining: () => o.draining === true,
  notReadyReasons: () => o.reasons ?? [],
});

test('ready while one tenant is up, even when another is down', () => {
  const list = [rt('a', []), rt('b', ['signal subscription is backoff'])];
  const r = tenantsReadiness({ list: () => list }, node(), true);
  assert.equal(r.notReadyReasons(), []);
  assert.equal(
    r.tenants?.().map((t) => [t.accountId, t.state]),
    [
      ['a', 'up'],
      ['b', 'connecting'],
    ],
  );
});

test('not ready when no tenant is up (reasons by tenant), while draining, or when the mode is not', () => {
  const down = [rt('a', ['x']), rt('b', ['y'])];
  assert.equal(tenantsReadiness({ list: () => down }, node(), true).notReadyReasons(), ['a: x', 'b: y']);
  assert.equal(tenantsReadiness({ list: () => [rt('a', ['x'])] }, node(), false).notReadyReasons(), ['x']);
  const up = [rt('a', [])];
  assert.equal(tenantsReadiness({ list: () => up }, node({ draining: true }), true).notReadyReasons(), [
    'shutting down',
  ]);
  assert.equal(tenantsReadiness({ list: () => up }, node({ reasons: ['redis is down'] }), true).notReadyReasons(), [
    'redis is down',
  ]);
  assert.equal(tenantsReadiness({ list: () => [] }, node(), true).notReadyReasons(), ['no tenant is configured']);
  assert.is(tenantsReadiness({ list: () => up }, node(), false).tenants, undefined, 'single-account: as before');
});

test('status: one tenant as it is; several summed, live only when every one is', () => {
  assert.equal(pipelinesStatus({ list: () => [rt('a', [])] }), { signal: 'live', reconnects: 1, liveCalls: 2 });
  assert.equal(pipelinesStatus({ list: () => [rt('a', []), rt('b', ['x'])] }), {
    signal: 'backoff',
    reconnects: 2,
    liveCalls: 4,
  });
  assert.equal(pipelinesStatus({ list: () => [] }).signal, 'idle');
});

test('poll phases: fixed per account, inside the interval, spread over it', () => {
  assert.is(pollPhaseMs('a', 5000), pollPhaseMs('a', 5000));
  const phases = Array.from({ length: 200 }, (_, i) => pollPhaseMs(`acct${i}`, 5000));
  assert.ok(phases.every((p) => p >= 0 && p < 5000));
  const buckets = new Set(phases.map((p) => Math.floor(p / 500)));
  assert.is(buckets.size, 10, 'every tenth of the interval has tenants');
});

test.run();
