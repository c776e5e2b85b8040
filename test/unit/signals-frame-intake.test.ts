import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameIntake } from '../../src/signals/frame-intake.js';
import { BlackholeSession } from '../../src/signals/protocol-blackhole.js';
import { SocketIoSession } from '../../src/signals/protocol-socketio.js';
import { canTransition, TRANSITIONS } from '../../src/signals/state.js';
import type { LegEvent } from '../../src/signals/types.js';
import { captureLogger } from '../helpers/logs.js';
import { ACCOUNT, kazooEvent } from './signals-fake-upstream.js';

function intake(onEvent: (e: LegEvent) => void = () => undefined) {
  let now = 1_000_000;
  const { logger, records: lines } = captureLogger('debug');
  const frames: string[] = [];
  const rejects: string[] = [];
  const i = new FrameIntake({
    accountId: ACCOUNT, // as configured: normalised to lowercase by loadConfig
    maxFrameBytes: 1024,
    logger,
    now: () => now,
    onEvent,
    onFrame: (t) => frames.push(t),
    onReject: (r) => rejects.push(r),
    monotonic: () => 42,
  });
  return { i, lines, frames, rejects, advance: (ms: number) => (now += ms) };
}

const bh = new BlackholeSession({ url: 'ws://x', accountId: ACCOUNT, newId: () => 'id-1' });
const sio = new SocketIoSession({
  url: 'http://x',
  accountId: ACCOUNT,
  fetch: async () => ({ ok: true, status: 200, text: async () => '' }),
  now: () => 0,
});

test('binary, oversized and unreadable frames are counted, with hooks', () => {
  const t = intake();
  assert.equal(t.i.read(bh, Buffer.from('{}'), true), []);
  assert.equal(t.i.read(bh, 'x'.repeat(2000), false), []);
  assert.equal(t.i.read(bh, 12345, false), []);
  assert.equal(t.rejects, ['binary', 'oversized', 'unreadable']);
  assert.equal(t.frames, ['invalid', 'invalid', 'invalid']);
  assert.equal(t.i.snapshot().rejected, { binary: 1, oversized: 1, unreadable: 1 });
});

test('frames are read from Buffer, ArrayBuffer and Buffer[]', () => {
  const t = intake();
  const text = '{"action":"reply","request_id":"r","status":"success","data":{"response":"pong"}}';
  for (const data of [
    Buffer.from(text),
    new Uint8Array(Buffer.from(text)).buffer,
    [Buffer.from(text.slice(0, 10)), Buffer.from(text.slice(10))],
  ]) {
    const r = t.i.read(bh, data, false);
    assert.equal(r, [{ inbound: { kind: 'keepalive' }, reply: undefined, receivedAt: 42 }]);
  }
  assert.equal(t.i.snapshot().framesIn, { pong: 3 });
});

test('socketio heartbeats get an echo; events with an ack id get an ack', () => {
  const t = intake();
  assert.is(t.i.read(sio, '2::', false)[0].reply, '2::');
  const [r] = t.i.read(sio, '5:9+::{"name":"CHANNEL_CREATE","args":[{}]}', false);
  assert.is(r.reply, '6:::9+[]');
  assert.is(r.inbound.kind, 'event');
});

test('socketio payload framing: several packets in one message; broken framing rejected', () => {
  const t = intake();
  const rs = t.i.read(sio, '\ufffd3\ufffd2::\ufffd3\ufffd1::', false);
  assert.equal(
    rs.map((r) => r.inbound.kind),
    ['keepalive', 'connected'],
  );
  assert.equal(
    t.i.read(sio, '\ufffd99\ufffd2::', false).map((r) => r.inbound),
    [{ kind: 'reject', reason: 'bad_payload_framing' }],
  );
});

test('deliver: account id compared exactly, as the engine compares it; other account rejected', () => {
  const got: LegEvent[] = [];
  const t = intake((e) => got.push(e));
  assert.ok(t.i.deliver('CHANNEL_CREATE', kazooEvent('CHANNEL_CREATE', 'a'), 1));
  assert.not.ok(
    t.i.deliver(
      'CHANNEL_CREATE',
      kazooEvent('CHANNEL_CREATE', 'b', { 'Custom-Channel-Vars': { 'Account-ID': 'other' } }),
      1,
    ),
  );
  // One rule for intake and engine (issue 15): an id the engine would drop as another org's is not let through.
  assert.not.ok(
    t.i.deliver(
      'CHANNEL_CREATE',
      kazooEvent('CHANNEL_CREATE', 'B', { 'Custom-Channel-Vars': { 'Account-ID': ACCOUNT.toUpperCase() } }),
      1,
    ),
  );
  assert.ok(
    t.i.deliver('CHANNEL_CREATE', { 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'c', 'Call-Direction': 'inbound' }, 1),
    'no account id: accepted',
  );
  assert.equal(
    got.map((e) => e.legId),
    ['a', 'c'],
  );
  assert.equal(t.i.snapshot().rejected, { other_account: 2 });
  assert.is(t.i.snapshot().events, 2);
});

test('a throwing onEvent is counted and logged, never thrown', () => {
  const t = intake(() => {
    throw new Error('engine bug');
  });
  assert.ok(t.i.deliver('CHANNEL_CREATE', kazooEvent('CHANNEL_CREATE', 'a'), 1));
  assert.is(t.i.snapshot().rejected.handler_error, 1);
  assert.ok(t.lines.some((l) => l.msg === 'signal event handler threw'));
});

test('warnings are rate limited per reason (one per 10 s) and carry counts', () => {
  const t = intake();
  for (let n = 0; n < 50; n++) t.i.reject('bad_json');
  t.i.reject('unknown_event');
  let warns = t.lines.filter((l) => l.msg === 'signal frame rejected');
  assert.is(warns.length, 2);
  t.advance(10_001);
  t.i.reject('bad_json');
  warns = t.lines.filter((l) => l.msg === 'signal frame rejected');
  assert.is(warns.length, 3);
  assert.is(warns[2].total, 51);
  assert.is(warns[2].suppressedSinceLast, 49);
});

test('state machine table', () => {
  assert.ok(canTransition('idle', 'connecting'));
  assert.ok(canTransition('live', 'subscribing'));
  assert.ok(canTransition('live', 'backoff'));
  assert.not.ok(canTransition('idle', 'live'));
  assert.not.ok(canTransition('backoff', 'live'));
  assert.equal(TRANSITIONS.stopped, []);
  for (const s of Object.keys(TRANSITIONS) as Array<keyof typeof TRANSITIONS>)
    if (s !== 'stopped') assert.ok(canTransition(s, 'stopped'), s);
});

test('accept(): heartbeats in a batch are urgent (answered ahead of the events), events wait unparsed', () => {
  const t = intake();
  const ev = '5:::{"name":"CHANNEL_CREATE","args":[{}]}';
  const { urgent, later } = t.i.accept(sio, `\ufffd${ev.length}\ufffd${ev}\ufffd3\ufffd2::\ufffd5\ufffdzz`, false);
  assert.equal(
    urgent.map((r) => [r.inbound.kind, r.reply]),
    [
      ['keepalive', '2::'],
      ['reject', undefined],
    ],
  );
  assert.equal(
    later.map((p) => p.text),
    [ev],
  );
  assert.equal(t.frames, ['heartbeat', 'invalid'], 'the event is counted when interpreted');
  assert.is(t.i.interpretLater(sio, later[0]).inbound.kind, 'event');
  assert.equal(t.frames, ['heartbeat', 'invalid', 'event']);
});

test('blackhole frames nested too deep are refused before parsing', () => {
  const t = intake();
  const [r] = t.i.read(bh, `{"action":"event","data":${'['.repeat(100)}${']'.repeat(100)}}`, false);
  assert.equal(r.inbound, { kind: 'reject', reason: 'too_deep' });
});

test.run();
