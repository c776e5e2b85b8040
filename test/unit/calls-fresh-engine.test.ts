// Two engines fed the same frames, one of them started mid-stream (a hot standby that took an upstream lease while
// calls were under way). Where they disagree on a call's id for a leg whose CREATE the fresh engine saw (the call is
// "complete" for the cluster gate, which would publish it), that CREATE must be one mayJoinEarlierCall names: the
// gate then leaves the claim to the holder whose engine started first (cluster/gate-claim.ts). Else: a phantom call.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallEngine } from '../../src/calls/engine.js';
import { mayJoinEarlierCall } from '../../src/calls/provisional.js';
import type { LegEvent } from '../../src/signals/types.js';
import { fakeDirectory, Legs, ORG, QUEUE } from '../helpers/legs.js';

type Link = 'create' | 'late' | 'self';

/** An answered queue call as the simulator plays it: Alice's leg linked per `link`, Bob's on CREATE; the last two
 *  DESTROYs on one Msg-ID when `sharedMsgId`. */
function queueCall(link: Link, sharedMsgId: boolean): LegEvent[] {
  const l = new Legs();
  const la = link === 'create' ? {} : { otherLegId: link === 'self' ? 'LA' : undefined };
  const f = [
    l.customer('C'),
    l.answer('C', { direction: 'inbound' }),
    l.tick(1).agentLeg('LA', 'alice', 'C', QUEUE.id, la),
    l.agentLeg('LB', 'bob', 'C', QUEUE.id),
    l.tick(2).answer('LA', { otherLegId: 'C' }),
    l.bridge('LA', 'C', 'C', { bridgeBLegId: 'C' }),
    l.bridge('C', 'LA', 'C', { direction: 'inbound' }),
    l.destroy('LB', 'LOSE_RACE', { otherLegId: 'C' }),
  ];
  const d1 = l.tick(5).destroy('C', 'NORMAL_CLEARING', { direction: 'inbound', otherLegId: 'LA', billingSec: 5 });
  const d2 = l.destroy('LA', 'NORMAL_CLEARING', { otherLegId: 'C', billingSec: 5 });
  if (sharedMsgId) d2.msgId = d1.msgId;
  return [...f, d1, d2];
}

const engine = () => new CallEngine({ org: ORG, directory: fakeDirectory() });

/** The calls a fresh engine started at frame `cut` would have the gate publish that the complete engine does not
 *  have, with the CREATE that made each one complete. */
function unsharedCalls(frames: LegEvent[], cut: number): { callId: string; create: LegEvent }[] {
  const full = engine();
  const fullIds = new Set(frames.flatMap((ev) => full.apply(ev).map((u) => u.callId)));
  const fresh = engine();
  const created = new Map<string, LegEvent>();
  const found = new Map<string, LegEvent>();
  const firstSeen = new Set<string>();
  for (const ev of frames.slice(cut)) {
    if (ev.name === 'CHANNEL_CREATE') created.set(ev.legId, ev);
    for (const u of fresh.apply(ev)) {
      if (firstSeen.has(u.callId)) continue;
      firstSeen.add(u.callId);
      const create = created.get(u.callId);
      if (create && !fullIds.has(u.callId)) found.set(u.callId, create);
    }
  }
  return [...found].map(([callId, create]) => ({ callId, create }));
}

const t = suite('calls: an engine started mid-stream next to a complete one');

t('a late-linked agent leg is a call of its own in the fresh engine (what the gate must not publish)', () => {
  const got = unsharedCalls(queueCall('late', false), 2);
  assert.equal(
    got.map((x) => x.callId),
    ['LA'],
  );
});

t('every call only the fresh engine has, with its CREATE seen, is rooted at a CREATE mayJoinEarlierCall names', () => {
  let cases = 0;
  for (const link of ['create', 'late', 'self'] as const) {
    for (const shared of [false, true]) {
      const frames = queueCall(link, shared);
      for (let cut = 1; cut < frames.length; cut++) {
        for (const { callId, create } of unsharedCalls(frames, cut)) {
          cases++;
          assert.ok(mayJoinEarlierCall(create), `link ${link}, cut ${cut}: call ${callId} from ${create.legId}`);
        }
      }
    }
  }
  assert.ok(cases >= 4, `the scenarios produce such calls (${cases})`);
});

t('a customer calling in, an agent dialling out: their CREATEs start calls on every engine (claimed at once)', () => {
  const l = new Legs();
  assert.is(mayJoinEarlierCall(l.customer('C')), false);
  assert.is(mayJoinEarlierCall(l.ev('CHANNEL_CREATE', 'D', { direction: 'inbound', ownerId: 'a1' })), false);
  assert.is(mayJoinEarlierCall(l.answer('LA', { otherLegId: 'C' })), false, 'only a CREATE roots a call');
  assert.is(mayJoinEarlierCall(l.agentLeg('LA', 'alice', 'C')), true, 'linked on CREATE');
  assert.is(mayJoinEarlierCall(l.agentLeg('LA', 'alice', 'C', undefined, { otherLegId: 'LA' })), true, 'self link');
  assert.is(mayJoinEarlierCall(l.ev('CHANNEL_CREATE', 'X', { direction: 'inbound', bridgeId: 'C' })), true);
});

t.run();
