import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decodeServerFrame,
  encodeEventFrame,
  encodePing,
  encodeReply,
  encodeSubscribe,
  encodeUnsubscribe,
} from '../../src/signals/blackhole-codec.js';

const req = { authToken: 'tok', requestId: 'r-1', accountId: 'acc', binding: 'call.CHANNEL_CREATE.*' };

test('subscribe / unsubscribe / ping frames', () => {
  assert.equal(JSON.parse(encodeSubscribe(req)), {
    action: 'subscribe',
    auth_token: 'tok',
    request_id: 'r-1',
    data: { account_id: 'acc', binding: 'call.CHANNEL_CREATE.*' },
  });
  assert.equal(JSON.parse(encodeUnsubscribe(req)), {
    action: 'unsubscribe',
    auth_token: 'tok',
    request_id: 'r-1',
    data: { account_id: 'acc', binding: 'call.CHANNEL_CREATE.*' },
  });
  assert.is(encodePing('p-1'), '{"action":"ping","request_id":"p-1"}');
});

test('replies: success, error, pong', () => {
  assert.equal(decodeServerFrame(encodeReply('r-1', 'success', { subscribed: ['x'] })), {
    ok: true,
    frame: { type: 'reply', requestId: 'r-1', status: 'success', data: { subscribed: ['x'] }, pong: false },
  });
  assert.equal(decodeServerFrame(encodeReply('r-2', 'error', { message: 'invalid auth token' })), {
    ok: true,
    frame: { type: 'reply', requestId: 'r-2', status: 'error', data: { message: 'invalid auth token' }, pong: false },
  });
  assert.equal(decodeServerFrame('{"action":"reply","request_id":"p","status":"success","data":{"response":"pong"}}'), {
    ok: true,
    frame: { type: 'reply', requestId: 'p', status: 'success', data: { response: 'pong' }, pong: true },
  });
  const noData = decodeServerFrame('{"action":"reply","request_id":"p","status":"success"}');
  assert.equal(noData, {
    ok: true,
    frame: { type: 'reply', requestId: 'p', status: 'success', data: {}, pong: false },
  });
});

test('event round trip', () => {
  const data = { 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'abc' };
  const text = encodeEventFrame({
    subscribedKey: 'call.CHANNEL_CREATE.*',
    name: 'CHANNEL_CREATE',
    routingKey: 'call.CHANNEL_CREATE.abc',
    data,
  });
  assert.equal(JSON.parse(text), {
    action: 'event',
    subscribed_key: 'call.CHANNEL_CREATE.*',
    subscription_key: 'call.CHANNEL_CREATE.*',
    name: 'CHANNEL_CREATE',
    routing_key: 'call.CHANNEL_CREATE.abc',
    data,
  });
  assert.equal(decodeServerFrame(text), {
    ok: true,
    frame: {
      type: 'event',
      subscribedKey: 'call.CHANNEL_CREATE.*',
      subscriptionKey: 'call.CHANNEL_CREATE.*',
      name: 'CHANNEL_CREATE',
      routingKey: 'call.CHANNEL_CREATE.abc',
      data,
    },
  });
});

test('event with odd metadata keeps what is readable', () => {
  assert.equal(decodeServerFrame('{"action":"event","name":5,"data":{"a":1}}'), {
    ok: true,
    frame: { type: 'event', data: { a: 1 } },
  });
});

const malformed: Array<[unknown, string]> = [
  [undefined, 'not_text'],
  [Buffer.from('{}'), 'not_text'],
  ['', 'bad_json'],
  ['{nope', 'bad_json'],
  ['2::', 'bad_json'],
  ['null', 'not_object'],
  ['[1,2]', 'not_object'],
  ['"str"', 'not_object'],
  ['{}', 'unknown_action'],
  ['{"action":"dance"}', 'unknown_action'],
  ['{"action":5}', 'unknown_action'],
  ['{"action":"reply","status":"success"}', 'bad_reply'],
  ['{"action":"reply","request_id":"","status":"success"}', 'bad_reply'],
  ['{"action":"reply","request_id":7,"status":"success"}', 'bad_reply'],
  ['{"action":"reply","request_id":"r","status":"maybe"}', 'bad_reply'],
  ['{"action":"event","name":"CHANNEL_CREATE"}', 'bad_event'],
  ['{"action":"event","data":"x"}', 'bad_event'],
  ['{"action":"event","data":[1]}', 'bad_event'],
];

for (const [frame, reason] of malformed) {
  test(`malformed ${JSON.stringify(typeof frame === 'string' ? frame : String(frame))} → ${reason}`, () => {
    assert.equal(decodeServerFrame(frame), { ok: false, reason });
  });
}

test.run();
