// Golden test: every scenario of the Kazoo corpus (test/fixtures/kazoo/) replayed through parseKazooEvent and the
// CallEngine; the final view of every audience, and the invariants on every scenario: nothing billed between an agent
// and a customer is `missed`, every call view ends once all legs are destroyed, no state goes backwards, seq rises,
// a customer number once shown does not change.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallEngine } from '../../src/calls/engine.js';
import type { CallUpdate } from '../../src/calls/types.js';
import { parseKazooEvent } from '../../src/signals/kazoo-event.js';
import {
  briefOf,
  corpus,
  corpusDirectory,
  type ExpectedView,
  type KazooScenario,
  ORG,
} from '../fixtures/kazoo/index.js';

const RANK = { ringing: 0, answered: 1, ended: 2 } as const;

const audKey = (u: CallUpdate): string => (u.audience.kind === 'call' ? 'call' : `agent:${u.audience.username}`);

type Seen = CallUpdate & { seq: number; after: number };

function replay(s: KazooScenario): { updates: Seen[]; mainCallId: string } {
  const placed = s.placed;
  const engine = new CallEngine({
    org: ORG,
    directory: corpusDirectory(),
    ...(placed
      ? {
          placed: {
            isPlaced: (agent: string, number: string) => placed.some((p) => p.agent === agent && p.number === number),
          },
        }
      : {}),
  });
  const seq = new Map<string, number>();
  const updates: Seen[] = [];
  let first: string | undefined;
  s.payloads.forEach((p, i) => {
    const r = parseKazooEvent(p, i, Date.UTC(2025, 2, 3));
    assert.ok(r.ok, `${s.name}: payload ${i} parses (${r.ok ? '' : r.reason})`);
    if (!r.ok) return;
    first ??= r.event.legId;
    for (const u of engine.apply(r.event)) {
      const n = (seq.get(u.callId) ?? 0) + 1;
      seq.set(u.callId, n);
      updates.push({ ...u, seq: n, after: i });
    }
  });
  assert.is(engine.liveCalls, 0, `${s.name}: no call left open after all legs are destroyed`);
  return { updates, mainCallId: s.callId ?? first! };
}

const golden = suite('kazoo corpus: golden views through the engine');

for (const s of corpus) {
  golden(s.name, () => {
    const { updates, mainCallId } = replay(s);
    const byKey = new Map<string, (CallUpdate & { seq: number })[]>();
    for (const u of updates) {
      const k = `${u.callId} ${audKey(u)}`;
      byKey.set(k, [...(byKey.get(k) ?? []), u]);
    }
    // The final view of every audience of the call.
    const finals: Record<string, ExpectedView> = {};
    for (const [k, list] of byKey) {
      const [callId, aud] = k.split(' ');
      if (callId === mainCallId)
        finals[aud] = briefOf(
          list.at(-1)!,
          Object.values(s.expect).some((e) => e.fromName !== undefined),
        );
    }
    assert.equal(finals, s.expect, `${s.name}: final views`);
    // Live states along the way.
    for (const w of s.live ?? []) {
      const last = updates.filter((u) => u.callId === mainCallId && audKey(u) === w.aud && u.after <= w.after).at(-1);
      assert.is(last?.state, w.state, `${s.name}: ${w.aud} after payload ${w.after}`);
    }
    // Invariants.
    for (const [k, list] of byKey) {
      for (let i = 1; i < list.length; i++) {
        assert.ok(RANK[list[i].state] >= RANK[list[i - 1].state], `${s.name} ${k}: no state backwards`);
        assert.ok(list[i].seq > list[i - 1].seq, `${s.name} ${k}: seq rising`);
      }
      const shown = list.find((u) => u.customerNumber !== undefined)?.customerNumber;
      if (shown !== undefined)
        assert.ok(
          list.every((u) => u.customerNumber === undefined || u.customerNumber === shown),
          `${s.name} ${k}: customer number kept`,
        );
      const last = list.at(-1)!;
      assert.is(last.state, 'ended', `${s.name} ${k}: ends once all legs are destroyed`);
      if (s.talked)
        assert.ok(
          list.every((u) => u.outcome !== 'missed'),
          `${s.name} ${k}: billed talk time is never missed`,
        );
      if (k.split(' ')[0] !== mainCallId)
        assert.ok(
          last.outcome === undefined && last.hangupCause === 'BRIDGE_MERGED' && last.mergedInto === mainCallId,
          `${s.name} ${k}: an absorbed call ends merged into the main call, without an outcome`,
        );
    }
  });
}

golden('a caller name learned later is shown in a later seq; the number stays', () => {
  const s = corpus.find((c) => c.name.startsWith('a SIP-user caller name'))!;
  const { updates } = replay(s);
  const call = updates.filter((u) => u.audience.kind === 'call');
  assert.ok(call.length >= 2);
  assert.ok(call[0].from.name === undefined, 'the SIP user name is not shown as a name');
  assert.ok(
    call.every((u) => u.from.number === call[0].from.number),
    'the number once shown does not change',
  );
});

golden('feature codes get no CRM lookup', () => {
  const s = corpus.find((c) => c.name.includes('*97'))!;
  assert.ok(replay(s).updates.every((u) => u.customerNumber === undefined && u.direction === 'internal'));
});

golden.run();
