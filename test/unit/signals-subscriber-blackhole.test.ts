// The subscriber against a real local Kazoo blackhole (JSON over a plain ws) upstream on port 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeEventFrame } from '../../src/signals/blackhole-codec.js';
import { waitFor } from '../helpers/wait.js';
import { BINDINGS, kazooEvent, setup } from './signals-fake-upstream.js';
import { commonScenarios } from './signals-subscriber-common.js';

const ev = (data: unknown, name = 'CHANNEL_CREATE') =>
  JSON.stringify({
    action: 'event',
    subscribed_key: `call.${name}.*`,
    subscription_key: `call.${name}.*`,
    name,
    routing_key: `call.${name}.x`,
    data,
  });
const odd: Array<string | Buffer> = [
  'garbage',
  '[1]',
  'null',
  '{"action":"dance"}',
  '{"action":"event","data":"x"}',
  '{"action":"reply","status":"ok"}',
  '5:::{"name":"CHANNEL_CREATE","args":[]}',
  ev(kazooEvent('CHANNEL_CREATE', 'x', { 'Call-ID': 12345 })),
  ev(kazooEvent('CHANNEL_PARK', 'x'), 'CHANNEL_PARK'),
  ev(
    kazooEvent('CHANNEL_CREATE', 'x', { 'Custom-Channel-Vars': { 'Account-ID': 'ffffffffffffffffffffffffffffffff' } }),
  ),
  ev({ 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'x' }),
  ev(kazooEvent('CHANNEL_CREATE', 'x'.repeat(70_000))),
  Buffer.from([1, 2, 3, 4]),
  '{"action":"event","data":{"Event-Name":"CHANNEL_CREATE","Call-ID":"x","Call-Direction":5}}',
];

commonScenarios(test, 'blackhole', odd);

test('blackhole: subscribe frames are the documented JSON, one request_id each', async () => {
  const t = await setup('blackhole');
  try {
    t.sub.start();
    await t.waitLive();
    const frames = t.up.received
      .map((r) => JSON.parse(r.text) as Record<string, unknown>)
      .filter((m) => m.action === 'subscribe');
    assert.is(frames.length, BINDINGS.length);
    for (const [i, f] of frames.entries()) {
      assert.equal(Object.keys(f).sort(), ['action', 'auth_token', 'data', 'request_id']);
      assert.is(f.auth_token, t.tokens.current.value);
      assert.equal(f.data, { account_id: t.up.subscribes[0].accountId, binding: BINDINGS[i] });
      assert.match(String(f.request_id), /^[0-9a-f-]{36}$/);
    }
  } finally {
    await t.teardown();
  }
});

test('blackhole: pings every pingEveryMs; pongs keep a short deadAfterMs from firing', async () => {
  const t = await setup('blackhole', {}, { pingEveryMs: 50, deadAfterMs: 300 });
  try {
    t.sub.start();
    await t.waitLive();
    await waitFor(() => t.up.received.filter((r) => r.text.includes('"action":"ping"')).length >= 12, {
      what: 'twelve pings (> 2 × deadAfterMs)',
    });
    assert.is(t.up.connections, 1);
    assert.ok((t.sub.stats().framesIn.pong ?? 0) >= 10);
  } finally {
    await t.teardown();
  }
});

test('blackhole: no reply to a subscribe within subscribeAckTimeoutMs → reconnect', async () => {
  const t = await setup('blackhole', {}, { subscribeAckTimeoutMs: 150 });
  t.up.muted.add(0);
  try {
    t.sub.start();
    await waitFor(() => t.up.connections === 2 && t.sub.currentState === 'live', { what: 'live on the second socket' });
    assert.is(t.lines.find((l) => l.msg === 'signal socket lost')?.reason, 'subscribe_timeout');
  } finally {
    await t.teardown();
  }
});

test('blackhole: an error reply to a refresh round → invalidate + subscribe again', async () => {
  let refused = '';
  const t = await setup('blackhole', { accept: (tok) => tok !== refused });
  try {
    t.sub.start();
    await t.waitLive();
    const next = t.tokens.refresh();
    refused = next.value; // the server refuses the refreshed token
    await waitFor(() => t.tokens.invalidated.includes(next.value), { what: 'refreshed token invalidated' });
    await waitFor(() => t.up.subscribesOn(0).length === 3 * BINDINGS.length && t.sub.currentState === 'live', {
      what: 'third round accepted',
    });
    const third = t.up.subscribesOn(0).slice(2 * BINDINGS.length);
    assert.ok(third.every((s) => s.token === t.tokens.current.value && s.token !== next.value));
    assert.is(t.up.connections, 1);
  } finally {
    await t.teardown();
  }
});

test('blackhole: http(s) url is turned into ws(s)', async () => {
  const t = await setup('blackhole');
  try {
    const httpUrl = t.url.replace(/^ws/, 'http');
    await t.sub.stop();
    const t2 = await setup('blackhole', {}, { url: httpUrl });
    try {
      t2.sub.start();
      await waitFor(() => t.up.connections === 1, { what: 'connected through the http:// url' });
    } finally {
      await t2.teardown();
    }
  } finally {
    await t.teardown();
  }
});

test('blackhole: an event without Event-Name in data takes the frame name', async () => {
  const t = await setup('blackhole');
  try {
    t.sub.start();
    await t.waitLive();
    const data = kazooEvent('CHANNEL_ANSWER', 'leg-5');
    delete data['Event-Name'];
    t.up.sendRaw(
      encodeEventFrame({
        subscribedKey: 'call.CHANNEL_ANSWER.*',
        name: 'CHANNEL_ANSWER',
        routingKey: 'call.CHANNEL_ANSWER.leg-5',
        data,
      }),
    );
    await waitFor(() => t.events.length === 1, { what: 'event' });
    assert.is(t.events[0].name, 'CHANNEL_ANSWER');
  } finally {
    await t.teardown();
  }
});

test('blackhole: tokens.get() failing or hanging → retried with backoff on the same socket', async () => {
  const t = await setup('blackhole', {}, { tokenTimeoutMs: 100 });
  t.tokens.failGets = 2;
  t.tokens.hangGets = 1;
  try {
    t.sub.start();
    await t.waitLive();
    assert.is(t.tokens.gets, 4);
    assert.is(t.up.connections, 1);
    assert.is(t.up.subscribes.length, BINDINGS.length);
    assert.is(t.lines.filter((l) => l.msg === 'no auth token for the signal subscription').length, 3);
  } finally {
    await t.teardown();
  }
});

test.run();
