// issue 9 item 7 (Socket.IO 0.9 codec in the subscriber) and issue 10 item 9 (liveness under bursts), against the
// fake upstream on real local sockets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signalNotReadyReason } from '../../src/http/health.js';
import { encodePayload } from '../../src/signals/socketio09-codec.js';
import { waitFor } from '../helpers/wait.js';
import { ACCOUNT, kazooEvent, setup } from './signals-fake-upstream.js';

test('heartbeats off (`sid::60:websocket`): a quiet link is never timed out on silence', async () => {
  const t = await setup('socketio', { heartbeatSec: 0 }, { deadAfterMs: 200 });
  try {
    t.sub.start();
    await t.waitLive();
    const since = Date.now();
    await waitFor(() => Date.now() - since > 1_200, { what: 'six dead-socket windows of silence', timeoutMs: 3_000 });
    assert.is(t.up.connections, 1, 'no reconnect');
    assert.is(t.sub.stats().reconnects, 0);
    assert.is(t.sub.currentState, 'live');
    t.up.sendEvent(kazooEvent('CHANNEL_CREATE', 'after-quiet'));
    await waitFor(() => t.events.length === 1, { what: 'an event after the quiet minute' });
  } finally {
    await t.teardown();
  }
});

test('heartbeats on: silence still ends a dead socket (2.5 × heartbeat, caller override kept)', async () => {
  const t = await setup('socketio', { heartbeatSec: 60 }, { deadAfterMs: 200 });
  try {
    t.sub.start();
    await t.waitLive();
    t.up.muted.add(0);
    await waitFor(() => t.up.connections === 2, { what: 'replaced after silence' });
  } finally {
    await t.teardown();
  }
});

test('a server offering only xhr-polling: said once (log + state problem → /readyz), retries paced, then it clears', async () => {
  const t = await setup(
    'socketio',
    { transports: 'xhr-polling,jsonp-polling' },
    { backoff: { baseMs: 10, maxMs: 40 } },
  );
  try {
    t.sub.start();
    await waitFor(() => t.up.handshakes >= 4, { what: 'several attempts' });
    const errors = t.lines.filter((l) => l.level === 50 && String(l.msg).includes('websocket'));
    assert.is(errors.length, 1, 'one clear error line');
    assert.match(String(errors[0].msg), /offers no websocket transport \(only xhr-polling, jsonp-polling\)/);
    assert.is(t.lines.filter((l) => l.msg === 'signal socket lost').length, 0, 'no warning per attempt');
    const backoff = t.states.filter((s) => s.state === 'backoff');
    assert.ok(backoff.every((s) => s.info.reason === 'handshake_failed' && /no websocket/.test(s.info.problem ?? '')));
    assert.match(t.sub.stats().problem ?? '', /only xhr-polling/);
    const reason = signalNotReadyReason(t.sub.currentState, backoff[backoff.length - 1].info);
    assert.match(reason, /^signal subscription cannot start: the signal server offers no websocket transport/);
    // the upstream is fixed: the problem clears
    (t.up.opts as { transports?: string }).transports = 'websocket';
    await t.waitLive();
    assert.is(t.sub.stats().problem, undefined);
  } finally {
    await t.teardown();
  }
});

test('readyz reason without a problem is the plain state', () => {
  assert.is(signalNotReadyReason('backoff'), 'signal subscription is backoff');
  assert.is(signalNotReadyReason('connecting', {}), 'signal subscription is connecting');
});

test('`3:::` and `4:::` packets are counted as rejected with a reason (acked when asked)', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    t.up.sendRaw('3:::hello');
    t.up.sendRaw('4:7+::{"a":1}');
    t.up.sendEvent(kazooEvent('CHANNEL_CREATE', 'after'));
    await waitFor(() => t.events.length === 1, { what: 'a later event' });
    const st = t.sub.stats();
    assert.is(st.rejected.unexpected_message, 1);
    assert.is(st.rejected.unexpected_json, 1);
    assert.is(st.framesIn.message, 1);
    assert.is(st.framesIn.json, 1);
    await waitFor(() => t.up.received.some((r) => r.text === '6:::7+[]'), { what: 'ack of the json packet' });
  } finally {
    await t.teardown();
  }
});

test('object `args` (Kazoo README shape) and array `args` both reach the sink', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    t.up.sendRaw(`5:::${JSON.stringify({ name: 'CHANNEL_CREATE', args: kazooEvent('CHANNEL_CREATE', 'obj-leg') })}`);
    t.up.sendRaw(`5:::${JSON.stringify({ name: 'CHANNEL_CREATE', args: [kazooEvent('CHANNEL_CREATE', 'arr-leg')] })}`);
    // snake_case without Event-Name: the frame name stands in
    t.up.sendRaw(
      `5:::${JSON.stringify({ name: 'CHANNEL_ANSWER', args: { call_id: 'snake-leg', call_direction: 'outbound', custom_channel_vars: { account_id: ACCOUNT } } })}`,
    );
    await waitFor(() => t.events.length === 3, { what: 'three events' });
    assert.equal(
      t.events.map((e) => [e.name, e.legId]),
      [
        ['CHANNEL_CREATE', 'obj-leg'],
        ['CHANNEL_CREATE', 'arr-leg'],
        ['CHANNEL_ANSWER', 'snake-leg'],
      ],
    );
    assert.is(t.sub.stats().rejected.bad_event, undefined);
  } finally {
    await t.teardown();
  }
});

test('a batch with an emoji in Caller-ID-Name (lengths in code points) and one broken packet: only that one is lost', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    const a = `5:::${JSON.stringify({ name: 'CHANNEL_CREATE', args: [kazooEvent('CHANNEL_CREATE', 'emoji-1', { 'Caller-ID-Name': 'Lan 😀 Nguyễn' })] })}`;
    const b = `5:::${JSON.stringify({ name: 'CHANNEL_DESTROY', args: [kazooEvent('CHANNEL_DESTROY', 'emoji-1', { 'Caller-ID-Name': '🎉' })] })}`;
    t.up.sendRaw(encodePayload([a, b]));
    await waitFor(() => t.events.length === 2, { what: 'both events of the batch' });
    assert.is(t.events[0].callerIdName, 'Lan 😀 Nguyễn');
    const c = `5:::${JSON.stringify({ name: 'CHANNEL_ANSWER', args: [kazooEvent('CHANNEL_ANSWER', 'emoji-2')] })}`;
    t.up.sendRaw(`\ufffd${[...a].length}\ufffd${a}\ufffd999\ufffd5:::{"broken":\ufffd${[...c].length}\ufffd${c}`);
    await waitFor(() => t.events.length === 4, { what: 'the good packets around the broken one' });
    assert.equal(
      t.events.slice(2).map((e) => e.name),
      ['CHANNEL_CREATE', 'CHANNEL_ANSWER'],
    );
    assert.is(t.sub.stats().rejected.bad_payload_framing, 1);
  } finally {
    await t.teardown();
  }
});

test('a burst of 1,000 deeply nested / large frames: the heartbeat echo and timers do not wait behind it', async () => {
  const t = await setup('socketio', { heartbeatSec: 2 });
  let tick: NodeJS.Timeout | undefined;
  try {
    t.sub.start();
    await t.waitLive();
    const deep = `5:::{"name":"CHANNEL_CREATE","args":[${'['.repeat(20_000)}${']'.repeat(20_000)}]}`;
    const wideVars: Record<string, unknown> = { 'Account-ID': ACCOUNT };
    for (let i = 0; i < 2_500; i++) wideVars[`X-Var-${i}`] = { v: [i, 'x', { w: i }] };
    const wide = (i: number) =>
      `5:::${JSON.stringify({ name: 'CHANNEL_CREATE', args: [kazooEvent('CHANNEL_CREATE', `wide-${i}`, { 'Custom-Channel-Vars': wideVars })] })}`;
    const ws = t.up.last();
    let echoAt = 0;
    let wideDeliveredAtEcho = -1;
    ws.on('message', (d) => {
      if (String(d) !== '2::' || echoAt) return;
      echoAt = performance.now();
      wideDeliveredAtEcho = t.events.filter((e) => e.legId.startsWith('wide-')).length;
    });
    const burst = Array.from({ length: 1_000 }, (_, i) => (i % 4 === 3 ? wide(i) : deep));
    // The fake upstream shares this process: its own sending is not measured, only what follows it.
    for (const f of burst) ws.send(f);
    const beatAt = performance.now();
    ws.send('2::');
    t.up.sendEvent(kazooEvent('CHANNEL_CREATE', 'sent-meanwhile'));
    let lastTick = performance.now();
    let worstGap = 0;
    tick = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - lastTick);
      lastTick = now;
    }, 10);
    await waitFor(() => echoAt > 0, { what: 'heartbeat echo', timeoutMs: 20_000 });
    const echoMs = echoAt - beatAt;
    await waitFor(() => t.events.some((e) => e.legId === 'sent-meanwhile'), {
      what: 'the event sent meanwhile',
      timeoutMs: 20_000,
    });
    clearInterval(tick);
    tick = undefined;
    if (process.env.SHOW_TIMES) console.log({ echoMs, worstGap, wideDeliveredAtEcho });
    assert.ok(
      wideDeliveredAtEcho < 250,
      `the echo waited for the whole backlog (${wideDeliveredAtEcho} of 250 parsed first)`,
    );
    assert.ok(echoMs < 2_000, `heartbeat echo after ${Math.round(echoMs)} ms (heartbeat 2 s)`);
    assert.ok(worstGap < 400, `a 10 ms timer waited ${Math.round(worstGap)} ms`);
    const st = t.sub.stats();
    assert.is(st.rejected.too_deep, 750);
    assert.is(t.events.filter((e) => e.legId.startsWith('wide-')).length, 250);
    assert.is(t.events[t.events.length - 1].legId, 'sent-meanwhile', 'order kept');
    assert.is(st.reconnects, 0);
    assert.is(t.up.connections, 1);
    assert.is(st.backlog, 0);
  } finally {
    if (tick) clearInterval(tick);
    await t.teardown();
  }
});

test('backlog bound: beyond maxBacklog packets are refused and counted, the socket stays', async () => {
  const t = await setup('socketio', {}, { maxBacklog: 10 });
  try {
    t.sub.start();
    await t.waitLive();
    const frames = Array.from(
      { length: 50 },
      (_, i) => `5:::${JSON.stringify({ name: 'CHANNEL_CREATE', args: [kazooEvent('CHANNEL_CREATE', `b-${i}`)] })}`,
    );
    t.up.sendRaw(encodePayload(frames));
    await waitFor(() => (t.sub.stats().rejected.backlog_full ?? 0) + t.events.length === 50, {
      what: 'all 50 accounted for',
    });
    assert.is(t.events.length, 10);
    assert.is(t.sub.stats().rejected.backlog_full, 40);
    assert.is(t.sub.currentState, 'live');
  } finally {
    await t.teardown();
  }
});

test('stop() with a backlog waiting drops it: nothing delivered after stop, no timer left', async () => {
  const t = await setup('socketio');
  try {
    t.sub.start();
    await t.waitLive();
    const frames = Array.from(
      { length: 200 },
      (_, i) => `5:::${JSON.stringify({ name: 'CHANNEL_CREATE', args: [kazooEvent('CHANNEL_CREATE', `s-${i}`)] })}`,
    );
    t.up.sendRaw(encodePayload(frames));
    await waitFor(() => t.sub.stats().backlog > 0 || t.events.length > 0, { what: 'the batch arrived' });
    await t.sub.stop();
    const n = t.events.length;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.is(t.events.length, n, 'nothing after stop()');
    assert.is(t.sub.stats().backlog, 0);
  } finally {
    await t.teardown();
  }
});

test.run();
