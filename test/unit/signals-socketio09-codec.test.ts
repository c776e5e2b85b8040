import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decode,
  decodePayload,
  encode,
  encodeAck,
  encodeEvent,
  encodePayload,
  HEARTBEAT,
  parseHandshake,
  type SioFrame,
} from '../../src/signals/socketio09-codec.js';

test('HEARTBEAT constant', () => {
  assert.is(HEARTBEAT, '2::');
  assert.equal(decode('2::'), { ok: true, frame: { type: 'heartbeat' } });
});

test('decode each frame type', () => {
  assert.equal(decode('0::'), { ok: true, frame: { type: 'disconnect', endpoint: '' } });
  assert.equal(decode('0::/chat'), { ok: true, frame: { type: 'disconnect', endpoint: '/chat' } });
  assert.equal(decode('1::'), { ok: true, frame: { type: 'connect', endpoint: '' } });
  assert.equal(decode('1::/chat:?a=b'), { ok: true, frame: { type: 'connect', endpoint: '/chat', query: '?a=b' } });
  assert.equal(decode('3:1::hello: world'), {
    ok: true,
    frame: { type: 'message', id: 1, ackData: false, endpoint: '', data: 'hello: world' },
  });
  assert.equal(decode('4:::{"a":[1]}'), {
    ok: true,
    frame: { type: 'json', id: undefined, ackData: false, endpoint: '', data: { a: [1] } },
  });
  assert.equal(decode('5:::{"name":"CHANNEL_CREATE","args":[{"Call-ID":"x:y"}]}'), {
    ok: true,
    frame: {
      type: 'event',
      id: undefined,
      ackData: false,
      endpoint: '',
      name: 'CHANNEL_CREATE',
      args: [{ 'Call-ID': 'x:y' }],
    },
  });
  assert.equal(decode('5:7+::{"name":"subscribe"}'), {
    ok: true,
    frame: { type: 'event', id: 7, ackData: true, endpoint: '', name: 'subscribe', args: [] },
  });
  assert.equal(decode('6:::4'), { ok: true, frame: { type: 'ack', ackId: 4, args: [] } });
  assert.equal(decode('6:::4+["A",{"b":1}]'), { ok: true, frame: { type: 'ack', ackId: 4, args: ['A', { b: 1 }] } });
  assert.equal(decode('7:::unauthorized'), {
    ok: true,
    frame: { type: 'error', endpoint: '', reason: 'unauthorized' },
  });
  assert.equal(decode('7:::1+0'), { ok: true, frame: { type: 'error', endpoint: '', reason: '1', advice: '0' } });
  assert.equal(decode('8::'), { ok: true, frame: { type: 'noop' } });
});

test('encodeEvent with and without an ack id', () => {
  const args = [{ account_id: 'a', auth_token: 't', binding: 'call.CHANNEL_CREATE.*' }];
  assert.is(
    encodeEvent('subscribe', args, 3),
    '5:3+::{"name":"subscribe","args":[{"account_id":"a","auth_token":"t","binding":"call.CHANNEL_CREATE.*"}]}',
  );
  assert.is(
    encodeEvent('subscribe', args),
    '5:::{"name":"subscribe","args":[{"account_id":"a","auth_token":"t","binding":"call.CHANNEL_CREATE.*"}]}',
  );
  assert.equal(decode(encodeEvent('subscribe', args, 3)), {
    ok: true,
    frame: { type: 'event', id: 3, ackData: true, endpoint: '', name: 'subscribe', args },
  });
  assert.is(encodeAck(3), '6:::3');
  assert.is(encodeAck(3, ['ok']), '6:::3+["ok"]');
});

test('round trips', () => {
  const frames: SioFrame[] = [
    { type: 'disconnect', endpoint: '' },
    { type: 'connect', endpoint: '' },
    { type: 'heartbeat' },
    { type: 'noop' },
    { type: 'message', id: 2, ackData: false, endpoint: '', data: 'hi' },
    { type: 'json', id: 5, ackData: true, endpoint: '/x', data: { n: 1 } },
    { type: 'event', id: 9, ackData: true, endpoint: '', name: 'CHANNEL_ANSWER', args: [{ a: 'b:c' }] },
    { type: 'ack', ackId: 9, args: [{ status: 'success' }] },
    { type: 'error', endpoint: '', reason: 'boom', advice: 'reconnect' },
  ];
  for (const f of frames) {
    const d = decode(encode(f));
    assert.ok(d.ok, encode(f));
    if (d.ok) assert.equal(d.frame, f);
  }
});

const malformed: Array<[unknown, string]> = [
  [undefined, 'not_text'],
  [42, 'not_text'],
  [Buffer.from('2::'), 'not_text'],
  ['', 'bad_frame'],
  ['2', 'bad_frame'],
  ['2:', 'bad_frame'],
  ['9::', 'bad_frame'],
  ['x::', 'bad_frame'],
  ['hello world', 'bad_frame'],
  ['{"action":"event"}', 'bad_frame'],
  ['5:+::{}', 'bad_frame'],
  ['5:abc::{}', 'bad_frame'],
  ['5:::', 'bad_json'],
  ['5:::{not json', 'bad_json'],
  ['5:::[]', 'bad_event'],
  ['5:::null', 'bad_event'],
  ['5:::{"args":[]}', 'bad_event'],
  ['5:::{"name":5,"args":[]}', 'bad_event'],
  ['5:::{"name":"","args":[]}', 'bad_event'],
  [`5:::{"name":"${'n'.repeat(200)}","args":[]}`, 'bad_event'],
  ['4:::{bad', 'bad_json'],
  ['6:::', 'bad_ack'],
  ['6:::abc', 'bad_ack'],
  ['6:::4+', 'bad_json'],
  ['6:::4+{"a":1}', 'bad_ack'],
  ['6:::4+[1', 'bad_json'],
];

for (const [frame, reason] of malformed) {
  test(`malformed ${JSON.stringify(typeof frame === 'string' ? frame.slice(0, 40) : String(frame))} → ${reason}`, () => {
    assert.equal(decode(frame), { ok: false, reason });
  });
}

test('payload framing', () => {
  assert.equal(decodePayload('2::'), [{ ok: true, packet: '2::' }]);
  const packed = encodePayload(['2::', '5:::{"name":"x","args":[]}']);
  assert.is(packed, '\ufffd3\ufffd2::\ufffd26\ufffd5:::{"name":"x","args":[]}');
  assert.equal(decodePayload(packed), [
    { ok: true, packet: '2::' },
    { ok: true, packet: '5:::{"name":"x","args":[]}' },
  ]);
  const bad = { ok: false, reason: 'bad_payload_framing' };
  for (const broken of ['\ufffd99\ufffd2::', '\ufffd3', '\ufffdx\ufffd2::', '\ufffd3\ufffd2::junk']) {
    assert.ok(
      decodePayload(broken).some((p) => !p.ok),
      broken,
    );
  }
  assert.equal(decodePayload('\ufffd99\ufffd2::'), [bad]);
});

// issue 9 item 7: Kazoo (Erlang) counts characters, i.e. code points; an emoji is 2 UTF-16 units.
const ev = (name: string, payload: unknown) => `5:::${JSON.stringify({ name, args: [payload] })}`;
const cp = (s: string) => [...s].length;

test('payload framing: lengths in code points (emoji in Caller-ID-Name) → both packets', () => {
  const a = ev('CHANNEL_CREATE', { 'Call-ID': 'a', 'Caller-ID-Name': 'Lan 😀 Nguyễn' });
  const b = ev('CHANNEL_DESTROY', { 'Call-ID': 'b', 'Caller-ID-Name': '🎉🎉' });
  assert.ok(cp(a) !== a.length, 'the fixture has astral characters');
  const text = `\ufffd${cp(a)}\ufffd${a}\ufffd${cp(b)}\ufffd${b}`;
  assert.equal(decodePayload(text), [
    { ok: true, packet: a },
    { ok: true, packet: b },
  ]);
  assert.is(encodePayload([a, b]), text, 'encoder counts code points too');
});

test('payload framing: UTF-16 lengths (a JavaScript 0.9 server) are read as well', () => {
  const a = ev('CHANNEL_CREATE', { 'Call-ID': 'a', 'Caller-ID-Name': '😀' });
  const b = '2::';
  assert.equal(decodePayload(`\ufffd${a.length}\ufffd${a}\ufffd3\ufffd${b}`), [
    { ok: true, packet: a },
    { ok: true, packet: b },
  ]);
});

test('payload framing: one bad packet in a batch loses only itself', () => {
  const a = ev('CHANNEL_CREATE', { 'Call-ID': 'a' });
  const c = ev('CHANNEL_ANSWER', { 'Call-ID': 'c' });
  const bad = { ok: false, reason: 'bad_payload_framing' };
  // a wrong length in the middle
  assert.equal(decodePayload(`\ufffd${cp(a)}\ufffd${a}\ufffd999\ufffd5:::{"x":1}\ufffd${cp(c)}\ufffd${c}`), [
    { ok: true, packet: a },
    bad,
    { ok: true, packet: c },
  ]);
  // a length one too short / too long
  assert.equal(decodePayload(`\ufffd${cp(a) - 1}\ufffd${a}\ufffd${cp(c)}\ufffd${c}`), [bad, { ok: true, packet: c }]);
  // a non-numeric header first
  assert.equal(decodePayload(`\ufffdzz\ufffd${a}\ufffd${cp(c)}\ufffd${c}`), [bad, { ok: true, packet: c }]);
  // a broken packet (bad JSON) inside a good frame: framing is fine, decode() rejects only that one
  const parts = decodePayload(encodePayload([a, '5:::{nope', c]));
  assert.equal(
    parts.map((p) => p.ok && decode(p.packet).ok),
    [true, false, true],
  );
});

test('event args: an object (Kazoo README shape) is the one argument; arrays as before', () => {
  const payload = { 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'x' };
  assert.equal(decode(`5:::{"name":"CHANNEL_CREATE","args":${JSON.stringify(payload)}}`), {
    ok: true,
    frame: { type: 'event', id: undefined, ackData: false, endpoint: '', name: 'CHANNEL_CREATE', args: [payload] },
  });
  assert.equal(decode('5:::{"name":"x","args":{}}'), {
    ok: true,
    frame: { type: 'event', id: undefined, ackData: false, endpoint: '', name: 'x', args: [{}] },
  });
  assert.equal(decode('5:::{"name":"x","args":null}'), {
    ok: true,
    frame: { type: 'event', id: undefined, ackData: false, endpoint: '', name: 'x', args: [] },
  });
  assert.equal(decode(`5:::{"name":"x","args":[${JSON.stringify(payload)}]}`), {
    ok: true,
    frame: { type: 'event', id: undefined, ackData: false, endpoint: '', name: 'x', args: [payload] },
  });
});

test('nesting depth is bounded before parsing (issue 10 item 9)', () => {
  const deep = (n: number) => `5:::{"name":"CHANNEL_CREATE","args":[${'['.repeat(n)}${']'.repeat(n)}]}`;
  assert.ok(decode(deep(20)).ok);
  assert.equal(decode(deep(5_000)), { ok: false, reason: 'too_deep' });
  assert.equal(decode(`4:::${'{"a":'.repeat(100)}1${'}'.repeat(100)}`), { ok: false, reason: 'too_deep' });
  assert.equal(decode(`6:::1+${'['.repeat(100)}${']'.repeat(100)}`), { ok: false, reason: 'too_deep' });
  // brackets inside strings do not count
  assert.ok(decode(`5:::{"name":"x","args":["${'['.repeat(500)}"]}`).ok);
  const t = performance.now();
  for (let i = 0; i < 100; i++) decode(deep(30_000));
  assert.ok(performance.now() - t < 200, 'a deep frame costs little to refuse');
});

test('handshake without websocket names what was offered', () => {
  assert.equal(parseHandshake('abc:60:60:xhr-polling,jsonp-polling'), {
    ok: false,
    reason: 'no_websocket',
    transports: ['xhr-polling', 'jsonp-polling'],
  });
});

test('handshake: sid, heartbeat, close timeout, transports', () => {
  assert.equal(parseHandshake('4d4f185e96a7b:60:60:websocket,xhr-polling'), {
    ok: true,
    handshake: {
      sid: '4d4f185e96a7b',
      heartbeatMs: 60_000,
      closeTimeoutMs: 60_000,
      transports: ['websocket', 'xhr-polling'],
    },
  });
  assert.equal(parseHandshake(' abc:25:: websocket \n'), {
    ok: true,
    handshake: { sid: 'abc', heartbeatMs: 25_000, transports: ['websocket'] },
  });
  // heartbeats off (socket.io 0.9 `heartbeats: false`): an empty heartbeat field
  assert.equal(parseHandshake('sid::60:websocket'), {
    ok: true,
    handshake: { sid: 'sid', closeTimeoutMs: 60_000, transports: ['websocket'] },
  });
});

test('handshake rejections', () => {
  assert.equal(parseHandshake('abc:60:60'), { ok: false, reason: 'bad_handshake' });
  assert.equal(parseHandshake(':60:60:websocket'), { ok: false, reason: 'bad_sid' });
  assert.equal(parseHandshake('a/b:60:60:websocket'), { ok: false, reason: 'bad_sid' });
  assert.equal(parseHandshake('abc:soon:60:websocket'), { ok: false, reason: 'bad_timeouts' });
  assert.equal(parseHandshake('<html>error</html>'), { ok: false, reason: 'bad_handshake' });
  assert.equal(parseHandshake(undefined), { ok: false, reason: 'not_text' });
  assert.equal(parseHandshake('a'.repeat(5000)), { ok: false, reason: 'oversized' });
});

test.run();
