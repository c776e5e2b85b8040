// Issue 15 item 10: a message lost when the machine is busy. The owner of a call emits an update (its Socket.IO
// broadcast is an XADD on the adapter's Redis connection) and marks it done for the standby holder. On a busy node the
// adapter's connection, carrying every broadcast, backs up in its write buffer while a small mark on another
// connection gets through; the node then dies (SIGKILL) with the broadcast still in its buffer: the mark survives the
// broadcast, the standby takes the call over, skips the update as done, and nobody ever receives it.
// Reproduced on purpose: node X's adapter connection is corked (its writes wait in the buffer, as on a busy node) while
// X publishes; then X dies (the buffer is lost, the lease and heartbeat given back); node Y takes the call over.
import http from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallUpdate } from '../../src/calls/types.js';
import { createCluster } from '../../src/cluster/cluster.js';
import { updateId } from '../../src/cluster/gate.js';
import { createJwtVerifier } from '../../src/fanout/jwt.js';
import { CallPublisher } from '../../src/fanout/publisher.js';
import { createFanout } from '../../src/fanout/server.js';
import { callUpdate } from '../helpers/fanout-node.js';
import { captureLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/wait.js';
import { startRedis, untilRedisIdle } from './helpers.js';

const ORG = 'org-done';
const t = suite('cluster: a done mark never outlives the broadcast it stands for');

t('the owner dies with its broadcast still buffered: the standby takes over and publishes the update', async () => {
  const redis = await startRedis();
  if (!redis) return;
  const logger = captureLogger('silent').logger;
  const node = (nodeId: string) =>
    createCluster({ url: redis.url, org: ORG, dialRatePerMinute: 10, logger, nodeId, settings: { upstreamNodes: 2 } });
  const x = node('x');
  const y = node('y');
  const sockets = (c: typeof x) =>
    createFanout(http.createServer(), {
      org: ORG,
      verifier: createJwtVerifier({ secret: 'done-secret-0123456789abcdef0123456789abcdef', org: ORG }),
      logger,
      live: c.live,
      adapter: c.adapter,
      connectionStateRecovery: c.connectionStateRecovery,
    });
  const fanout = sockets(x);
  const fanoutY = sockets(y); // (its adapter's stream reader stops when it closes)
  let emitted: ((id: string) => void) | undefined;
  const publisher = new CallPublisher({
    emitter: fanout.emitter,
    seq: x.seq,
    live: x.live,
    org: ORG,
    logger,
    onEmit: (_view, u) => {
      x.published(u); // as the composition root does, in the tick of the emit
      emitted?.(u.clusterUpdateId ?? '');
    },
  });
  const forwardedByY: string[] = [];
  let adapterStream: NetSocket | undefined;
  const hooks = { acquire: () => undefined, release: () => undefined };
  try {
    x.start(hooks, (u) => void publisher.publish({ ...u, contact: null, contactStatus: 'not_found' }));
    y.start(hooks, (u) => forwardedByY.push(u.clusterUpdateId ?? ''));
    await waitFor(() => x.holdsUpstream() && y.holdsUpstream() && x.notReadyReasons().length === 0, {
      what: 'both nodes holding the upstream, Redis ready',
    });

    // Node X is busy: what it writes on the adapter's connection waits in the buffer.
    adapterStream = (x.adapterRedis as unknown as { stream: NetSocket }).stream;
    adapterStream.cork();
    const update: CallUpdate = callUpdate(ORG, 'call-1', 'ringing', { kind: 'call', queueId: 'q1' });
    const event = { msgId: 'm1', name: 'CHANNEL_CREATE', legId: 'call-1' };
    const published = new Promise<string>((r) => {
      emitted = r;
    });
    x.onUpdates(event, [update]); // X claims the new call and publishes
    const id = updateId(event, 'call-1', 0)!;
    assert.is(await published, id);
    y.onUpdates(event, [update]); // the standby keeps it pending until it is marked done
    // Whatever X sent on its main connection before this round trip has been processed.
    await x.redis.ping();
    const marked = await y.redis.exists(x.keys.done(id));
    const inStream = (await y.redis.xrange(x.keys.sioStream(), '-', '+')).some(([, f]) => f.join().includes('call-1'));
    assert.is(inStream, false, 'the broadcast is still in X’s buffer');
    assert.is(marked, 0, 'no done mark while its broadcast is not in Redis');

    // X dies: its buffer is lost; its lease and heartbeat lapse (given back at once here, to keep the test short).
    adapterStream.destroy();
    x.adapterRedis.disconnect();
    await x.leave();
    // Y's tick (500 ms) finds X's heartbeat gone and takes the call over, publishing what is not marked done.
    await waitFor(() => forwardedByY.includes(id), {
      what: 'the standby to publish the update nobody received',
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}; standby gate: ${JSON.stringify(y.stats().gate)}`);
    });
  } finally {
    if (adapterStream && !adapterStream.destroyed) adapterStream.uncork(); // a failed assertion: let X close
    await Promise.all([fanout.close(), fanoutY.close()]);
    await Promise.all([x.close(), y.close()]);
    await untilRedisIdle(redis.url);
    await redis.stop();
  }
});

t.run();
