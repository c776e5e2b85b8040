// Scenarios every protocol must pass, registered by signals-subscriber-socketio.test.ts and
// signals-subscriber-blackhole.test.ts. Not a test file itself.
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SignalProtocol } from '../../src/shared/signal-protocol.js';
import { waitFor } from '../helpers/wait.js';
import { ACCOUNT, BINDINGS, kazooEvent, setup } from './signals-fake-upstream.js';

type Protocol = SignalProtocol;

export function commonScenarios(test: Test, protocol: Protocol, oddFrames: Array<string | Buffer>): void {
  test(`${protocol}: connect → one subscribe per binding with the token → live → events delivered`, async () => {
    const t = await setup(protocol);
    try {
      t.sub.start();
      await t.waitLive();
      assert.equal(t.stateNames(), ['connecting', 'subscribing', 'live']);
      const subs = t.up.subscribesOn(0);
      assert.equal(
        subs.map((s) => s.binding),
        BINDINGS,
      );
      assert.ok(subs.every((s) => s.token === t.tokens.current.value && s.accountId === ACCOUNT));
      assert.is(new Set(subs.map((s) => s.ref)).size, BINDINGS.length, 'distinct ack ids / request ids');

      t.up.sendEvent(
        kazooEvent('CHANNEL_CREATE', 'leg-1', {
          'Custom-Channel-Vars': { 'Account-ID': ACCOUNT, 'Owner-ID': 'ABCDEF' },
        }),
      );
      t.up.sendEvent({
        event_name: 'CHANNEL_DESTROY',
        call_id: 'leg-1',
        call_direction: 'inbound',
        duration_seconds: '31',
        custom_channel_vars: { account_id: ACCOUNT },
      });
      await waitFor(() => t.events.length === 2, { what: 'two events' });
      assert.is(t.events[0].name, 'CHANNEL_CREATE');
      assert.is(t.events[0].legId, 'leg-1');
      assert.is(t.events[0].ownerId, 'abcdef');
      assert.is(t.events[0].at, (63910891956 - 62167219200) * 1000);
      assert.type(t.events[0].receivedAt, 'number');
      assert.is(t.events[1].name, 'CHANNEL_DESTROY');
      assert.is(t.events[1].durationSec, 31);
      const st = t.sub.stats();
      assert.is(st.state, 'live');
      assert.is(st.reconnects, 0);
      assert.is(st.events, 2);
      assert.type(st.lastEventAt, 'number');
      assert.is(st.framesIn.event, 2);
    } finally {
      await t.teardown();
    }
  });

  test(`${protocol}: the server drops the socket → backoff → reconnect, subscribe again with the current token`, async () => {
    const t = await setup(protocol);
    try {
      t.sub.start();
      await t.waitLive();
      const fresh = t.tokens.rotateQuietly();
      t.up.dropAll();
      await waitFor(() => t.up.connections === 2 && t.sub.currentState === 'live', {
        what: 'live again on a second socket',
      });
      assert.equal(t.stateNames(), [
        'connecting',
        'subscribing',
        'live',
        'backoff',
        'connecting',
        'subscribing',
        'live',
      ]);
      const again = t.up.subscribesOn(1);
      assert.equal(
        again.map((s) => s.binding),
        BINDINGS,
      );
      assert.ok(
        again.every((s) => s.token === fresh.value),
        'new socket uses the fresh token',
      );
      assert.is(t.sub.stats().reconnects, 1);
      t.up.sendEvent(kazooEvent('CHANNEL_ANSWER', 'leg-2'));
      await waitFor(() => t.events.length === 1, { what: 'event on the new socket' });
    } finally {
      await t.teardown();
    }
  });

  test(`${protocol}: token refresh while live → subscribe again on the same socket, no gap, no unsubscribe`, async () => {
    const t = await setup(protocol);
    try {
      t.sub.start();
      await t.waitLive();
      const first = t.tokens.current.value;
      const next = t.tokens.refresh();
      await waitFor(() => t.up.subscribesOn(0).length === 2 * BINDINGS.length, { what: 'second round of subscribes' });
      const subs = t.up.subscribesOn(0);
      assert.ok(subs.slice(0, BINDINGS.length).every((s) => s.token === first));
      assert.equal(
        subs.slice(BINDINGS.length).map((s) => s.binding),
        BINDINGS,
      );
      assert.ok(subs.slice(BINDINGS.length).every((s) => s.token === next.value));
      assert.is(t.up.connections, 1);
      assert.not.ok(t.up.received.some((r) => r.text.includes('unsubscribe')));
      t.up.sendEvent(kazooEvent('CHANNEL_CREATE', 'leg-3'));
      await waitFor(() => t.events.length === 1, { what: 'event after the refresh' });
      assert.equal(t.stateNames(), ['connecting', 'subscribing', 'live'], 'stayed live throughout');
      // the same token reported again changes nothing
      t.tokens.reannounce();
      t.up.sendEvent(kazooEvent('CHANNEL_CREATE', 'leg-4'));
      await waitFor(() => t.events.length === 2, { what: 'a later event' });
      assert.is(t.up.subscribesOn(0).length, 2 * BINDINGS.length);
    } finally {
      await t.teardown();
    }
  });

  test(`${protocol}: a refused token → invalidate it, subscribe again with a new one`, async () => {
    let refused = '';
    const t = await setup(protocol, { accept: (tok) => tok !== refused });
    refused = t.tokens.current.value;
    try {
      t.sub.start();
      await t.waitLive();
      assert.equal(t.tokens.invalidated, [refused]);
      const subs = t.up.subscribesOn(0);
      assert.is(subs.length, 2 * BINDINGS.length);
      assert.ok(subs.slice(0, BINDINGS.length).every((s) => s.token === refused));
      assert.ok(subs.slice(BINDINGS.length).every((s) => s.token === t.tokens.current.value && s.token !== refused));
      assert.is(t.up.connections, 1, 'same socket');
    } finally {
      await t.teardown();
    }
  });

  test(`${protocol}: refused again and again → paced retries with backoff, never a hot loop`, async () => {
    const t = await setup(
      protocol,
      { accept: () => false },
      { backoff: { baseMs: 200, maxMs: 400 }, random: () => 0.999 },
    );
    try {
      const started = Date.now();
      t.sub.start();
      // rounds: refused → at once → ~200 ms → ~400 ms → ~400 ms
      await waitFor(() => t.up.subscribes.length >= 5 * BINDINGS.length, { what: 'five rounds', timeoutMs: 5_000 });
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 900, `five rounds took only ${elapsed} ms`);
      assert.is(t.sub.currentState, 'subscribing');
      assert.ok(
        t.tokens.invalidated.length >= 4 && t.tokens.invalidated.length <= 5,
        `invalidated ${t.tokens.invalidated.length}`,
      );
      assert.is(t.up.connections, 1);
    } finally {
      await t.teardown();
    }
  });

  test(`${protocol}: 1000 malformed / odd frames are counted, the socket stays, a good event still arrives`, async () => {
    const t = await setup(protocol, {}, { maxFrameBytes: 65_536 });
    try {
      t.sub.start();
      await t.waitLive();
      for (let i = 0; i < 1000; i++) {
        const f = oddFrames[i % oddFrames.length];
        t.up.sendRaw(f, Buffer.isBuffer(f));
      }
      t.up.sendEvent(kazooEvent('CHANNEL_CREATE', 'good-leg'));
      await waitFor(() => t.events.length === 1, { what: 'the good event', timeoutMs: 10_000 });
      assert.is(t.events[0].legId, 'good-leg');
      const st = t.sub.stats();
      const rejected = Object.values(st.rejected).reduce((a, b) => a + b, 0);
      assert.is(rejected, 1000, JSON.stringify(st.rejected));
      assert.is(st.state, 'live');
      assert.is(t.up.connections, 1);
      assert.is(st.reconnects, 0);
      for (const reason of [
        'oversized',
        'binary',
        'bad_json',
        'unknown_event',
        'other_account',
        'bad_call_id',
        'not_object',
      ]) {
        assert.ok((st.rejected[reason] ?? 0) > 0, `rejected.${reason}`);
      }
      const warns = t.lines.filter((l) => l.msg === 'signal frame rejected');
      assert.ok(warns.length <= Object.keys(st.rejected).length, `rate-limited: ${warns.length} warn lines`);
      assert.ok(warns.every((w) => typeof w.total === 'number' && typeof w.reason === 'string'));
    } finally {
      await t.teardown();
    }
  });

  test(`${protocol}: silence for deadAfterMs → the socket is declared dead and replaced`, async () => {
    const t = await setup(protocol, {}, { deadAfterMs: 300, pingEveryMs: 100 });
    try {
      t.sub.start();
      await t.waitLive();
      const mutedAt = Date.now();
      t.up.muted.add(0);
      await waitFor(() => t.up.connections === 2 && t.sub.currentState === 'live', { what: 'live on a new socket' });
      assert.ok(Date.now() - mutedAt >= 250, 'not before deadAfterMs');
      const lost = t.lines.find((l) => l.msg === 'signal socket lost');
      assert.is(lost?.reason, 'dead_socket');
      assert.ok(Number(lost?.silentMs) >= 300);
      await waitFor(() => t.up.closedConns.has(0), { what: 'dead socket closed' });
    } finally {
      await t.teardown();
    }
  });

  test(`${protocol}: stop() is idempotent, closes the socket, clears every timer; start() after stop does nothing`, async () => {
    const t = await setup(protocol);
    try {
      t.sub.start();
      await t.waitLive();
      const p1 = t.sub.stop();
      const p2 = t.sub.stop();
      assert.is(p1, p2);
      await p1;
      assert.is(t.sub.currentState, 'stopped');
      assert.is(t.live.size, 0);
      await waitFor(() => t.up.closedConns.has(0), { what: 'server saw the close' });
      t.sub.start();
      assert.is(t.sub.currentState, 'stopped');
      assert.equal(t.stateNames(), ['connecting', 'subscribing', 'live', 'stopped']);
    } finally {
      await t.teardown();
    }
  });

  test(`${protocol}: stop() while waiting to reconnect clears the backoff timer`, async () => {
    const t = await setup(protocol, {}, { backoff: { baseMs: 60_000, maxMs: 60_000 }, random: () => 0.5 });
    try {
      t.sub.start();
      await t.waitLive();
      t.up.dropAll();
      await waitFor(() => t.sub.currentState === 'backoff', { what: 'backoff' });
      assert.ok(t.live.size >= 1, 'backoff timer armed');
      await t.sub.stop();
      assert.is(t.live.size, 0);
    } finally {
      await t.teardown();
    }
  });
}
