// The engine's view helpers: copies without undefined keys, the equality the engine de-duplicates with, ISO times.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { View } from '../../src/calls/call.js';
import { iso } from '../../src/calls/facts.js';
import { copyAgent, lostTrackView, sameView, toUpdate } from '../../src/calls/views.js';

const t = suite('calls views');

const base: View = {
  audience: { kind: 'call' },
  callId: 'c1',
  org: 'o',
  state: 'ringing',
  direction: 'inbound',
  from: { number: '0934890883' },
  to: { number: '101' },
  startedAt: '2024-05-01T10:00:00.000Z',
};

t('copyAgent keeps only defined keys, and copies ext', () => {
  const ext = ['101'];
  const a = copyAgent({ username: 'alice', id: undefined, name: 'Alice', ext });
  assert.equal(Object.keys(a), ['username', 'name', 'ext']);
  assert.equal(a, { username: 'alice', name: 'Alice', ext: ['101'] });
  assert.is.not(a.ext, ext);
  assert.equal(Object.keys(copyAgent({ username: 'bob' })), ['username']);
});

t('sameView: receivedAt and undefined-valued keys do not count; any other difference does', () => {
  assert.ok(sameView(base, { ...base }));
  assert.ok(sameView({ ...base, receivedAt: 1 }, { ...base, receivedAt: 2 }));
  assert.ok(sameView({ ...base, did: undefined }, base));
  assert.ok(sameView(base, { ...base, did: undefined }));
  assert.not.ok(sameView(base, { ...base, did: '028' }));
  assert.not.ok(sameView({ ...base, did: '028' }, base));
  assert.not.ok(sameView(base, { ...base, from: { number: '0934890883', name: 'A' } }));
  assert.not.ok(
    sameView({ ...base, agent: { username: 'a', ext: ['1', '2'] } }, { ...base, agent: { username: 'a', ext: ['1'] } }),
  );
  assert.not.ok(sameView(base, { ...base, state: 'answered' }));
  assert.not.ok(sameView([1], { 0: 1 }));
});

t('toUpdate is a deep copy; lostTrackView has no outcome / duration keys', () => {
  const v: View = {
    ...base,
    agent: { username: 'a', ext: ['1'] },
    queue: { id: 'q' },
    outcome: 'answered',
    durationSec: 3,
  };
  const u = toUpdate(v, 7);
  assert.is(u.receivedAt, 7);
  assert.is.not(u.agent, v.agent);
  assert.is.not(u.from, v.from);
  assert.ok(sameView(u, v));
  const lost = lostTrackView(v, Date.UTC(2024, 4, 1, 10, 1));
  assert.is(lost.state, 'ended');
  assert.ok(!('outcome' in lost) && !('durationSec' in lost));
});

t('iso: the same text as toISOString, remembered or not, for many instants', () => {
  for (let i = 0; i < 5000; i++) {
    const ms = 1_700_000_000_000 + i * 997;
    assert.is(iso(ms), new Date(ms).toISOString());
    assert.is(iso(ms), new Date(ms).toISOString());
  }
  assert.is(iso(0), '1970-01-01T00:00:00.000Z');
});

t.run();
