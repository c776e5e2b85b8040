// Issue 15 item 10: one agent's `ended` lost after a take-over. Kazoo's Msg-ID is the event's microsecond timestamp:
// two legs hanging up at one instant send their CHANNEL_DESTROYs with one Msg-ID (the simulator does so for 30 % of
// talks). The gate's update ids must still tell the two events apart: else the owner's done mark for the first one
// also "marks" the second, the standby drops it from its pending updates, and when the owner dies before publishing
// the second one (a busy machine widens that window), nobody publishes it.
import * as assert from 'uvu/assert';
import type { CallUpdate } from '../../src/calls/types.js';
import { CallGate, type GateEvent, type TaggedUpdate, updateId } from '../../src/cluster/gate.js';
import { clusterKeys } from '../../src/cluster/keys.js';
import { createLogger } from '../../src/log.js';
import { gateUpdate } from '../helpers/gate-updates.js';
import { redisSuite } from '../helpers/redis-suite.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const t = redisSuite('cluster gate: events sharing one Msg-ID (real Redis)');

const upd = (state: CallUpdate['state'], audience: CallUpdate['audience']): CallUpdate =>
  gateUpdate('c1', state, audience);

t('ids: one event is its Msg-ID, leg and name; the same on every holder', () => {
  const a: GateEvent = { msgId: 'M', name: 'CHANNEL_DESTROY', legId: 'customer' };
  const b: GateEvent = { msgId: 'M', name: 'CHANNEL_DESTROY', legId: 'agent' };
  assert.is.not(updateId(a, 'c1', 0), updateId(b, 'c1', 0));
  assert.is(updateId(a, 'c1', 0), updateId({ ...a }, 'c1', 0));
  assert.is.not(updateId(a, 'c1', 0), updateId(a, 'c1', 1));
  assert.is.not(updateId(a, 'c1', 0), updateId(a, 'c2', 0), 'one event in two calls (engines that disagree)');
  assert.is(updateId({}, 'c1', 0), undefined, 'no Msg-ID: the gate counts per call instead');
});

t(
  'the owner publishes the first DESTROY of a shared Msg-ID and dies: the standby publishes the second',
  async ({ c }) => {
    if (!c) return;
    const keys = clusterKeys('shared-msgid');
    const [a, b] = ['A', 'B'].map((nodeId) => {
      const out: TaggedUpdate[] = [];
      const gate = new CallGate({
        redis: c,
        keys,
        nodeId,
        logger,
        heartbeatTtlMs: 60_000,
        tickMs: 50,
        forward: (u) => out.push(u),
      });
      gate.setActive(true);
      gate.start();
      return { gate, out };
    }) as [{ gate: CallGate; out: TaggedUpdate[] }, { gate: CallGate; out: TaggedUpdate[] }];
    const created: GateEvent = { msgId: '1000', name: 'CHANNEL_CREATE', legId: 'c1' };
    const customerGone: GateEvent = { msgId: '2000', name: 'CHANNEL_DESTROY', legId: 'c1' };
    const agentGone: GateEvent = { msgId: '2000', name: 'CHANNEL_DESTROY', legId: 'agent-leg' };
    const events: [GateEvent, CallUpdate][] = [
      [created, upd('ringing', { kind: 'call' })],
      [customerGone, upd('ended', { kind: 'call' })],
      [agentGone, upd('ended', { kind: 'agent', username: 'ann' })],
    ];
    try {
      // A owns the call and publishes the first two; the agent's `ended` is forwarded, never emitted (A dies).
      for (const [e, u] of events) a.gate.push(e, [u]);
      await waitFor(() => a.out.length === 3, { what: 'A forwards all three' });
      a.gate.published(a.out[0]!);
      a.gate.published(a.out[1]!);
      for (const [e, u] of events) b.gate.push(e, [u]);
      await waitFor(async () => (await c.exists(keys.done(a.out[1]!.clusterUpdateId!))) === 1, { what: 'marks' });
      // The standby prunes what is done, and only that.
      await waitFor(() => b.gate.stats().pending <= 1, { what: 'the standby to prune the done updates' });
      a.gate.stop();
      await c.del(keys.node('A')); // A's heartbeat lapses
      await waitFor(() => b.out.length >= 1, { what: 'the standby to publish the agent’s end', timeoutMs: 3000 }).catch(
        (err: unknown) => {
          throw new Error(`${String(err)}; standby: ${JSON.stringify(b.gate.stats())}`);
        },
      );
      assert.equal(
        b.out.map((u) => [u.audience.kind, u.state]),
        [['agent', 'ended']],
      );
    } finally {
      a.gate.stop();
      b.gate.stop();
    }
  },
);

t.run();
