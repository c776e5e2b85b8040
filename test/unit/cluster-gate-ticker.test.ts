// Contract §8.6: a tenant without traffic has no timer firing more often than its polls. Every tenant's call gate is
// ticked by one process-wide GateTicker, and only while it tracks calls: an idle tenant's gate makes no Redis round
// trip and schedules no timer per tick, whatever the other tenants do.
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallGate } from '../../src/cluster/gate.js';
import { GateTicker } from '../../src/cluster/gate-ticker.js';
import { clusterKeys } from '../../src/cluster/keys.js';
import { TenantLeases } from '../../src/cluster/tenant-leases.js';
import { createLogger } from '../../src/log.js';
import { startRedis } from '../cluster/helpers.js';
import { FakeClock, flush } from '../helpers/clock.js';
import { createEvent, gateUpdate } from '../helpers/gate-updates.js';
import { countingRedis as counting } from '../helpers/redis-suite.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const t = suite('cluster gate ticker');

/** A Redis stand-in counting every command; the claim always answers "owned by node OTHER" (a standby re-checks the
 *  call at every tick: one EVAL per tick shows the gate was ticked). */
function fakeRedis(): { redis: Redis; count: () => number; evals: () => number } {
  let n = 0;
  let evals = 0;
  const chain: Record<string, unknown> = {};
  const handler: ProxyHandler<object> = {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      return (...args: unknown[]) => {
        n++;
        if (prop === 'eval') {
          evals++;
          const keys = Number(args[1]);
          return Promise.resolve([0, 'OTHER', ...Array.from({ length: keys - 1 }, () => 0)]);
        }
        if (prop === 'multi') return new Proxy(chain, multi);
        if (prop === 'mget') return Promise.resolve((args[0] as unknown[]).map(() => null));
        return Promise.resolve('OK');
      };
    },
  };
  const multi: ProxyHandler<object> = {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      return () => (prop === 'exec' ? Promise.resolve([]) : new Proxy(chain, multi));
    },
  };
  return { redis: new Proxy({}, handler) as Redis, count: () => n, evals: () => evals };
}

const E = createEvent;

function gate(redis: Redis, org: string, opts: { ticker?: GateTicker; tickMs?: number; now?: () => number }) {
  const g = new CallGate({
    redis,
    keys: clusterKeys(org),
    nodeId: 'A',
    logger,
    heartbeatTtlMs: 3000,
    forward: () => undefined,
    ...opts,
  });
  g.setActive(true);
  g.start();
  return g;
}

t('an idle gate makes no Redis round trip while a busy one is re-checked at every tick (own tickers)', async () => {
  const idle = fakeRedis();
  const busy = fakeRedis();
  const a = gate(idle.redis, 'idle', { tickMs: 10 });
  const b = gate(busy.redis, 'busy', { tickMs: 10 });
  await flush();
  const atStart = idle.count(); // the term written when the lease came
  b.push(E('m1', 'c1'), [gateUpdate('c1')]);
  await waitFor(() => busy.evals() >= 6, { what: 'the busy gate re-checked its call at several ticks' });
  assert.is(idle.count(), atStart, 'the idle gate did not talk to Redis at its ticks');
  a.stop();
  b.stop();
});

t('one process-wide ticker: runs only while some gate tracks calls, one timer per tick for all gates', async () => {
  const clock = new FakeClock();
  const ticker = new GateTicker({ tickMs: 500, clock });
  const idle = fakeRedis();
  const busy = fakeRedis();
  const idleGates = Array.from({ length: 50 }, (_, i) => gate(idle.redis, `idle${i}`, { ticker, now: clock.now }));
  const b = gate(busy.redis, 'busy', { ticker, now: clock.now });
  await flush();
  assert.is(clock.pending, 0, 'no gate has work: no timer at all');
  assert.is(ticker.size, 0);
  const idleAtStart = idle.count();

  b.push(E('m1', 'c1'), [gateUpdate('c1')]);
  await flush();
  assert.is(clock.pending, 1, 'one timer for the process');
  assert.is(ticker.size, 1, 'only the busy gate is ticked');
  const delays = clock.delays.length;
  const evals = busy.evals();
  for (let i = 0; i < 10; i++) {
    clock.advanceSync(500);
    await flush();
  }
  assert.is(busy.evals() - evals, 10, 'the busy gate re-checked its call at each of the 10 ticks');
  assert.is(clock.delays.length - delays, 10, 'one timer scheduled per tick, not one per tenant');
  assert.is(idle.count(), idleAtStart, 'the 50 idle gates made no Redis round trip');

  // The call goes (the gate forgets it after its pending updates aged out): the ticker drops the gate, then stops.
  b.setActive(false);
  clock.advanceSync(500);
  await flush();
  assert.is(ticker.size, 0);
  assert.is(clock.pending, 0, 'no gate with work: the timer stops');
  for (const g of idleGates) g.stop();
  b.stop();
  ticker.close();
});

t('an idle holder keeps its gate term alive with the lease renewal itself: no command of its own', async () => {
  const server = await startRedis();
  if (!server) return;
  const c = new Redis(server.url);
  try {
    const keys = clusterKeys('term');
    const { redis, counts } = counting(c);
    let since: number | undefined;
    const leases = new TenantLeases({
      redis,
      keys,
      nodeId: 'A',
      org: 'term',
      leaseTtlMs: 5000,
      heartbeatTtlMs: 3000,
      logger,
      onAcquire: () => {
        since = 1_700_000_000_123;
      },
      onRelease: () => undefined,
      term: () => (since === undefined ? undefined : { since, ttlMs: 60_000 }),
    });
    await leases.tick({ assigned: ['A'], grace: false });
    assert.ok(leases.holds);
    await c.del(keys.terms()); // lapsed (or Redis restarted)
    await leases.tick({ assigned: ['A'], grace: false });
    assert.is(await c.hget(keys.terms(), 'A'), '1700000000123', 'restored by the renewal');
    assert.ok((await c.pttl(keys.terms())) > 50_000, 'with the term lifetime');
    assert.equal(counts, { eval: 2 }, 'one round trip per renewal, the term inside it');
    await leases.stop();
  } finally {
    await c.quit();
    await server.stop();
  }
});

t.run();
