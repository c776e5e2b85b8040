import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import {
  ACCOUNT,
  callEvent,
  type Fixture,
  handshake,
  RawClient,
  sioConnect,
  sioSubscribe,
  startFixture,
} from './sim-signal-fixture.js';

const T = suite('sim-signal socket.io 0.9');
let f: Fixture;
T.before.each(async () => {
  f = await startFixture({ heartbeatSec: 1, heartbeatIntervalSec: 0.1, closeTimeoutSec: 1 });
});
T.after.each(async () => {
  await f.close();
});

const isEvent = (name: string) => (t: string) => t.startsWith('5:::') && JSON.parse(t.slice(4)).name === name;

T('handshake body, 1:: on open, heartbeat echoed keeps the socket open', async () => {
  const hs = await handshake(f);
  assert.is(hs.status, 200);
  assert.match(hs.contentType ?? '', /^text\/plain/);
  assert.match(hs.sid, /^[0-9a-f]{20}$/);
  assert.is(hs.heartbeat, 1);
  assert.is(hs.closeTimeout, 1);
  assert.is(hs.transports, 'websocket');
  const c = await RawClient.open(f, `/socket.io/1/websocket/${hs.sid}`);
  c.ws.on('message', (d) => {
    if (d.toString() === '2::') c.ws.send('2::');
  });
  await c.next((t) => t === '1::', 'connect frame');
  await waitFor(() => c.count((t) => t === '2::') >= 15, { what: 'heartbeats', timeoutMs: 3000 }); // 1.5 s: past the close timeout
  assert.not.ok(c.closed, 'an echoing client stays connected');
  assert.ok(f.signals.stats().socketio.heartbeatEchoes >= 14);
  assert.is(f.signals.stats().socketio.heartbeatTimeouts, 0);
});

T('no heartbeat echo within the close timeout: the server closes the socket', async () => {
  const c = await sioConnect(f, false);
  const t0 = Date.now();
  await waitFor(() => c.closed, { what: 'server closes a silent client', timeoutMs: 4000 });
  assert.ok(Date.now() - t0 >= 900, 'not before the close timeout');
  await waitFor(() => f.signals.stats().connections === 0, { what: 'hub forgets the connection' });
  assert.is(f.signals.stats().socketio.heartbeatTimeouts, 1);
});

T('subscribe with ack, then a published payload is delivered as 5:::{name,args}', async () => {
  const c = await sioConnect(f);
  const token = f.tokens.issue(60_000).value;
  sioSubscribe(c, token, 'call.CHANNEL_CREATE.*', 7);
  const ack = await c.next((t) => t.startsWith('6:::'), 'ack');
  assert.is(ack, '6:::7+["ok"]');
  const payload = callEvent('CHANNEL_CREATE', 'at6dmu4ffk97vnlp6qfq');
  assert.is(f.signals.publish(payload), 1);
  assert.is(f.signals.publish(callEvent('CHANNEL_ANSWER', 'at6dmu4ffk97vnlp6qfq')), 0, 'not bound');
  const frame = await c.next(isEvent('CHANNEL_CREATE'), 'delivery');
  assert.equal(JSON.parse(frame.slice(4)), { name: 'CHANNEL_CREATE', args: [payload] });
  // a plain ack (id without +) is sent at once, without data
  c.send(
    `5:9::${JSON.stringify({ name: 'subscribe', args: [{ account_id: ACCOUNT, auth_token: token, binding: 'call.CHANNEL_ANSWER.*' }] })}`,
  );
  await c.next((t) => t === '6:::9', 'plain ack');
  await waitFor(() => f.signals.stats().activeSubscriptions === 2, { what: 'two bindings' });
});

T('auth_failure for a bad token and for an expired token; nothing registered', async () => {
  const c = await sioConnect(f);
  sioSubscribe(c, 'not-a-token', 'call.CHANNEL_CREATE.*', 1);
  const bad = await c.next(isEvent('auth_failure'), 'auth_failure');
  assert.equal(JSON.parse(bad.slice(4)).args, [{ message: 'invalid auth token', cause: 'not-a-token' }]);
  const expired = f.tokens.issue(1000).value;
  f.advance(2000);
  sioSubscribe(c, expired, 'call.CHANNEL_CREATE.*', 2);
  await waitFor(() => c.count(isEvent('auth_failure')) === 2, { what: 'second auth_failure' });
  assert.is(
    c.count((t) => t.startsWith('6:::')),
    0,
    'no ack on failure',
  );
  const s = f.signals.stats();
  assert.is(s.activeSubscriptions, 0);
  assert.is(s.authFailures, 2);
  assert.is(f.signals.publish(callEvent('CHANNEL_CREATE', 'x')), 0);
});

T('token expiry stops delivery; resubscribe replaces the token (one delivery, not two)', async () => {
  const c = await sioConnect(f);
  const old = f.tokens.issue(10_000).value;
  sioSubscribe(c, old, 'call.*.*', 1);
  await c.next((t) => t === '6:::1+["ok"]', 'ack 1');
  assert.is(f.signals.publish(callEvent('CHANNEL_CREATE', 'c1')), 1);
  f.advance(10_001);
  assert.is(f.signals.publish(callEvent('CHANNEL_ANSWER', 'c1')), 0, 'expired token: no delivery');
  const fresh = f.tokens.issue(10_000).value;
  sioSubscribe(c, fresh, 'call.*.*', 2);
  await c.next((t) => t === '6:::2+["ok"]', 'ack 2');
  assert.is(f.signals.stats().activeSubscriptions, 1);
  assert.is(f.signals.publish(callEvent('CHANNEL_DESTROY', 'c1')), 1);
  await c.next(isEvent('CHANNEL_DESTROY'), 'destroy delivered');
  assert.is(c.count(isEvent('CHANNEL_DESTROY')), 1);
  assert.is(c.count(isEvent('CHANNEL_ANSWER')), 0);
});

T('unsubscribe removes the binding', async () => {
  const c = await sioConnect(f);
  const token = f.tokens.issue(60_000).value;
  sioSubscribe(c, token, 'call.*.*', 1);
  await c.next((t) => t === '6:::1+["ok"]', 'ack');
  c.send(
    `5:2+::${JSON.stringify({ name: 'unsubscribe', args: [{ account_id: ACCOUNT, auth_token: token, binding: 'call.*.*' }] })}`,
  );
  await c.next((t) => t === '6:::2+["ok"]', 'unsubscribe ack');
  assert.is(f.signals.stats().activeSubscriptions, 0);
  assert.is(f.signals.publish(callEvent('CHANNEL_CREATE', 'x')), 0);
});

T('malformed client frames get 7::: and never break the socket', async () => {
  const c = await sioConnect(f);
  const bad = [
    'garbage',
    '5:::not json',
    '5:::{"args":[]}',
    '5:::{"name":"subscribe","args":"x"}',
    '5:::{"name":"subscribe","args":[42]}',
    '9::',
    '\ufffd9\ufffd2::',
  ];
  for (const b of bad) c.send(b);
  c.ws.send(Buffer.from([1, 2, 3]));
  await waitFor(() => c.count((t) => t === '7:::') === bad.length + 1, { what: 'one error frame per malformed frame' });
  c.send('5:::{"name":"frobnicate","args":[]}');
  const token = f.tokens.issue(60_000).value;
  sioSubscribe(c, token, 'call..bad', 3);
  await c.next(isEvent('error'), 'error event for a bad binding');
  sioSubscribe(c, token, 'call.*.*', 4);
  await c.next((t) => t === '6:::4+["ok"]', 'still works after junk');
  const s = f.signals.stats().socketio;
  assert.is(s.malformedIn, bad.length + 1);
  assert.is(s.unknownEvents, 1);
  assert.is(s.handlerErrors, 0);
});

T('unknown sid: 7:::1+0 then close; other paths under /socket.io/ are refused', async () => {
  const c = await RawClient.open(f, '/socket.io/1/websocket/nosuchsid');
  await c.next((t) => t === '7:::1+0', 'not handshaken');
  await waitFor(() => c.closed, { what: 'closed' });
  const res = await fetch(`http://127.0.0.1:${f.port}/socket.io/?EIO=4&transport=polling`, {
    headers: { connection: 'close' },
  });
  assert.is(res.status, 400);
  await res.text();
  const other = await fetch(`http://127.0.0.1:${f.port}/oapi/v1/agents`, { headers: { connection: 'close' } });
  assert.is(other.status, 404, "not the handshake handler's path");
  await other.text();
  // a sid is good for one websocket only
  const hs = await handshake(f);
  const first = await RawClient.open(f, `/socket.io/1/websocket/${hs.sid}`);
  await first.next((t) => t === '1::', 'connect');
  const second = await RawClient.open(f, `/socket.io/1/websocket/${hs.sid}`);
  await second.next((t) => t === '7:::1+0', 'sid reused');
});

T('client 0:: disconnect closes the socket and forgets its bindings', async () => {
  const c = await sioConnect(f);
  sioSubscribe(c, f.tokens.issue(60_000).value, 'call.*.*', 1);
  await c.next((t) => t === '6:::1+["ok"]', 'ack');
  c.send('0::');
  await waitFor(() => c.closed, { what: 'closed' });
  assert.is(f.signals.stats().activeSubscriptions, 0);
  assert.is(f.signals.stats().connections, 0);
  assert.is(f.signals.stats().connectionsTotal, 1);
});

T.run();
