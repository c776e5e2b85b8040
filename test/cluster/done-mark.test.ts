// A done mark and the broadcast it stands for reach Redis together or not at all (cluster/broadcast-marks.ts). Two
// holders X and Y of one call; X owns it: it emits an update (its Socket.IO broadcast is an XADD on the adapter's
// Redis connection) and marks it done for the standby Y. X dies (SIGKILL): Y takes the call over and publishes what
// is not marked done. Every update must reach the clients once:
// - Issue 15 item 10: a mark that survives its broadcast (the broadcast still in X's write buffer on a busy node, the
//   small mark through on another connection) makes Y skip an update nobody received.
// - A broadcast that survives its mark (X killed after the XADD was written, before the mark was) makes Y publish the
//   update again, with a new seq: a duplicate for every client (the 1-in-20 failure of cluster.test.ts).
import http from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallUpdate } from '../../src/calls/types.js';
import { type Cluster, createCluster } from '../../src/cluster/cluster.js';
import { updateId } from '../../src/cluster/gate.js';
import { createJwtVerifier } from '../../src/fanout/jwt.js';
import { CallPublisher } from '../../src/fanout/publisher.js';
import { createFanout } from '../../src/fanout/server.js';
import { callUpdate } from '../helpers/fanout-node.js';
import { captureLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/wait.js';
import { startRedis, type TestRedis, untilRedisIdle } from './helpers.js';

const ORG = 'org-done';
const t = suite('cluster: a done mark and its broadcast reach Redis together');

interface TwoHolders {
  x: Cluster;
  y: Cluster;
  /** X's adapter connection (the one its broadcasts and marks go on). */
  adapterStream: () => NetSocket;
  /** Called in X's onEmit, after the emit and before X marks the update done. */
  afterEmit: { hook?: () => void };
  /** Resolves with the id of the next update X publishes. */
  nextPublished: () => Promise<string>;
  /** The update ids Y forwarded (published) after taking the call over. */
  forwardedByY: string[];
  /** X dies: its adapter connection goes (unsent writes lost), its lease and heartbeat are given back at once (to
   *  keep the test short). */
  kill: () => Promise<void>;
  /** Copies of the call's views in the Socket.IO stream. */
  inStream: (callId: string) => Promise<number>;
  close: () => Promise<void>;
}

async function twoHolders(redis: TestRedis): Promise<TwoHolders> {
  const logger = captureLogger('silent').logger;
  const node = (nodeId: string) =>
    createCluster({ url: redis.url, org: ORG, dialRatePerMinute: 10, logger, nodeId, settings: { upstreamNodes: 2 } });
  const x = node('x');
  const y = node('y');
  const sockets = (c: Cluster) =>
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
  const afterEmit: TwoHolders['afterEmit'] = {};
  let emitted: ((id: string) => void) | undefined;
  const publisher = new CallPublisher({
    emitter: fanout.emitter,
    seq: x.seq,
    live: x.live,
    org: ORG,
    logger,
    onEmit: (_view, u) => {
      afterEmit.hook?.();
      x.published(u); // as the composition root does, in the tick of the emit
      emitted?.(u.clusterUpdateId ?? '');
    },
  });
  const forwardedByY: string[] = [];
  const hooks = { acquire: () => undefined, release: () => undefined };
  const adapterStream = () => (x.adapterRedis as unknown as { stream: NetSocket }).stream;
  x.start(hooks, (u) => void publisher.publish({ ...u, contact: null, contactStatus: 'not_found' }));
  y.start(hooks, (u) => forwardedByY.push(u.clusterUpdateId ?? ''));
  await waitFor(() => x.holdsUpstream() && y.holdsUpstream() && x.notReadyReasons().length === 0, {
    what: 'both nodes holding the upstream, Redis ready',
  });
  return {
    x,
    y,
    adapterStream,
    afterEmit,
    nextPublished: () =>
      new Promise<string>((r) => {
        emitted = r;
      }),
    forwardedByY,
    async kill() {
      adapterStream().destroy();
      x.adapterRedis.disconnect();
      await x.leave();
    },
    inStream: async (callId) =>
      (await y.redis.xrange(x.keys.sioStream(), '-', '+')).filter(([, f]) => f.join().includes(callId)).length,
    async close() {
      const s = adapterStream();
      if (!s.destroyed) s.uncork(); // a failed assertion: let X close
      await Promise.all([fanout.close(), fanoutY.close()]);
      await Promise.all([x.close(), y.close()]);
      await untilRedisIdle(redis.url);
      await redis.stop();
    },
  };
}

/** X claims a new call and publishes its first update; Y, the standby, keeps it pending. */
async function publishOne(h: TwoHolders, callId: string): Promise<string> {
  const update: CallUpdate = callUpdate(ORG, callId, 'ringing', { kind: 'call', queueId: 'q1' });
  const event = { msgId: `m-${callId}`, name: 'CHANNEL_CREATE', legId: callId };
  const published = h.nextPublished();
  h.x.onUpdates(event, [update]);
  const id = updateId(event, callId, 0)!;
  assert.is(await published, id);
  h.y.onUpdates(event, [update]);
  return id;
}

/** Y's tick (500 ms) finds X's heartbeat gone and takes the call over, forwarding (in that step) what is not marked
 *  done. */
async function untilTakenOver(h: TwoHolders): Promise<void> {
  const gate = () => h.y.stats().gate as { takeovers: number };
  await waitFor(() => gate().takeovers > 0, { what: 'the standby to take the call over' }).catch((err: unknown) => {
    throw new Error(`${String(err)}; standby gate: ${JSON.stringify(gate())}`);
  });
}

t('the owner dies with its broadcast still buffered: the standby takes over and publishes the update', async () => {
  const redis = await startRedis();
  if (!redis) return;
  const h = await twoHolders(redis);
  try {
    // Node X is busy: what it writes on the adapter's connection waits in the buffer.
    h.adapterStream().cork();
    const id = await publishOne(h, 'call-1');
    // Whatever X sent on its main connection before this round trip has been processed.
    await h.x.redis.ping();
    assert.is(await h.inStream('call-1'), 0, 'the broadcast is still in X’s buffer');
    assert.is(await h.y.redis.exists(h.x.keys.done(id)), 0, 'no done mark while its broadcast is not in Redis');
    await h.kill();
    await untilTakenOver(h);
    assert.equal(h.forwardedByY, [id], 'the standby publishes the update nobody received');
  } finally {
    await h.close();
  }
});

t(
  'the owner dies after its broadcast was written, before the done mark: the standby does not publish it again',
  async () => {
    const redis = await startRedis();
    if (!redis) return;
    const h = await twoHolders(redis);
    try {
      // SIGKILL between the emit (the adapter's XADD) and the done mark that follows it in the same tick.
      h.afterEmit.hook = () => {
        h.afterEmit.hook = undefined;
        h.adapterStream().destroy();
        h.x.adapterRedis.disconnect();
      };
      const id = await publishOne(h, 'call-2');
      await h.kill();
      await untilTakenOver(h);
      const copies = (await h.inStream('call-2')) + h.forwardedByY.filter((f) => f === id).length;
      assert.is(copies, 1, `the update reaches the clients once (in the stream: ${await h.inStream('call-2')})`);
    } finally {
      await h.close();
    }
  },
);

t.run();
