// A tenant's upstream holds (cluster/tenant-leases.ts) against a real redis-server: the assigned nodes hold and
// heartbeat, a stopped holder gives its hold back at once, a hold Redis lost is taken again, and a holder that cannot
// reach Redis keeps its hold (its engine stays current; nobody else can take it meanwhile).
import { Redis } from 'ioredis';
import * as assert from 'uvu/assert';
import { clusterKeys } from '../../src/cluster/keys.js';
import { TenantLeases } from '../../src/cluster/tenant-leases.js';
import { createLogger } from '../../src/log.js';
import { redisSuite } from '../helpers/redis-suite.js';

const logger = createLogger('silent');
const t = redisSuite('cluster tenant leases (real Redis)');
let n = 0;

function leases(redis: Redis, org: string, nodeId: string, events: string[]) {
  return new TenantLeases({
    redis,
    keys: clusterKeys(org),
    nodeId,
    org,
    leaseTtlMs: 1500,
    heartbeatTtlMs: 1000,
    logger,
    onAcquire: () => events.push(`${nodeId} acquire`),
    onRelease: (why) => events.push(`${nodeId} release: ${why}`),
  });
}

t(
  'the assigned nodes hold and heartbeat; a stopped holder gives back at once; a lost hold is taken again',
  async ({ c }) => {
    if (!c) return;
    const org = `tl${++n}`;
    const keys = clusterKeys(org);
    const events: string[] = [];
    const [a, b, s] = ['A', 'B', 'S'].map((id) => leases(c, org, id, events)) as [
      TenantLeases,
      TenantLeases,
      TenantLeases,
    ];
    const tick = { assigned: ['A', 'B'], grace: false };
    for (const l of [a, b, s]) await l.tick(tick);
    assert.equal(events, ['A acquire', 'B acquire']);
    assert.ok(a.holds && b.holds && !s.holds, 'the two assigned nodes hold, the spare does not');
    assert.equal(await c.zrange(keys.holders(), '0', '-1'), ['A', 'B']);
    assert.is(await c.exists(keys.node('A')), 1, 'a holder heartbeats');
    assert.is(await c.exists(keys.node('S')), 0, 'a node without a hold does not');
    await a.stop();
    assert.equal(events.slice(2), ['A release: stopping']);
    assert.is(await c.exists(keys.node('A')), 0, 'heartbeat removed on stop');
    assert.equal(await c.zrange(keys.holders(), '0', '-1'), ['B'], 'its hold given back at once');
    await c.del(keys.holders(), keys.node('B')); // Redis lost them
    await b.tick(tick);
    assert.ok(b.holds, 'kept');
    assert.equal(await c.zrange(keys.holders(), '0', '-1'), ['B'], 'the lost hold taken again');
    assert.is(await c.exists(keys.node('B')), 1);
    for (const l of [b, s]) await l.stop();
  },
);

t('a holder that cannot reach Redis keeps its hold (nobody else can take it meanwhile)', async ({ redis }) => {
  if (!redis) return;
  const c2 = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await new Promise((r) => c2.once('ready', r));
  const events: string[] = [];
  const a = leases(c2, `tl${++n}`, 'A', events);
  await a.tick({ assigned: ['A'], grace: false });
  assert.equal(events, ['A acquire']);
  c2.disconnect();
  await a.tick({ assigned: ['A'], grace: false });
  await a.tick({ assigned: [], grace: false });
  assert.ok(a.holds, 'kept while Redis is unreachable');
  assert.equal(events, ['A acquire']);
  await a.stop();
  assert.equal(events, ['A acquire', 'A release: stopping']);
});

t.run();
