// The subscriber against a real local Socket.IO 0.9 upstream (HTTP handshake + ws on port 0).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeEvent } from '../../src/signals/socketio09-codec.js';
import { waitFor } from '../helpers/wait.js';
import { ACCOUNT, BINDINGS, kazooEvent, setup } from './signals-fake-upstream.js';
import { commonScenarios } from './signals-subscriber-common.js';

const ev = (payload: unknown, name = 'CHANNEL_CREATE') => encodeEvent(name, [payload]);
const odd: Array<string | Buffer> = [
  'garbage',
  '9::',
  '5:::{not json',
  '5:::{"name":5,"args":[]}',
  '5:::[]',
  '6:::abc',
  '4:::{bad',
  ev('just a string'),
  ev(kazooEvent('CHANNEL_CREATE', 'x', { 'Call-ID': 12345 })),
  ev(kazooEvent('CHANNEL_PARK', 'x'), 'CHANNEL_PARK'),
  ev(
    kazooEvent('CHANNEL_CREATE', 'x', { 'Custom-Channel-Vars': { 'Account-ID': 'ffffffffffffffffffffffffffffffff' } }),
  ),
  ev({ 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'x' }),
  `5:::{"name":"CHANNEL_CREATE","args":[{"Call-ID":"${'x'.repeat(70_000)}"}]}`,
  Buffer.from([1, 2, 3, 4]),
  '7:::boom',
  ev(null),
];

commonScenarios(test, 'socketio', odd);

test('socketio: handshake over HTTP then the websocket at /socket.io/1/websocket/<sid>', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    assert.is(t.up.handshakes, 1);
    const first = t.up.received.find((r) => r.text.startsWith('5:'));
    assert.match(
      first?.text ?? '',
      /^5:1\+::\{"name":"subscribe","args":\[\{"account_id":"[0-9a-f]{32}","auth_token":"SECRET-token-1-\w+","binding":"call\.CHANNEL_CREATE\.\*"\}\]\}$/,
    );
  } finally {
    await t.teardown();
  }
});

test('socketio: every heartbeat is echoed; heartbeats keep a short deadAfterMs from firing', async () => {
  const t = await setup('socketio', {}, { deadAfterMs: 300 });
  let beat: NodeJS.Timeout | undefined;
  try {
    t.sub.start();
    await t.waitLive();
    beat = setInterval(() => t.up.sendRaw('2::'), 50);
    await waitFor(() => t.up.received.filter((r) => r.text === '2::').length >= 12, {
      what: 'twelve echoes (> 2 × deadAfterMs)',
    });
    assert.is(t.up.connections, 1);
    assert.ok((t.sub.stats().framesIn.heartbeat ?? 0) >= 12);
  } finally {
    if (beat) clearInterval(beat);
    await t.teardown();
  }
});

test('socketio: dead-socket default is 2.5 × the announced heartbeat', async () => {
  const t = await setup('socketio', { heartbeatSec: 1 });
  try {
    t.sub.start();
    await t.waitLive();
    const at = Date.now();
    await waitFor(() => t.up.connections === 2, { what: 'reconnect after 2.5 s of silence', timeoutMs: 6_000 });
    const took = Date.now() - at;
    assert.ok(took >= 2_300 && took < 4_500, `dead after ${took} ms`);
  } finally {
    await t.teardown();
  }
});

test('socketio: auth_failure while live → invalidate + subscribe again on the same socket', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    const bad = t.tokens.current.value;
    t.up.sendAuthFailure('some-older-token'); // names another token: ignored
    t.up.sendAuthFailure(bad);
    await waitFor(() => t.up.subscribesOn(0).length === 2 * BINDINGS.length && t.sub.currentState === 'live', {
      what: 'subscribed again',
    });
    assert.equal(t.tokens.invalidated, [bad]);
    assert.ok(
      t.up
        .subscribesOn(0)
        .slice(BINDINGS.length)
        .every((s) => s.token === t.tokens.current.value && s.token !== bad),
    );
    assert.equal(t.stateNames(), ['connecting', 'subscribing', 'live', 'subscribing', 'live']);
    assert.is(t.up.connections, 1);
  } finally {
    await t.teardown();
  }
});

test('socketio: an `error` event → invalidate + subscribe again', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    const used = t.tokens.current.value;
    t.up.sendRaw(encodeEvent('error', [{ message: 'something failed' }]));
    await waitFor(() => t.up.subscribesOn(0).length === 2 * BINDINGS.length && t.sub.currentState === 'live', {
      what: 'subscribed again',
    });
    assert.equal(t.tokens.invalidated, [used]);
  } finally {
    await t.teardown();
  }
});

test('socketio: no ack within subscribeAckTimeoutMs and no refusal → assumed subscribed', async () => {
  const t = await setup('socketio', { ack: false }, { subscribeAckTimeoutMs: 150 });
  try {
    t.sub.start();
    await t.waitLive();
    const live = t.states.find((s) => s.state === 'live');
    assert.is(live?.info.assumed, true);
    t.up.sendEvent(kazooEvent('CHANNEL_CREATE', 'leg-9'));
    await waitFor(() => t.events.length === 1, { what: 'event' });
  } finally {
    await t.teardown();
  }
});

test('socketio: `0::` from the server → reconnect', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    t.up.sendRaw('0::');
    await waitFor(() => t.up.connections === 2 && t.sub.currentState === 'live', { what: 'live again' });
    assert.is(t.up.handshakes, 2);
    assert.is(t.lines.find((l) => l.msg === 'signal socket lost')?.reason, 'server_disconnect');
  } finally {
    await t.teardown();
  }
});

test('socketio: a failing handshake (404 / no websocket) → backoff and retry', async () => {
  const t = await setup('socketio', {}, { url: 'http://127.0.0.1:1' });
  try {
    t.sub.start();
    await waitFor(() => t.stateNames().filter((s) => s === 'backoff').length >= 2, { what: 'two failed attempts' });
    assert.is(t.lines.find((l) => l.msg === 'signal socket lost')?.reason, 'handshake_failed');
  } finally {
    await t.teardown();
  }
});

test('socketio: stop() cancels an in-flight handshake', async () => {
  const t = await setup('socketio', { hangHandshake: true });
  try {
    t.sub.start();
    await waitFor(() => t.up.handshakes === 1, { what: 'handshake requested' });
    assert.is(t.sub.currentState, 'connecting');
    await t.sub.stop();
    assert.is(t.live.size, 0);
    assert.is(t.sub.currentState, 'stopped');
  } finally {
    await t.teardown();
  }
});

test('socketio: stop() says 0:: before closing', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    await t.sub.stop();
    await waitFor(() => t.up.received.some((r) => r.text === '0::'), { what: 'disconnect frame' });
  } finally {
    await t.teardown();
  }
});

test('socketio: the account id in subscribes is the configured one', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    assert.ok(t.up.subscribes.every((s) => s.accountId === ACCOUNT));
  } finally {
    await t.teardown();
  }
});

test.run();
