// The per-frame fast paths of the signal intake keep the exact answers of the slow ones: the JSON depth bound, the
// payload framing without astral characters, the remembered key normalisation (only the read keys, by slot), the
// 0.9 frame header read by hand.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nestsDeeperThan, parseJsonBounded } from '../../src/signals/json-limits.js';
import { parseKazooEvent } from '../../src/signals/kazoo-event.js';
import { frameParts } from '../../src/signals/socketio09-codec.js';
import { decodePayload } from '../../src/signals/socketio09-payload.js';

const M = '\ufffd';
const frame = (p: string, len = [...p].length) => `${M}${len}${M}${p}`;

const depth = suite('json depth bound');

depth('exactly maxDepth openings, all nested: allowed; one more nested: refused', () => {
  assert.is(nestsDeeperThan('['.repeat(32) + ']'.repeat(32), 32), false);
  assert.is(nestsDeeperThan('['.repeat(33) + ']'.repeat(33), 32), true);
  assert.is(nestsDeeperThan(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`, 32), true);
  assert.is(nestsDeeperThan(`[${'{'.repeat(32)}${'}'.repeat(32)}]`, 32), true);
});

depth('many brackets side by side, or inside strings, are not depth', () => {
  const flat = `[${Array.from({ length: 100 }, () => '{"a":[1]}').join(',')}]`;
  assert.is(nestsDeeperThan(flat, 3), false);
  assert.is(nestsDeeperThan(`{"s":"${'['.repeat(100)}"}`, 2), false);
  assert.is(nestsDeeperThan(`{"s":"\\"${'{'.repeat(50)}"}`, 2), false);
  assert.equal(parseJsonBounded('{"a":{"b":[1,2]}}', 3), { ok: true, value: { a: { b: [1, 2] } } });
  assert.equal(parseJsonBounded('[[[[1]]]]', 3), { ok: false, reason: 'too_deep' });
});

const payload = suite('payload framing');

payload('BMP-only packets: cut at their lengths, any number of them', () => {
  const a = '5:::{"name":"CHANNEL_CREATE","args":[{"Caller-ID-Name":"Nguyễn Văn A"}]}';
  const b = '2::';
  assert.equal(decodePayload(frame(a) + frame(b) + frame(a)), [
    { ok: true, packet: a },
    { ok: true, packet: b },
    { ok: true, packet: a },
  ]);
});

payload('a BMP-only length that overruns or misses the boundary loses that packet only', () => {
  const a = '5:::{"name":"x","args":[]}';
  assert.equal(decodePayload(`${M}999${M}${a}${frame('2::')}`), [
    { ok: false, reason: 'bad_payload_framing' },
    { ok: true, packet: '2::' },
  ]);
  assert.equal(decodePayload(`${M}${a.length - 1}${M}${a}${frame('2::')}`), [
    { ok: false, reason: 'bad_payload_framing' },
    { ok: true, packet: '2::' },
  ]);
});

payload('astral characters elsewhere in the message: code points, and UTF-16 units, still read', () => {
  const emoji = '5:::{"name":"x","args":["😀"]}';
  const plain = '5:::{"name":"y","args":[]}';
  assert.equal(decodePayload(frame(plain) + frame(emoji)), [
    { ok: true, packet: plain },
    { ok: true, packet: emoji },
  ]);
  assert.equal(decodePayload(frame(plain) + frame(emoji, emoji.length)), [
    { ok: true, packet: plain },
    { ok: true, packet: emoji },
  ]);
});

const keys = suite('kazoo key normalisation (remembered)');

keys('the same event parses the same, every time, in any key case', () => {
  const body = (k: (s: string) => string) => ({
    [k('Event-Name')]: 'CHANNEL_CREATE',
    [k('Call-ID')]: 'leg-1',
    [k('Call-Direction')]: 'inbound',
    [k('Caller-ID-Number')]: '0934890883',
    [k('Custom-Channel-Vars')]: { [k('Account-ID')]: 'acc' },
  });
  const first = parseKazooEvent(
    body((s) => s),
    0,
    1_700_000_000_000,
  );
  for (const k of [
    (s: string) => s,
    (s: string) => s.toUpperCase(),
    (s: string) => s.toLowerCase().replace(/-/g, '_'),
    (s: string) => s,
  ]) {
    assert.equal(parseKazooEvent(body(k), 0, 1_700_000_000_000), first);
  }
  assert.ok(first.ok && first.event.callerIdNumber === '0934890883' && first.event.accountId === 'acc');
});

keys('first usable value wins across spellings (null / undefined give way)', () => {
  const r = parseKazooEvent(
    {
      'Event-Name': 'CHANNEL_CREATE',
      'Call-Direction': 'inbound',
      'Call-ID': null,
      call_id: 'leg-2',
      CALL_ID: 'leg-3',
    },
    0,
    1_700_000_000_000,
  );
  assert.ok(r.ok);
  if (r.ok) assert.is(r.event.legId, 'leg-2');
});

keys('read keys in any spelling, at the top and in Custom-Channel-Vars; other keys are passed over', () => {
  const long = `X-${'a'.repeat(300)}`;
  const r = parseKazooEvent(
    {
      'EVENT-name': 'channel_destroy',
      CALL_ID: ' leg-1 ',
      'call-DIRECTION': 'Outbound',
      [long]: { 'Owner-ID': 'nobody' },
      'Other-Leg-Caller-ID-Number': 31,
      'HANGUP-cause': 'USER_BUSY',
      'billing-milli_SECONDS': '1500',
      'Custom-Channel-Vars': { 'OWNER-id': 'ABC', queue_ID: 'q1', 'Bridge-Id': 'leg-2', USERNAME: 'user_x' },
      'Owner-ID': 'top-level owner loses to the CCV one',
      'Some-Unread-Key': { deep: [1, 2, 3] },
    },
    0,
    1_700_000_000_000,
  );
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(r.event, {
    name: 'CHANNEL_DESTROY',
    legId: 'leg-1',
    direction: 'outbound',
    at: 1_700_000_000_000,
    receivedAt: 0,
    bridgeId: 'leg-2',
    otherLegCallerIdNumber: '31',
    ownerId: 'abc',
    username: 'user_x',
    queueId: 'q1',
    hangupCause: 'USER_BUSY',
    billingMs: 1500,
  });
  // A Custom-Channel-Vars that is not an object reads as empty; the top level's values stand in.
  const flat = parseKazooEvent(
    {
      'Event-Name': 'CHANNEL_CREATE',
      'Call-ID': 'l',
      'Call-Direction': 'inbound',
      'Custom-Channel-Vars': [1],
      owner_id: 'O',
    },
    0,
    1_700_000_000_000,
  );
  assert.ok(flat.ok && flat.event.ownerId === 'o');
});

const header = suite('socket.io 0.9 frame header');

/** The regex the header used to be read with (dot matching anything). */
const FRAME = /^([0-8]):(\d{0,15})(\+?):([^:]*)(?::([\s\S]*))?$/;
function byRegex(frame: string) {
  const m = FRAME.exec(frame);
  return m ? { type: Number(m[1]), id: m[2], ackData: m[3] === '+', endpoint: m[4], data: m[5] ?? '' } : undefined;
}

header('read by hand: what the regex reads, for every frame of a generated set', () => {
  const parts = [
    '',
    '0',
    '5',
    '8',
    '9',
    'x',
    ':',
    '::',
    '+',
    '+:',
    '12',
    '1'.repeat(15),
    '1'.repeat(16),
    '/ep',
    'a:b',
    '\n',
    '{"a":1}',
  ];
  let n = 0;
  for (const a of parts)
    for (const b of parts)
      for (const c of parts)
        for (const d of ['', ':', '::', ':{"name":"x"}']) {
          const frame = a + b + c + d;
          assert.equal(frameParts(frame), byRegex(frame), JSON.stringify(frame));
          n++;
        }
  for (const f of [
    '5:::{"name":"CHANNEL_CREATE","args":[{}]}',
    '5:12+::{}',
    '6:::3+[]',
    '2::',
    '1::',
    '7:::1+0',
    '0::/x',
  ])
    assert.equal(frameParts(f), byRegex(f), f);
  assert.ok(n > 10_000);
});

depth.run();
payload.run();
keys.run();
header.run();
