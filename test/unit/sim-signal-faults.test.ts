import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SignalWaitError } from '../../src/simulator/signal-servers.js';
import { trackingClock } from '../helpers/clock.js';
import { waitFor } from '../helpers/wait.js';
import {
  ACCOUNT,
  bhReply,
  bhSend,
  callEvent,
  type Fixture,
  handshake,
  RawClient,
  sioConnect,
  sioSubscribe,
  startFixture,
} from './sim-signal-fixture.js';

async function connectBoth(f: Fixture, token: string): Promise<{ sio: RawClient; bh: RawClient }> {
  const sio = await sioConnect(f);
  sioSubscribe(sio, token, 'call.*.*', 1);
  await sio.next((t) => t === '6:::1+["ok"]', 'sio ack');
  const bh = await RawClient.open(f, '/');
  await bhReply(
    bh,
    bhSend(bh, { action: 'subscribe', auth_token: token, data: { account_id: ACCOUNT, binding: 'call.*.*' } }),
  );
  return { sio, bh };
}

const T = suite('sim-signal fault injection');
let f: Fixture;
T.before.each(async () => {
  f = await startFixture({ heartbeatSec: 1, heartbeatIntervalSec: 0.1, closeTimeoutSec: 1 });
});
T.after.each(async () => {
  await f.close();
});

T('dropAll terminates every socket of both protocols abruptly', async () => {
  const { sio, bh } = await connectBoth(f, f.tokens.issue(60_000).value);
  const codes: number[] = [];
  sio.ws.on('close', (code) => codes.push(code));
  bh.ws.on('close', (code) => codes.push(code));
  assert.is(f.signals.dropAll(), 2);
  await waitFor(() => sio.closed && bh.closed, { what: 'both closed' });
  assert.equal(codes, [1006, 1006], 'no close frame');
  const s = f.signals.stats();
  assert.is(s.connections, 0);
  assert.is(s.activeSubscriptions, 0);
  assert.is(f.signals.publish(callEvent('CHANNEL_CREATE', 'x')), 0);
  const again = await sioConnect(f);
  assert.not.ok(again.closed, 'new connections are served');
});

T('silence(existingOnly): old sockets go mute but stay open, new ones work; silence(false) restores', async () => {
  const { sio, bh } = await connectBoth(f, f.tokens.issue(60_000).value);
  f.signals.silence(true, { existingOnly: true });
  const sioBefore = sio.texts.length;
  const bhBefore = bh.texts.length;
  const fresh = await sioConnect(f);
  const freshBh = await RawClient.open(f, '/');
  const ping = bhSend(bh, { action: 'ping' });
  assert.is((await bhReply(freshBh, bhSend(freshBh, { action: 'ping' }))).status, 'success');
  assert.is(f.signals.publish(callEvent('CHANNEL_CREATE', 'x')), 0, 'no delivery to silent sockets');
  await waitFor(() => fresh.count((t) => t === '2::') >= 13, {
    what: 'the fresh socket gets heartbeats past the close timeout',
    timeoutMs: 4000,
  });
  assert.is(sio.texts.length, sioBefore, 'silent socket.io socket got nothing');
  assert.is(bh.texts.length, bhBefore, 'silent blackhole socket: no pong');
  assert.not.ok(sio.closed || bh.closed, 'silence does not close');
  assert.ok(f.signals.stats().blackhole.ignoredWhileSilent >= 1);
  f.signals.silence(false);
  await sio.next((t) => t === '2::', 'heartbeats resume');
  assert.is(f.signals.publish(callEvent('CHANNEL_ANSWER', 'x')), 2);
  await bh.next((t) => t.includes('"CHANNEL_ANSWER"'), 'delivery resumes');
  assert.is(bh.jsons().filter((m) => m.request_id === ping).length, 0, 'the ping sent while silent was never answered');
});

T('silence(true): new connections are mute too (no 1::) until silence(false)', async () => {
  f.signals.silence(true);
  assert.ok(f.signals.stats().silenced);
  const hs = await handshake(f);
  assert.is(hs.status, 200, 'the HTTP handshake still answers');
  const c = await RawClient.open(f, `/socket.io/1/websocket/${hs.sid}`);
  c.send('2::');
  await waitFor(() => f.signals.stats().socketio.ignoredWhileSilent === 1, { what: 'frame ignored' });
  assert.is(c.texts.length, 0);
  f.signals.silence(false);
  await c.next((t) => t === '2::', 'heartbeat after silence');
  assert.not.ok(c.texts.includes('1::'), 'the connect frame was never sent');
});

T('sendRaw and malformedFrames reach every client of both protocols', async () => {
  const { sio, bh } = await connectBoth(f, f.tokens.issue(60_000).value);
  const sioText = sio.texts.length;
  const bhText = bh.texts.length;
  assert.is(f.signals.sendRaw('hello'), 2);
  assert.is(f.signals.sendRaw(Buffer.from([9, 9])), 2);
  await waitFor(
    () =>
      sio.texts.includes('hello') &&
      bh.texts.includes('hello') &&
      sio.binaries.length === 1 &&
      bh.binaries.length === 1,
    { what: 'raw frames' },
  );
  const n = 40;
  assert.is(f.signals.malformedFrames(n), 2 * n);
  const isHb = (t: string) => t === '2::';
  await waitFor(
    () =>
      sio.texts.slice(sioText).filter((t) => !isHb(t)).length + sio.binaries.length === n + 2 &&
      bh.texts.length - bhText + bh.binaries.length === n + 2,
    { what: 'all malformed frames', timeoutMs: 10_000 },
  );
  for (const c of [sio, bh]) {
    assert.ok(
      c.texts.some((t) => t.length > 1_000_000),
      'a frame over 1 MB',
    );
    assert.ok(c.texts.includes(''), 'an empty frame');
    assert.ok(c.binaries.length >= 2, 'binary frames');
    assert.ok(
      c.texts.some((t) => t.includes(ACCOUNT)),
      'events for the subscribed account',
    );
  }
  assert.ok(sio.texts.includes('9::'), 'unknown socket.io frame type');
  assert.ok(
    sio.texts.some((t) => t.startsWith('5:::') && t.includes('CHANNEL_TELEPORT')),
    'unknown event name',
  );
  assert.ok(
    bh.jsons().some((m) => m.action === 'reply' && typeof m.request_id === 'string' && m.status === 'success'),
    'reply with an unknown request_id',
  );
  assert.not.ok(sio.closed || bh.closed);
});

T('waitForSubscriptions counts fresh tokens only; times out with SignalWaitError', async () => {
  const old = f.tokens.issue(60_000).value;
  const c = await sioConnect(f);
  sioSubscribe(c, old, 'call.CHANNEL_CREATE.*', 1);
  await c.next((t) => t === '6:::1+["ok"]', 'ack');
  await f.signals.waitForSubscriptions(1);
  const t0 = Date.now();
  let resolved = false;
  const waiting = f.signals.waitForSubscriptions(2, { freshAfter: t0 }).then(() => {
    resolved = true;
  });
  sioSubscribe(c, old, 'call.CHANNEL_ANSWER.*', 2);
  await c.next((t) => t === '6:::2+["ok"]', 'ack 2');
  assert.not.ok(resolved, 'an old token is not fresh');
  const fresh = f.tokens.issue(60_000).value;
  sioSubscribe(c, fresh, 'call.CHANNEL_CREATE.*', 3);
  sioSubscribe(c, fresh, 'call.CHANNEL_ANSWER.*', 4);
  await waiting;
  assert.ok(resolved);
  const err = await f.signals.waitForSubscriptions(5, { timeoutMs: 50 }).catch((e: unknown) => e);
  assert.instance(err, SignalWaitError);
});

const C = suite('sim-signal close');

C('close() is idempotent, frees every timer and listener, rejects pending waits', async () => {
  const clock = trackingClock();
  const g = await startFixture({ clock, heartbeatSec: 1, closeTimeoutSec: 5 });
  try {
    const upgradeListeners = g.server.listenerCount('upgrade');
    await connectBoth(g, g.tokens.issue(60_000).value);
    await handshake(g); // a pending sid with its expiry timer
    const pending = g.signals.waitForSubscriptions(99).catch((e: unknown) => e);
    assert.ok(clock.live.size >= 3, 'heartbeat, sid expiry and wait timers exist');
    const a = g.signals.close();
    const b = g.signals.close();
    assert.is(a, b);
    await a;
    assert.instance(await pending, SignalWaitError);
    assert.is(clock.live.size, 0, 'no timer left');
    assert.is(g.server.listenerCount('upgrade'), upgradeListeners - 1);
  } finally {
    for (const t of clock.live) clock.clearTimeout(t);
    await g.close();
  }
});

C('a process that used the servers exits by itself after close()', async () => {
  const file = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, SIM_SIGNAL_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, 15_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.is(code, 0, `child output: ${out}`);
  assert.match(out, /child done/);
});

async function childMain(): Promise<void> {
  // ref'd timers: a leaked heartbeat, sid or wait timer would keep this process alive
  // closeTimeoutSec 60: a leaked handshake-expiry timer would outlive the parent's 15 s deadline
  const g = await startFixture({
    clock: trackingClock(),
    heartbeatSec: 1,
    heartbeatIntervalSec: 0.1,
    closeTimeoutSec: 60,
  });
  const { sio, bh } = await connectBoth(g, g.tokens.issue(60_000).value);
  g.signals.publish(callEvent('CHANNEL_CREATE', 'x'));
  await sio.next((t) => t.includes('CHANNEL_CREATE'), 'delivery');
  await bh.next((t) => t.includes('CHANNEL_CREATE'), 'delivery');
  await handshake(g);
  void g.signals.waitForSubscriptions(99).catch(() => undefined);
  await g.close();
  console.log('child done');
}

if (process.env.SIM_SIGNAL_CHILD) {
  await childMain();
} else {
  T.run();
  C.run();
}
