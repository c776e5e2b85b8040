// The mode objects: SingleNodeMode (memory stores, always holds the upstream, every update forwarded) and ClusterMode
// (the cluster's stores and leases behind the same interface), and createMode choosing by REDIS_URL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallUpdate } from '../../src/calls/types.js';
import { systemClock } from '../../src/clock.js';
import type { Cluster } from '../../src/cluster/cluster.js';
import { loadConfig } from '../../src/config.js';
import { MemoryIdempotencyStore } from '../../src/dial/idempotency.js';
import { MemoryRateLimiter } from '../../src/dial/rate-limiter.js';
import { MemoryLiveCallStore } from '../../src/fanout/live-calls.js';
import { MemorySeqSource } from '../../src/fanout/seq.js';
import { createLogger } from '../../src/log.js';
import { ClusterMode } from '../../src/runtime/cluster-mode.js';
import { createMode } from '../../src/runtime/create-mode.js';
import { SingleNodeMode } from '../../src/runtime/single-node-mode.js';
import type { PipelineUpdate } from '../../src/runtime/update.js';

const logger = createLogger('silent');
const config = loadConfig({});
const upd = (callId: string) => ({ callId }) as unknown as CallUpdate;

test('single node: memory stores, the lease taken at start and given back at leave, every update forwarded', async () => {
  const m = new SingleNodeMode(config, { clock: systemClock });
  assert.is(m.kind, 'single');
  assert.instance(m.seq, MemorySeqSource);
  assert.instance(m.live, MemoryLiveCallStore);
  assert.instance(m.rateLimiter, MemoryRateLimiter);
  assert.instance(m.idempotency, MemoryIdempotencyStore);
  assert.is(m.contactCache, undefined);
  // Connection state recovery on a single node too (CLUSTER_RECOVERY_MS, default 30 s): no adapter of its own.
  assert.equal(m.sockets, { connectionStateRecovery: { maxDisconnectionDuration: 30_000 } });
  assert.ok(m.emitsDashboard());
  assert.equal(m.notReadyReasons(), []);
  const upstream = { dashboard: async () => ({}), queues: async () => [], agents: async () => [] };
  assert.is(m.dashboardSource(upstream, 5000), upstream);

  const events: string[] = [];
  const forwarded: string[] = [];
  m.leases.start(
    {
      acquire: () => events.push('acquire'),
      release: () => {
        events.push('release');
      },
    },
    (u) => forwarded.push(u.callId),
  );
  assert.equal(events, ['acquire']);
  assert.ok(m.leases.holdsUpstream());
  m.leases.route(undefined, [upd('a'), upd('b')]);
  assert.equal(forwarded, ['a', 'b']);
  m.leases.stopAcquiring();
  await m.leases.leave();
  await m.leases.leave();
  assert.equal(events, ['acquire', 'release'], 'released once');
  await m.close();
});

/** A Cluster double recording what the mode asks of it. */
function fakeCluster(calls: string[]): Cluster {
  const stub =
    <T>(name: string, value: T) =>
    (...args: unknown[]) => {
      calls.push(
        `${name}${args.length ? `:${args.map((a) => (typeof a === 'object' && a && 'clusterUpdateId' in a ? (a as PipelineUpdate).clusterUpdateId : typeof a)).join(',')}` : ''}`,
      );
      return value;
    };
  return {
    nodeId: 'node-1',
    seq: { next: async () => 1 } as unknown as Cluster['seq'],
    live: { tag: 'redis-live' } as unknown as Cluster['live'],
    contactCache: { tag: 'l2' } as unknown as Cluster['contactCache'],
    rateLimiter: { tag: 'rl' } as unknown as Cluster['rateLimiter'],
    idempotency: { tag: 'idem' } as unknown as Cluster['idempotency'],
    adapter: 'adapter' as unknown as Cluster['adapter'],
    notices: { publish: async () => undefined, subscribe: async () => () => undefined },
    connectionStateRecovery: { maxDisconnectionDuration: 30_000 },
    keys: {} as Cluster['keys'],
    redis: {} as Cluster['redis'],
    adapterRedis: {} as Cluster['adapterRedis'],
    onUpdates: stub('onUpdates', undefined),
    published: stub('published', undefined),
    start: stub('start', undefined),
    holdsUpstream: stub('holdsUpstream', false),
    leadsDashboard: stub('leadsDashboard', false),
    dashboardSource: stub('dashboardSource', { shared: true }) as unknown as Cluster['dashboardSource'],
    notReadyReasons: stub('notReadyReasons', ['redis is reconnecting']),
    stopAcquiring: stub('stopAcquiring', undefined),
    leave: stub('leave', Promise.resolve()),
    close: stub('close', Promise.resolve()),
    stats: () => ({}),
  };
}

test("cluster: the cluster's stores, leases, gate, dashboard leader and readiness behind the same interface", async () => {
  const calls: string[] = [];
  const c = fakeCluster(calls);
  const m = new ClusterMode({ ...config, redisUrl: 'redis://unused' }, { logger }, c);
  assert.is(m.kind, 'cluster');
  assert.is(m.nodeId, 'node-1');
  assert.is(m.seq, c.seq);
  assert.is(m.live, c.live);
  assert.is(m.contactCache, c.contactCache);
  assert.is(m.rateLimiter, c.rateLimiter);
  assert.is(m.idempotency, c.idempotency);
  assert.equal(m.sockets, { adapter: 'adapter', connectionStateRecovery: { maxDisconnectionDuration: 30_000 } });
  assert.not.ok(m.emitsDashboard(), 'only the leader emits');
  assert.equal(m.notReadyReasons(), ['redis is reconnecting']);
  assert.equal(
    m.dashboardSource({ dashboard: async () => ({}), queues: async () => [], agents: async () => [] }, 5000),
    { shared: true },
  );
  m.leases.start({ acquire: () => undefined, release: () => undefined }, () => undefined);
  m.leases.route(undefined, [upd('a')]);
  assert.not.ok(m.leases.holdsUpstream());
  m.published({ clusterUpdateId: 'm1:0' } as PipelineUpdate);
  m.leases.stopAcquiring();
  await m.leases.leave();
  await m.close();
  assert.equal(calls, [
    'leadsDashboard',
    'notReadyReasons',
    'dashboardSource:object,number',
    'start:object,function',
    'onUpdates:undefined,object',
    'holdsUpstream',
    'published:m1:0',
    'stopAcquiring',
    'leave',
    'close',
  ]);
});

test('createMode: a single node without REDIS_URL', async () => {
  const m = createMode(config, { logger, clock: systemClock });
  assert.is(m.kind, 'single');
  await m.close();
});

test.run();
