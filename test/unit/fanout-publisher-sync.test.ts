// The publisher's synchronous path (memory stores): emitted before publish() returns, in seq order, never
// re-entrant; an async store still goes through the per-call chain.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallView } from '../../src/contract.js';
import { type LiveCallStore, MemoryLiveCallStore } from '../../src/fanout/live-calls.js';
import { CallPublisher } from '../../src/fanout/publisher.js';
import { MemorySeqSource, type SeqSource } from '../../src/fanout/seq.js';
import type { EnrichedUpdate } from '../../src/fanout/types.js';
import { waitFor } from '../helpers/wait.js';

const ORG = 'org-a';

function update(over: Partial<EnrichedUpdate> = {}): EnrichedUpdate {
  return {
    audience: { kind: 'call' },
    callId: 'call-1',
    org: ORG,
    state: 'ringing',
    direction: 'inbound',
    from: { number: '0934890883' },
    to: { number: '02873019555' },
    startedAt: '2024-05-01T10:00:00.000Z',
    receivedAt: 1,
    contact: null,
    contactStatus: 'not_found',
    ...over,
  };
}

function setup(o: { seq?: SeqSource; live?: LiveCallStore } = {}) {
  const sent: CallView[] = [];
  const pub = new CallPublisher({
    emitter: { emitCall: (_rooms, view) => sent.push(view) },
    seq: o.seq ?? new MemorySeqSource(),
    live: o.live ?? new MemoryLiveCallStore(),
    org: ORG,
  });
  return { sent, pub };
}

const t = suite('fanout publisher: synchronous path');

t('memory stores: the view is emitted before publish() returns, and no chain is left', async () => {
  const { sent, pub } = setup();
  const p = pub.publish(update());
  assert.is(sent.length, 1);
  assert.is(sent[0].seq, 1);
  assert.is(pub.pendingCalls, 0);
  assert.is((await p)?.id, 'call-1:1');
  pub.publish(update({ state: 'answered' }));
  assert.equal(
    sent.map((v) => [v.seq, v.state]),
    [
      [1, 'ringing'],
      [2, 'answered'],
    ],
  );
});

t('a publish from inside a view listener goes after the publish that called it', async () => {
  const { sent, pub } = setup();
  const seen: string[] = [];
  let once = true;
  pub.onView((v) => {
    seen.push(`${v.seq}:${v.state}`);
    if (once) {
      once = false;
      void pub.publish(update({ state: 'answered' }));
      seen.push('after nested publish');
    }
  });
  pub.onView((v) => seen.push(`second listener ${v.seq}`));
  await pub.publish(update());
  await waitFor(() => sent.length === 2, { what: 'the nested publish', timeoutMs: 2000, intervalMs: 1 });
  assert.equal(seen, ['1:ringing', 'after nested publish', 'second listener 1', '2:answered', 'second listener 2']);
});

t('an async seq source: chained per call, emitted in seq order', async () => {
  let n = 0;
  const seq: SeqSource = { next: () => new Promise<number>((r) => setTimeout(() => r(++n), 5 - n)) };
  const { sent, pub } = setup({ seq });
  const a = pub.publish(update());
  const b = pub.publish(update({ state: 'answered' }));
  assert.is(sent.length, 0);
  assert.is(pub.pendingCalls, 1);
  await Promise.all([a, b]);
  assert.equal(
    sent.map((v) => [v.seq, v.state]),
    [
      [1, 'ringing'],
      [2, 'answered'],
    ],
  );
  await waitFor(() => pub.pendingCalls === 0, { what: 'the chain to be released', timeoutMs: 2000, intervalMs: 1 });
});

t('a sync seq with an async live store: stored before emitted, later updates wait for it', async () => {
  const order: string[] = [];
  const mem = new MemoryLiveCallStore();
  const live: LiveCallStore = {
    set: (k, v, a) =>
      new Promise<void>((r) =>
        setTimeout(() => {
          order.push(`stored ${v.seq}`);
          mem.set(k, v, a);
          r();
        }, 3),
      ),
    delete: (k) => mem.delete(k),
    list: () => mem.list(),
    entries: () => mem.entries(),
    size: () => mem.size(),
  };
  const { sent, pub } = setup({ live });
  const a = pub.publish(update());
  const b = pub.publish(update({ state: 'answered' }));
  assert.is(sent.length, 0);
  await Promise.all([a, b]);
  assert.equal(order, ['stored 1', 'stored 2']);
  assert.equal(
    sent.map((v) => v.seq),
    [1, 2],
  );
});

t('a throwing seq source drops the update (counted), never throws out of publish()', async () => {
  const rejects: string[] = [];
  const pub = new CallPublisher({
    emitter: { emitCall: () => undefined },
    seq: {
      next: () => {
        throw new Error('boom');
      },
    },
    live: new MemoryLiveCallStore(),
    org: ORG,
    onReject: (r) => rejects.push(r),
  });
  assert.is(await pub.publish(update()), undefined);
  assert.equal(rejects, ['error']);
});

t.run();
