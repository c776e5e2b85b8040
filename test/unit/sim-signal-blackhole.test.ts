import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { ACCOUNT, bhReply, bhSend, callEvent, type Fixture, RawClient, startFixture } from './sim-signal-fixture.js';

const T = suite('sim-signal blackhole (Kazoo 4)');
let f: Fixture;
T.before.each(async () => {
  f = await startFixture({
    limits: { maxConnectionsPerAccount: 2, maxConnectionsPerIp: 4, bucketSize: 20, refillPerSec: 10 },
  });
});
T.after.each(async () => {
  await f.close();
});

const sub = (c: RawClient, token: string, data: Record<string, unknown>, action = 'subscribe') =>
  bhSend(c, { action, auth_token: token, data: { account_id: ACCOUNT, ...data } });

T('ping → pong', async () => {
  const c = await RawClient.open(f, '/');
  const id = bhSend(c, { action: 'ping' });
  assert.equal(await bhReply(c, id), {
    action: 'reply',
    request_id: id,
    status: 'success',
    data: { response: 'pong' },
  });
});

T('subscribe reply, event delivery with Kazoo 4 fields, unsubscribe', async () => {
  const c = await RawClient.open(f, '/blackhole');
  const token = f.tokens.issue(60_000).value;
  const id = sub(c, token, { binding: 'call.CHANNEL_CREATE.*' });
  assert.equal(await bhReply(c, id), {
    action: 'reply',
    request_id: id,
    status: 'success',
    data: { subscribed: ['call.CHANNEL_CREATE.*'] },
  });
  const id2 = sub(c, token, { bindings: ['call.CHANNEL_ANSWER.*', 'call.CHANNEL_DESTROY.*'] });
  assert.equal((await bhReply(c, id2)).data, { subscribed: ['call.CHANNEL_ANSWER.*', 'call.CHANNEL_DESTROY.*'] });
  const payload = callEvent('CHANNEL_CREATE', 'leg1');
  assert.is(f.signals.publish(payload), 1);
  await waitFor(() => c.jsons().some((m) => m.action === 'event'), { what: 'event' });
  assert.equal(
    c.jsons().find((m) => m.action === 'event'),
    {
      action: 'event',
      subscribed_key: 'call.CHANNEL_CREATE.*',
      subscription_key: 'call.CHANNEL_CREATE.*',
      name: 'CHANNEL_CREATE',
      routing_key: 'call.CHANNEL_CREATE.leg1',
      data: payload,
    },
  );
  assert.is(f.signals.publish(callEvent('CHANNEL_CREATE', 'leg2', 'f'.repeat(32))), 0, 'another account');
  const id3 = sub(c, token, { binding: 'call.CHANNEL_CREATE.*' }, 'unsubscribe');
  assert.equal((await bhReply(c, id3)).data, { unsubscribed: ['call.CHANNEL_CREATE.*'] });
  assert.is(f.signals.publish(callEvent('CHANNEL_CREATE', 'leg3')), 0);
  assert.is(f.signals.publish(callEvent('CHANNEL_ANSWER', 'leg3')), 1);
});

T('bad or expired token: error reply, nothing registered', async () => {
  const c = await RawClient.open(f, '/');
  const id = sub(c, 'bogus', { binding: 'call.*.*' });
  assert.equal(await bhReply(c, id), {
    action: 'reply',
    request_id: id,
    status: 'error',
    data: { message: 'invalid auth token' },
  });
  const t = f.tokens.issue(1000).value;
  f.advance(1001);
  const id2 = sub(c, t, { binding: 'call.*.*' });
  assert.is((await bhReply(c, id2)).status, 'error');
  assert.is(f.signals.stats().activeSubscriptions, 0);
  assert.is(f.signals.stats().authFailures, 2);
  assert.not.ok(
    c.texts.some((s) => s.includes('bogus')),
    'blackhole does not echo the token',
  );
});

T('expiry stops delivery; resubscribe with a fresh token replaces it', async () => {
  const c = await RawClient.open(f, '/');
  const old = f.tokens.issue(5000).value;
  await bhReply(c, sub(c, old, { binding: 'call.*.*' }));
  f.advance(5001);
  assert.is(f.signals.publish(callEvent('CHANNEL_CREATE', 'x')), 0);
  await bhReply(c, sub(c, f.tokens.issue(5000).value, { binding: 'call.*.*' }));
  assert.is(f.signals.stats().activeSubscriptions, 1);
  assert.is(f.signals.publish(callEvent('CHANNEL_ANSWER', 'x')), 1);
  await waitFor(() => c.jsons().some((m) => m.action === 'event'), { what: 'event' });
  assert.equal(
    c
      .jsons()
      .filter((m) => m.action === 'event')
      .map((m) => m.name),
    ['CHANNEL_ANSWER'],
  );
});

T('malformed requests get error replies, never a crash', async () => {
  const c = await RawClient.open(f, '/');
  const token = f.tokens.issue(60_000).value;
  c.send('not json');
  c.send('[1,2]');
  c.ws.send(Buffer.from([0, 1, 2]));
  const id1 = bhSend(c, { action: 'frobnicate' });
  const id2 = bhSend(c, { action: 'subscribe', auth_token: token, data: { account_id: ACCOUNT } });
  const id3 = bhSend(c, { action: 'subscribe', auth_token: token, data: { binding: 'call.*.*' } });
  const id4 = bhSend(c, {
    action: 'subscribe',
    auth_token: token,
    data: { account_id: ACCOUNT, bindings: ['call.*.*', 7] },
  });
  const id5 = bhSend(c, { action: 'subscribe', auth_token: token });
  assert.equal((await bhReply(c, id1)).data, { message: 'unknown action', action: 'frobnicate' });
  assert.equal((await bhReply(c, id2)).data, { message: 'missing binding' });
  assert.equal((await bhReply(c, id3)).data, { message: 'missing account_id' });
  assert.equal((await bhReply(c, id4)).data, { message: 'invalid binding', invalid: [7] });
  assert.equal((await bhReply(c, id5)).data, { message: 'missing data' });
  await waitFor(() => c.jsons().filter((m) => m.status === 'error' && m.request_id === undefined).length === 3, {
    what: 'three anonymous errors',
  });
  assert.is(f.signals.stats().activeSubscriptions, 0, 'all-or-nothing: the valid binding of id4 was not taken');
  assert.is(f.signals.stats().blackhole.handlerErrors, 0);
  const ok = bhSend(c, { action: 'ping' });
  assert.is((await bhReply(c, ok)).status, 'success');
});

T('token bucket: over the limit → error reply "rate limit exceeded"', async () => {
  const c = await RawClient.open(f, '/');
  const ids: string[] = [];
  for (let i = 0; i < 25; i++) ids.push(bhSend(c, { action: 'ping' }));
  await bhReply(c, ids[24]);
  const replies = await Promise.all(ids.map((id) => bhReply(c, id)));
  const errors = replies.filter((r) => r.status === 'error');
  assert.ok(errors.length >= 2 && errors.length <= 5, `got ${errors.length} limited`);
  assert.equal(errors[0].data, { message: 'rate limit exceeded' });
  assert.is(f.signals.stats().blackhole.rateLimited, errors.length);
});

T('connections per account and per IP are limited', async () => {
  const token = f.tokens.issue(60_000).value;
  const a = await RawClient.open(f, '/');
  const b = await RawClient.open(f, '/');
  const c = await RawClient.open(f, '/');
  assert.is((await bhReply(a, sub(a, token, { binding: 'call.*.*' }))).status, 'success');
  assert.is((await bhReply(b, sub(b, token, { binding: 'call.*.*' }))).status, 'success');
  assert.is((await bhReply(a, sub(a, token, { binding: 'call.#' }))).status, 'success', 'same socket: fine');
  const refused = await bhReply(c, sub(c, token, { binding: 'call.*.*' }));
  assert.equal(refused.data, { message: 'too many connections for this account' });
  await RawClient.open(f, '/');
  let err: unknown;
  await RawClient.open(f, '/').catch((e) => {
    err = e;
  });
  assert.match(String(err), /429/);
  assert.is(f.signals.stats().blackhole.refusedPerIp, 1);
});

T.run();
