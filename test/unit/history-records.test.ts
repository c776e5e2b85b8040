// AntRing history records → normalised items, and who may see which (role scoping), on records shaped like the
// seed document's (caller/callee with type/username, queue_stat with queue_id/username/misses).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Claims } from '../../src/contract.js';
import { historyScope, mediaName, type ParsedRecord, parseHistoryRecord } from '../../src/http/routes-history.js';

const ORG = 'org1';
const claims = (c: Partial<Claims>): Claims => ({ sub: 's', org: ORG, role: 'agent', queues: [], exp: 2e9, ...c });

const inboundQueue = {
  call_id: 'c-1',
  caller: { number: '01693608879', type: 'realnumber' },
  callee: { number: 'thutranhtkbee', type: 'user', username: 'thutran' },
  class: 'trunking',
  did_number: '02873019555',
  direction: 'to_ab',
  status_detail: 'SUCCESS',
  duration_seconds: 50,
  unix_timestamp: 1519639917,
  billing_seconds: 43,
  recording: 'call_recording_dl5m5j5hfh4n8njj1oor.mp3',
  queue_stat: [{ queue_id: 'queue_support_01', username: 'thutran', misses: [{ username: 'minh', agent_id: 'x' }] }],
};
const outbound = {
  caller: { number: 'landev', type: 'user', username: 'lan' },
  callee: { number: '0934890883', type: 'realnumber' },
  class: 'trunking',
  did_number: null,
  direction: 'from_ab',
  status_detail: 'BUSY',
  duration_seconds: '8',
  unix_timestamp: '1519640000',
  billing_seconds: 0,
  recording: '',
  queue_stat: [],
};
const internal = {
  caller: { number: 'landev', type: 'user', username: 'lan' },
  callee: { number: 'bobdev', type: 'user', username: 'bob' },
  class: 'one_one',
  direction: 'from_ab',
  status_detail: 'weird',
  duration_seconds: 4,
  unix_timestamp: 1519640100,
  billing_seconds: 3,
  queue_stat: [],
};
const abandoned = {
  caller: { number: '0987654321', type: 'realnumber' },
  callee: { number: '02873019555', type: 'realnumber' },
  class: 'trunking',
  did_number: '02873019555',
  direction: 'to_ab',
  status_detail: 'IVR',
  duration_seconds: 12,
  unix_timestamp: 1519640200,
  billing_seconds: 0,
  recording: '',
  queue_stat: [{ queue_id: 'queue_sales', misses: [] }],
};
const parse = (r: unknown) => {
  const p = parseHistoryRecord(r);
  assert.ok(p, 'parsed');
  return p!;
};

test('an inbound queue call: normalised fields', () => {
  const { item, usernames, queueIds } = parse(inboundQueue);
  assert.equal(item, {
    callId: 'c-1',
    direction: 'inbound',
    from: { number: '01693608879' },
    to: { number: 'thutranhtkbee', username: 'thutran' },
    did: '02873019555',
    status: 'success',
    durationSec: 50,
    billingSec: 43,
    startedAt: '2018-02-26T10:11:57.000Z',
    recording: 'call_recording_dl5m5j5hfh4n8njj1oor.mp3',
    queues: ['queue_support_01'],
    agent: 'thutran',
  });
  assert.equal([...usernames].sort(), ['minh', 'thutran']);
  assert.equal(queueIds, ['queue_support_01']);
});

test('outbound, internal, abandoned; numeric strings; unknown status', () => {
  const o = parse(outbound).item;
  assert.is(o.direction, 'outbound');
  assert.is(o.status, 'busy');
  assert.is(o.durationSec, 8);
  assert.is(o.agent, 'lan');
  assert.is(o.did, undefined);
  assert.is(o.recording, undefined, 'an empty recording is no recording');
  assert.is(o.startedAt, new Date(1519640000 * 1000).toISOString());
  const i = parse(internal).item;
  assert.is(i.direction, 'internal');
  assert.is(i.status, 'unknown');
  const a = parse(abandoned);
  assert.is(a.item.direction, 'inbound');
  assert.is(a.item.status, 'ivr');
  assert.is(a.item.agent, undefined);
  assert.equal(a.queueIds, ['queue_sales']);
  assert.is(a.usernames.size, 0);
});

test('unusable records are refused, odd fields tolerated', () => {
  for (const r of [null, 'x', [], {}, { unix_timestamp: 'soon' }, { unix_timestamp: -5 }])
    assert.is(parseHistoryRecord(r), undefined);
  const p = parse({ unix_timestamp: 1519640000, caller: 'x', callee: null, queue_stat: 'none', recording: 42 });
  assert.equal(p.item.from, { number: '' });
  assert.equal(p.item.queues, []);
  assert.is(p.item.recording, '42', 'a number is a name');
  assert.is(parse({ unix_timestamp: 1519640000123 }).item.startedAt, '2018-02-26T10:13:20.123Z', 'unix ms');
});

test('media names: safe file names only; a path keeps its last segment', () => {
  assert.is(
    mediaName('call_recording_F5879958-1A1211E8%40172.16.0.204.mp3'),
    'call_recording_F5879958-1A1211E8%40172.16.0.204.mp3',
  );
  assert.is(mediaName('nkrecord/call_recording_x.mp3'), 'call_recording_x.mp3');
  for (const bad of ['', '..', 'a b.mp3', 'x?.mp3', 'x'.repeat(201), undefined, {}])
    assert.is(mediaName(bad), undefined);
});

test('scoping: agents their own (party, queue handler, missed), supervisors their queues, admins all, wallboards none', () => {
  const all: ParsedRecord[] = [inboundQueue, outbound, internal, abandoned].map(parse);
  const visible = (c: Claims) => {
    const scope = historyScope(c);
    return scope ? all.filter(scope).map((r) => r.item.startedAt) : null;
  };
  const at = (...rs: unknown[]) => rs.map((r) => parse(r).item.startedAt);
  assert.equal(visible(claims({ role: 'admin' })), at(inboundQueue, outbound, internal, abandoned));
  assert.equal(visible(claims({ agent: 'thutran' })), at(inboundQueue));
  assert.equal(visible(claims({ agent: 'minh' })), at(inboundQueue), "a missed queue call is the agent's too");
  assert.equal(visible(claims({ agent: 'lan' })), at(outbound, internal));
  assert.equal(visible(claims({ agent: 'bob' })), at(internal));
  assert.equal(visible(claims({ agent: 'nobody' })), []);
  assert.is(visible(claims({ role: 'agent' })), null, 'an agent token without a username');
  assert.equal(visible(claims({ role: 'supervisor', queues: ['queue_sales'] })), at(abandoned));
  assert.equal(
    visible(claims({ role: 'supervisor', queues: ['*'] })),
    at(inboundQueue, abandoned),
    '* = every call with a queue',
  );
  assert.equal(visible(claims({ role: 'supervisor', queues: [] })), []);
  assert.is(visible(claims({ role: 'wallboard', queues: ['*'] })), null);
});

test.run();
