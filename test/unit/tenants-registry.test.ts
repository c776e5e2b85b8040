// The tenant registry (contract §8.2): start, reload as a difference, a reload that fails changes nothing, a removed
// tenant's outbox is drained before its runtime closes, start paced.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TenantRegistry } from '../../src/tenants/registry.js';
import type { TenantRuntime } from '../../src/tenants/runtime.js';
import { type TenantConfig, TenantsError } from '../../src/tenants/types.js';
import { captureLogger } from '../helpers/logs.js';
import { testTenant } from '../helpers/tenants.js';
import { waitFor } from '../helpers/wait.js';

const test = suite('tenants-registry');

const tenant = (id: string, secret = 'secret'): TenantConfig => testTenant(id, { appSecret: secret });

interface Fake {
  events: string[];
  pending: Map<string, number>;
  inFlight: number;
  maxInFlight: number;
  spread: boolean[];
}

function fakeRuntime(t: TenantConfig, f: Fake, gen: number): TenantRuntime {
  const id = `${t.accountId}#${gen}`;
  f.events.push(`build ${id}`);
  return {
    accountId: t.accountId,
    async start(opts?: { spreadPolls?: boolean }) {
      f.spread.push(opts?.spreadPolls === true);
      f.inFlight++;
      f.maxInFlight = Math.max(f.maxInFlight, f.inFlight);
      await new Promise((r) => setImmediate(r));
      f.inFlight--;
      f.events.push(`start ${id}`);
    },
    async stop() {
      f.events.push(`stop ${id}`);
    },
    async retire() {
      f.events.push(`retire ${id}`);
    },
    async outboxStats() {
      return { pending: f.pending.get(t.accountId) ?? 0, delivered: 0, failed: 0, oldestPendingSec: 0, failures: [] };
    },
    prepareStop() {},
    async stopUpstream() {},
  } as unknown as TenantRuntime;
}

function setup(initial: TenantConfig[], opts: { startConcurrency?: number } = {}) {
  const f: Fake = { events: [], pending: new Map(), inFlight: 0, maxInFlight: 0, spread: [] };
  let next: TenantConfig[] | Error = initial;
  let gen = 0;
  const registry = new TenantRegistry({
    load: () => {
      if (next instanceof Error) throw next;
      return next;
    },
    logger: captureLogger('silent').logger,
    drainCheckMs: 5,
    ...opts,
  });
  const host = { build: (t: TenantConfig) => fakeRuntime(t, f, ++gen) };
  return { f, registry, host, setNext: (n: TenantConfig[] | Error) => (next = n) };
}

test('reload: added started, removed retired, changed restarted alone, unchanged untouched', async () => {
  const { f, registry, host, setNext } = setup([tenant('a'), tenant('b'), tenant('c')]);
  await registry.start([tenant('a'), tenant('b'), tenant('c')], host);
  assert.equal(
    registry.list().map((r) => r.accountId),
    ['a', 'b', 'c'],
  );
  f.events.length = 0;
  setNext([tenant('a'), tenant('c', 'rotated'), tenant('d')]);
  const r = await registry.reload();
  assert.equal(r, { added: ['d'], removed: ['b'], changed: ['c'], unchanged: 1 });
  await waitFor(() => f.events.includes('stop b#2'), { what: 'b stopped' });
  assert.ok(f.events.includes('retire b#2'));
  assert.ok(f.events.includes('stop c#3') && f.events.includes('start c#5'), f.events.join(', '));
  assert.ok(f.events.includes('start d#4'));
  assert.not.ok(
    f.events.some((e) => e.startsWith('stop a') || e.startsWith('build a')),
    'a is untouched',
  );
  assert.is(registry.get('A')?.accountId, 'a');
  assert.is(registry.get('b'), undefined);
  await registry.stop();
});

test('a file that does not load, or a tenant that cannot be built, changes nothing', async () => {
  const { registry, host, setNext } = setup([tenant('a')]);
  await registry.start([tenant('a')], host);
  setNext(new TenantsError(['tenants[0] (a): antring.appSecret: the environment variable X is not set']));
  await registry.reload().then(
    () => assert.unreachable('reload should fail'),
    (err: unknown) => assert.instance(err, TenantsError),
  );
  // The host is fixed at start: a second registry shows a failing build.
  const second = setup([tenant('a')]);
  const badHost = {
    build: (t: TenantConfig) => {
      if (t.accountId === 'bad') throw new TenantsError(['bad: devices: invalid']);
      return second.host.build(t);
    },
  };
  await second.registry.start([tenant('a')], badHost);
  second.setNext([tenant('b'), tenant('bad')]);
  await second.registry.reload().then(
    () => assert.unreachable('reload should fail'),
    (err: unknown) => assert.instance(err, TenantsError),
  );
  assert.equal(
    second.registry.list().map((r) => r.accountId),
    ['a'],
  );
  assert.not.ok(
    second.f.events.some((e) => e.startsWith('stop a')),
    'a kept running',
  );
  assert.ok(second.f.events.includes('stop b#2'), 'the runtime built for b was released');
  assert.equal(
    registry.list().map((r) => r.accountId),
    ['a'],
  );
  await registry.stop();
  await second.registry.stop();
});

test('a removed tenant closes only once its outbox has nothing pending', async () => {
  const { f, registry, host, setNext } = setup([tenant('a'), tenant('b')]);
  await registry.start([tenant('a'), tenant('b')], host);
  f.pending.set('b', 2);
  setNext([tenant('a')]);
  await registry.reload();
  await waitFor(() => f.events.includes('retire b#2'), { what: 'b retired' });
  await new Promise((r) => setTimeout(r, 30));
  assert.not.ok(f.events.includes('stop b#2'), 'still delivering');
  f.pending.set('b', 0);
  await waitFor(() => f.events.includes('stop b#2'), { what: 'b stopped after its outbox drained' });
  await registry.stop();
});

test('start is paced: at most startConcurrency tenants start at once', async () => {
  const many = Array.from({ length: 40 }, (_, i) => tenant(`t${i}`));
  const { f, registry, host } = setup(many, { startConcurrency: 16 });
  await registry.start(many, host);
  assert.is(f.events.filter((e) => e.startsWith('start')).length, 40);
  assert.is(f.maxInFlight, 16);
  assert.ok(f.spread.every(Boolean), 'several tenants: each polls at its own phase');
  const one = setup([tenant('solo')]);
  await one.registry.start([tenant('solo')], one.host);
  assert.equal(one.f.spread, [false], 'a tenant of one polls at once, as before');
  await one.registry.stop();
  await registry.stop();
});

test.run();
