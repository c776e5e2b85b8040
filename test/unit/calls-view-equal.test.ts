// The engine's field-by-field view equality (src/calls/view-equal.ts) gives the answer of the generic sameView for
// every pair of views: one key changed at a time (every key it must compare), and every pair of views the Kazoo
// corpus produces for one call.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { View } from '../../src/calls/call.js';
import { CallEngine } from '../../src/calls/engine.js';
import { COMPARED_KEYS, sameShownView } from '../../src/calls/view-equal.js';
import { sameView } from '../../src/calls/views.js';
import { parseKazooEvent } from '../../src/signals/kazoo-event.js';
import { corpus, corpusDirectory, ORG } from '../fixtures/kazoo/index.js';

const t = suite('calls: view equality (fast form)');

const base: View = {
  audience: { kind: 'agent', username: 'lan' },
  callId: 'c1',
  org: 'o',
  state: 'answered',
  direction: 'inbound',
  from: { number: '0934890883', name: 'Khách' },
  to: { number: '101', name: 'Lan' },
  did: '02873019555',
  agent: { username: 'lan', id: 'u1', name: 'Lan', ext: ['101', '102'] },
  queue: { id: 'q1', name: 'CSKH' },
  customerNumber: '0934890883',
  startedAt: '2024-05-01T10:00:00.000Z',
  answeredAt: '2024-05-01T10:00:05.000Z',
  endedAt: '2024-05-01T10:01:00.000Z',
  outcome: 'answered',
  hangupCause: 'NORMAL_CLEARING',
  mergedInto: 'c0',
  durationSec: 60,
  billingSec: 55,
  clusterUpdateId: 'm:0',
};

/** Views that differ from `base` in one place (a top-level key, or one key of a nested object). */
function variants(): View[] {
  const out: View[] = [];
  const other: Record<string, unknown> = {
    audience: { kind: 'call', queueId: 'q1' },
    state: 'ended',
    direction: 'outbound',
    durationSec: 61,
    billingSec: 0,
    outcome: 'missed',
  };
  for (const key of Object.keys(COMPARED_KEYS.view) as (keyof View)[]) {
    out.push({ ...base, [key]: undefined } as View);
    const { [key]: _gone, ...without } = base;
    out.push(without as View);
    out.push({ ...base, [key]: other[key] ?? `${String(base[key])}x` } as View);
  }
  for (const k of Object.keys(COMPARED_KEYS.party)) {
    out.push({ ...base, from: { ...base.from, [k]: 'other' } });
    out.push({ ...base, to: { ...base.to, [k]: undefined } as View['to'] });
  }
  for (const k of Object.keys(COMPARED_KEYS.agent)) {
    out.push({ ...base, agent: { ...base.agent!, [k]: k === 'ext' ? ['101'] : 'other' } });
    out.push({ ...base, agent: { ...base.agent!, [k]: undefined } as View['agent'] });
  }
  out.push({ ...base, agent: { ...base.agent!, ext: ['101', '103'] } });
  out.push({ ...base, agent: { ...base.agent!, ext: [] } });
  for (const k of Object.keys(COMPARED_KEYS.queue)) out.push({ ...base, queue: { ...base.queue!, [k]: 'other' } });
  for (const k of Object.keys(COMPARED_KEYS.audience))
    out.push({ ...base, audience: { ...base.audience, [k]: k === 'kind' ? 'call' : 'other' } as View['audience'] });
  // Equal ones: copies, nested copies, receivedAt.
  out.push({ ...base }, { ...base, from: { ...base.from }, agent: { ...base.agent!, ext: [...base.agent!.ext!] } });
  out.push({ ...base, receivedAt: 5 } as View);
  return out;
}

t('one key changed at a time: the same answer as sameView, for every pair', () => {
  const vs = [base, ...variants()];
  let different = 0;
  for (const a of vs)
    for (const b of vs) {
      const expected = sameView(a, b);
      if (!expected) different++;
      assert.is(sameShownView(a, b), expected, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  assert.ok(different > vs.length, 'the variants differ');
});

t('every pair of views the corpus shows for one call: the same answer as sameView', () => {
  let pairs = 0;
  for (const s of corpus) {
    const engine = new CallEngine({ org: ORG, directory: corpusDirectory() });
    const byCall = new Map<string, View[]>();
    s.payloads.forEach((p, i) => {
      const r = parseKazooEvent(p, i, Date.UTC(2025, 2, 3));
      if (!r.ok) return;
      for (const { receivedAt: _r, ...v } of engine.apply(r.event))
        byCall.set(v.callId, [...(byCall.get(v.callId) ?? []), v]);
    });
    for (const views of byCall.values())
      for (const a of views)
        for (const b of views) {
          pairs++;
          assert.is(sameShownView(a, b), sameView(a, b), `${s.name}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        }
  }
  assert.ok(pairs > 500, `enough pairs (${pairs})`);
});

t.run();
