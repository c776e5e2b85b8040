import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, decodePayload, encodePayload, encode, encodeAck, encodeEvent, parseHandshake, HEARTBEAT, type SioFrame } from '../../src/signals/socketio09-codec.js';

test('HEARTBEAT constant', () => {
  assert.is(HEARTBEAT, '2::');
  assert.equal(decode('2::'), { ok: true, frame: { type: 'heartbeat' } });
});

test('decode each frame type', () => {
  assert.equal(decode('0::'), { ok: true, frame: { type: 'disconnect', endpoint: '' } });
  assert.equal(decode('0::/chat'), { ok: true, frame: { type: 'disconnect', endpoint: '/chat' } });
  assert.equal(decode('1::'), { ok: true, frame: { type: 'connect', endpoint: '' } });
  assert.equal(decode('1::/chat:?a=b'), { ok: true, frame: { type: 'connect', endpoint: '/chat', query: '?a=b' } });
  assert.equal(decode('3:1::hello: world'), { ok: true, frame: { type: 'message', id: 1, ackData: false, endpoint: '', data: 'hello: world' } });
  assert.equal(decode('4:::{"a":[1]}'), { ok: true, frame: { type: 'json', id: undefined, ackData: false, endpoint: '', data: { a: [1] } } });
  assert.equal(decode('5:::{"name":"CHANNEL_CREATE","args":[{"Call-ID":"x:y"}]}'), {
    ok: true,
    frame: { type: 'event', id: undefined, ackData: false, endpoint: '', name: 'CHANNEL_CREATE', args: [{ 'Call-ID': 'x:y' }] },
  });
  assert.equal(decode('5:7+::{"name":"subscribe"}'), { ok: true, frame: { type: 'event', id: 7, ackData: true, endpoint: '', name: 'subscribe', args: [] } });
  assert.equal(decode('6:::4'), { ok: true, frame: { type: 'ack', ackId: 4, args: [] } });
  assert.equal(decode('6:::4+["A",{"b":1}]'), { ok: true, frame: { type: 'ack', ackId: 4, args: ['A', { b: 1 }] } });
  assert.equal(decode('7:::unauthorized'), { ok: true, frame: { type: 'error', endpoint: '', reason: 'unauthorized' } });
  assert.equal(decode('7:::1+0'), { ok: true, frame: { type: 'error', endpoint: '', reason: '1', advice: '0' } });
  assert.equal(decode('8::'), { ok: true, frame: { type: 'noop' } });
});

test('encodeEvent with and without an ack id', () => {
  const args = [{ account_id: 'a', auth_token: 't', binding: 'call.CHANNEL_CREATE.*' }];
  assert.is(encodeEvent('subscribe', args, 3), '5:3+::{"name":"subscribe","args":[{"account_id":"a","auth_token":"t","binding":"call.CHANNEL_CREATE.*"}]}');
  assert.is(encodeEvent('subscribe', args), '5:::{"name":"subscribe","args":[{"account_id":"a","auth_token":"t","binding":"call.CHANNEL_CREATE.*"}]}');
  assert.equal(decode(encodeEvent('subscribe', args, 3)), { ok: true, frame: { type: 'event', id: 3, ackData: true, endpoint: '', name: 'subscribe', args } });
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
  ['5:::{"name":"x","args":{}}', 'bad_event'],
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
  assert.equal(decodePayload('2::'), ['2::']);
  const packed = encodePayload(['2::', '5:::{"name":"x","args":[]}']);
  assert.is(packed, '\ufffd3\ufffd2::\ufffd26\ufffd5:::{"name":"x","args":[]}');
  assert.equal(decodePayload(packed), ['2::', '5:::{"name":"x","args":[]}']);
  for (const broken of ['\ufffd99\ufffd2::', '\ufffd3', '\ufffdx\ufffd2::', '\ufffd3\ufffd2::junk']) assert.is(decodePayload(broken), undefined, broken);
});

test('handshake: sid, heartbeat, close timeout, transports', () => {
  assert.equal(parseHandshake('4d4f185e96a7b:60:60:websocket,xhr-polling'), {
    ok: true,
    handshake: { sid: '4d4f185e96a7b', heartbeatMs: 60_000, closeTimeoutMs: 60_000, transports: ['websocket', 'xhr-polling'] },
  });
  assert.equal(parseHandshake(' abc:25:: websocket \n'), { ok: true, handshake: { sid: 'abc', heartbeatMs: 25_000, transports: ['websocket'] } });
});

test('handshake rejections', () => {
  assert.equal(parseHandshake('abc:60:60:xhr-polling,jsonp-polling'), { ok: false, reason: 'no_websocket' });
  assert.equal(parseHandshake('abc:60:60'), { ok: false, reason: 'bad_handshake' });
  assert.equal(parseHandshake(':60:60:websocket'), { ok: false, reason: 'bad_sid' });
  assert.equal(parseHandshake('a/b:60:60:websocket'), { ok: false, reason: 'bad_sid' });
  assert.equal(parseHandshake('abc:soon:60:websocket'), { ok: false, reason: 'bad_timeouts' });
  assert.equal(parseHandshake('<html>error</html>'), { ok: false, reason: 'bad_handshake' });
  assert.equal(parseHandshake(undefined), { ok: false, reason: 'not_text' });
  assert.equal(parseHandshake('a'.repeat(5000)), { ok: false, reason: 'oversized' });
});

test.run();
