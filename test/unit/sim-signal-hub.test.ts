import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Delivery, SignalHub, type SubscribedInfo } from '../../src/simulator/signal-hub.js';
import { TokenRegistry } from '../../src/simulator/token-registry.js';

const ACC = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);

function ev(name: string, callId: string, accountId = ACC): Record<string, unknown> {
  return { 'Event-Name': name, 'Call-ID': callId, 'Custom-Channel-Vars': { 'Account-ID': accountId } };
}

function setup() {
  let now = 1_000_000;
  const tokens = new TokenRegistry(() => now);
  const hub = new SignalHub({ tokens, now: () => now });
  const got = new Map<string, Delivery[]>();
  const conn = (id: string, ok = true) => {
    got.set(id, []);
    hub.addConnection(id, 'blackhole', (d) => {
      got.get(id)!.push(d);
      return ok;
    });
  };
  return {
    hub,
    tokens,
    got,
    conn,
    tick: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const T = suite('sim-signal hub');

T('publish routes by binding and account, counts deliveries', () => {
  const { hub, tokens, got, conn } = setup();
  const t = tokens.issue(60_000).value;
  conn('c1');
  conn('c2');
  assert.ok(hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.CHANNEL_CREATE.*', token: t }).ok);
  assert.ok(hub.subscribe({ connectionId: 'c2', accountId: OTHER, binding: 'call.*.*', token: t }).ok);
  assert.is(hub.publish(ev('CHANNEL_CREATE', 'x1')), 1);
  assert.is(hub.publish(ev('CHANNEL_ANSWER', 'x1')), 0);
  assert.is(hub.publish(ev('CHANNEL_ANSWER', 'x1', OTHER)), 1);
  assert.equal(
    got.get('c1')!.map((d) => [d.binding, d.routingKey, d.eventName]),
    [['call.CHANNEL_CREATE.*', 'call.CHANNEL_CREATE.x1', 'CHANNEL_CREATE']],
  );
  assert.equal(
    got.get('c2')!.map((d) => d.routingKey),
    ['call.CHANNEL_ANSWER.x1'],
  );
  assert.is(hub.publish({ 'Event-Name': 'CHANNEL_CREATE', 'Custom-Channel-Vars': { 'Account-ID': ACC } }), 0);
  assert.is(hub.stats().unroutable, 1);
  assert.is(hub.stats().deliveries, 2);
});

T('one delivery per matching binding on the same connection', () => {
  const { hub, tokens, got, conn } = setup();
  const t = tokens.issue(60_000).value;
  conn('c1');
  hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.CHANNEL_CREATE.*', token: t });
  hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.*.*', token: t });
  assert.is(hub.publish(ev('CHANNEL_CREATE', 'x')), 2);
  assert.equal(
    got
      .get('c1')!
      .map((d) => d.binding)
      .sort(),
    ['call.*.*', 'call.CHANNEL_CREATE.*'],
  );
});

T('an expired token silently stops delivery; resubscribe replaces the token', () => {
  const { hub, tokens, got, conn, tick } = setup();
  const old = tokens.issue(10_000).value;
  conn('c1');
  assert.equal(hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.*.*', token: old }), {
    ok: true,
    replaced: false,
  });
  assert.is(hub.publish(ev('CHANNEL_CREATE', 'x')), 1);
  tick(10_001);
  assert.is(hub.publish(ev('CHANNEL_ANSWER', 'x')), 0);
  assert.is(hub.stats().skippedInvalidToken, 1);
  const fresh = tokens.issue(10_000).value;
  assert.equal(hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.*.*', token: fresh }), {
    ok: true,
    replaced: true,
  });
  assert.is(hub.stats().activeSubscriptions, 1);
  assert.is(hub.publish(ev('CHANNEL_DESTROY', 'x')), 1);
  assert.equal(
    got.get('c1')!.map((d) => d.eventName),
    ['CHANNEL_CREATE', 'CHANNEL_DESTROY'],
  );
});

T('bad tokens are refused and counted; unsubscribe and removeConnection', () => {
  const { hub, tokens, conn, tick } = setup();
  conn('c1');
  assert.equal(hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.*.*', token: 'nope' }), {
    ok: false,
    reason: 'unknown',
  });
  const t = tokens.issue(1000).value;
  tick(2000);
  assert.equal(hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.*.*', token: t }), {
    ok: false,
    reason: 'expired',
  });
  const r = tokens.issue(1000).value;
  tokens.revokeAll();
  assert.equal(hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.*.*', token: r }), {
    ok: false,
    reason: 'revoked',
  });
  assert.is(hub.stats().authFailures, 3);
  assert.is(hub.stats().subscribeRequests, 3);
  const good = tokens.issue(60_000).value;
  assert.equal(hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call..x', token: good }), {
    ok: false,
    reason: 'invalid_binding',
  });
  assert.equal(hub.subscribe({ connectionId: 'zz', accountId: ACC, binding: 'call.*.*', token: good }), {
    ok: false,
    reason: 'unknown_connection',
  });
  hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.*.*', token: good });
  hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.CHANNEL_CREATE.*', token: good });
  assert.ok(hub.unsubscribe('c1', 'call.*.*'));
  assert.not.ok(hub.unsubscribe('c1', 'call.*.*'));
  assert.is(hub.stats().activeSubscriptions, 1);
  assert.is(hub.removeConnection('c1'), 1);
  assert.equal(hub.stats().connections, 0);
  assert.equal(hub.stats().connectionsTotal, 1);
  assert.is(hub.publish(ev('CHANNEL_CREATE', 'x')), 0);
});

T('onSubscribed and countSubscriptions({ freshAfter })', () => {
  const { hub, tokens, conn, tick, now } = setup();
  conn('c1');
  const infos: SubscribedInfo[] = [];
  const off = hub.onSubscribed((i) => infos.push(i));
  const old = tokens.issue(60_000).value;
  hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.CHANNEL_CREATE.*', token: old });
  tick(1000);
  const t1 = now();
  assert.is(hub.countSubscriptions({ freshAfter: t1 }), 0);
  const fresh = tokens.issue(60_000).value;
  hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.CHANNEL_CREATE.*', token: fresh });
  hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.CHANNEL_ANSWER.*', token: old });
  assert.is(hub.countSubscriptions({ freshAfter: t1 }), 1);
  assert.is(hub.countSubscriptions({ validOnly: true }), 2);
  assert.is(infos.length, 3);
  assert.equal(
    infos.map((i) => i.replaced),
    [false, true, false],
  );
  assert.is(infos[1].tokenFreshAt, t1);
  assert.not.ok(JSON.stringify(infos).includes(fresh), 'no token in the info');
  off();
  hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.#', token: fresh });
  assert.is(infos.length, 3);
});

T('a delivery that is not sent is not counted; a throwing deliver does not escape', () => {
  const { hub, tokens, conn } = setup();
  const t = tokens.issue(60_000).value;
  conn('c1', false);
  hub.addConnection('c2', 'socketio09', () => {
    throw new Error('boom');
  });
  hub.subscribe({ connectionId: 'c1', accountId: ACC, binding: 'call.*.*', token: t });
  hub.subscribe({ connectionId: 'c2', accountId: ACC, binding: 'call.*.*', token: t });
  assert.is(hub.publish(ev('CHANNEL_CREATE', 'x')), 0);
  assert.is(hub.stats().notSent, 2);
  assert.throws(() => hub.addConnection('c1', 'blackhole', () => true), /already registered/);
});

T.run();
