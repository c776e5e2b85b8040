// A holder whose engine started mid-stream (the node that took the free upstream lease after a holder died) next to a
// holder whose engine saw everything. The fresh engine never saw the customer's leg: an agent leg the switch rang,
// created without its link (Kazoo, 30 % of the simulator's answered queue legs), is the root of a call of its own
// there, while the complete engine joined it to the customer's call. The fresh holder must not publish that call (a
// phantom for every client), nor may its done marks cover the real call's updates (its first `ringing` was lost).
import type { Redis } from 'ioredis';
import * as assert from 'uvu/assert';
import { CallEngine } from '../../src/calls/engine.js';
import type { CallUpdate } from '../../src/calls/types.js';
import { CallGate, type TaggedUpdate } from '../../src/cluster/gate.js';
import { clusterKeys } from '../../src/cluster/keys.js';
import { createLogger } from '../../src/log.js';
import type { LegEvent } from '../../src/signals/types.js';
import { fakeDirectory, Legs, ORG, QUEUE } from '../helpers/legs.js';
import { redisSuite } from '../helpers/redis-suite.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const t = redisSuite('cluster gate: a holder whose engine started mid-stream');

/** An answered queue call: customer C, Alice's leg LA linked late (none or its own id at CREATE), Bob's leg LB. */
function queueCall(link: 'late' | 'self'): LegEvent[] {
  const l = new Legs();
  return [
    l.customer('C'),
    l.answer('C', { direction: 'inbound' }),
    l.tick(1).agentLeg('LA', 'alice', 'C', QUEUE.id, { otherLegId: link === 'self' ? 'LA' : undefined }),
    l.agentLeg('LB', 'bob', 'C', QUEUE.id),
    l.tick(2).answer('LA', { otherLegId: 'C' }),
    l.bridge('LA', 'C', 'C', { bridgeBLegId: 'C' }),
    l.bridge('C', 'LA', 'C', { direction: 'inbound' }),
    l.destroy('LB', 'LOSE_RACE', { otherLegId: 'C' }),
    l.tick(5).destroy('C', 'NORMAL_CLEARING', { direction: 'inbound', otherLegId: 'LA', billingSec: 5 }),
    l.destroy('LA', 'NORMAL_CLEARING', { otherLegId: 'C', billingSec: 5 }),
  ];
}

const seen = (u: CallUpdate) =>
  `${u.callId} ${u.audience.kind === 'agent' ? u.audience.username : 'call'} ${u.state}${u.outcome ? `/${u.outcome}` : ''}`;

function holder(c: Redis, org: string, nodeId: string) {
  const keys = clusterKeys(org);
  const out: TaggedUpdate[] = [];
  const gate: CallGate = new CallGate({
    redis: c,
    keys,
    nodeId,
    logger,
    heartbeatTtlMs: 60_000,
    tickMs: 50,
    // The publisher emits, then marks the update done (in the same tick).
    forward: (u) => {
      out.push(u);
      gate.published(u);
    },
  });
  const engine = new CallEngine({ org: ORG, directory: fakeDirectory() });
  return { nodeId, keys, gate, engine, out };
}

for (const link of ['late', 'self'] as const) {
  t(
    `link ${link}: the fresh holder publishes no phantom; every update of the real call is published once`,
    async ({ c }) => {
      if (!c) return;
      const org = `fresh-${link}`;
      const events = queueCall(link);
      const full = holder(c, org, 'A');
      const fresh = holder(c, org, 'B');
      // Both hold a lease (membership's heartbeats); A's engine started first.
      for (const h of [full, fresh]) await c.set(h.keys.node(h.nodeId), '1', 'PX', 60_000);
      full.gate.setActive(true);
      full.gate.start();
      const expected: string[] = [];
      try {
        for (const [k, ev] of events.entries()) {
          // B's engine starts after the customer's leg was created and answered (before the agents are rung).
          if (k === 2) {
            await waitFor(() => full.gate.stats().pending === 0 || undefined, { what: 'A idle before B starts' });
            fresh.gate.setActive(true);
            fresh.gate.start();
          }
          const a = full.engine.apply(ev);
          expected.push(...a.map(seen));
          full.gate.push(ev, a);
          if (k >= 2) fresh.gate.push(ev, fresh.engine.apply(ev));
        }
        const published = () => [...full.out, ...fresh.out].map(seen);
        await waitFor(() => published().length >= expected.length || undefined, {
          what: 'every update of the real call published',
        }).catch(() => undefined);
        await waitFor(() => fresh.out.length > 0 || fresh.gate.stats().deferred > 0 || undefined, {
          what: 'the fresh holder decided about the call it has under the agent leg',
        }).catch(() => undefined);
        assert.equal(
          published().filter((s) => !s.startsWith('C ')),
          [],
          'no call the complete engine does not have',
        );
        assert.equal(published().sort(), [...expected].sort(), 'the real call: every update once');
      } finally {
        full.gate.stop();
        fresh.gate.stop();
      }
    },
  );
}

/** A call rooted at an agent's leg the switch rang without a link (a click-to-call's first leg): both engines have it. */
const ring = (l: Legs) => l.agentLeg('LX', 'alice', 'none', undefined, { otherLegId: undefined });

t(
  'a call both engines root at such a leg: the older holder publishes it, the younger one takes it over',
  async ({ c }) => {
    if (!c) return;
    const org = 'fresh-both';
    const l = new Legs();
    const events = [ring(l), l.tick(3).answer('LX'), l.tick(9).destroy('LX', 'NORMAL_CLEARING', { billingSec: 9 })];
    const [older, younger] = [holder(c, org, 'B'), holder(c, org, 'A')];
    for (const h of [older, younger]) await c.set(h.keys.node(h.nodeId), '1', 'PX', 60_000);
    older.gate.setActive(true);
    older.gate.start();
    const since = await waitFor(async () => (await c.hget(older.keys.terms(), 'B')) ?? undefined, { what: "B's term" });
    // Terms are milliseconds: the younger one must start in a later one (a tie goes to the smaller node id, A).
    await waitFor(() => Date.now() > Number(since) || undefined, { what: 'a later millisecond' });
    younger.gate.setActive(true);
    younger.gate.start();
    try {
      const feed = (k: number) => {
        const ev = events[k]!;
        for (const h of [younger, older]) h.gate.push(ev, h.engine.apply(ev));
      };
      feed(0);
      await waitFor(() => older.out.length === 2 || undefined, { what: 'the older holder publishes the ringing' });
      await waitFor(() => younger.gate.stats().deferred > 0 || undefined, { what: 'the younger one deferred' });
      feed(1);
      await waitFor(() => older.out.length === 4 || undefined, { what: 'the answer' });
      assert.is(younger.out.length, 0, 'the younger holder stays standby');
      older.gate.stop();
      await c.del(older.keys.node('B')); // its heartbeat lapses
      feed(2);
      await waitFor(() => younger.out.length === 2 || undefined, { what: 'the younger holder takes the call over' });
      assert.equal([...older.out, ...younger.out].map(seen), [
        'LX call ringing',
        'LX alice ringing',
        'LX call answered',
        'LX alice answered',
        'LX call ended/answered',
        'LX alice ended/answered',
      ]);
    } finally {
      older.gate.stop();
      younger.gate.stop();
    }
  },
);

t("alone (the older holder's heartbeat lapsed): such a call is claimed at once", async ({ c }) => {
  if (!c) return;
  const org = 'fresh-alone';
  const keys = clusterKeys(org);
  await c.hset(keys.terms(), 'gone', '1'); // a holder that died without dropping its term
  const h = holder(c, org, 'A');
  await c.set(keys.node('A'), '1', 'PX', 60_000);
  h.gate.setActive(true);
  h.gate.start();
  try {
    const ev = ring(new Legs());
    h.gate.push(ev, h.engine.apply(ev));
    await waitFor(() => h.out.length === 2 || undefined, { what: 'published' });
    assert.is(h.gate.stats().deferred, 0);
    assert.is(await c.hget(keys.terms(), 'gone'), null, "the dead holder's term is dropped");
  } finally {
    h.gate.stop();
  }
});

t.run();
