// Kazoo payload builders: Title-Case keys, Custom-Channel-Vars, Gregorian Timestamp, digit-string durations,
// SIP URIs, the snake_case variant and the benchmark's X-Sim-Sent-At.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildEvent, fromGregorian, type LegSpec, newLegId, toGregorian } from '../../src/simulator/kazoo-payload.js';

const t = suite('kazoo payloads');

const leg: LegSpec = {
  callId: 'at6dmu4ffk97vnlp6qfq',
  direction: 'outbound',
  callerIdNumber: '0934890883',
  calleeIdNumber: '8001',
  calleeIdName: 'Lan',
  from: '0934890883',
  to: '8001',
  request: 'user_lan8001',
  accountId: 'a'.repeat(32),
  realm: 'acme.antring.vn',
  ownerId: 'b'.repeat(32),
  authorizingId: 'c'.repeat(32),
  username: 'user_lan8001',
  queueId: 'd'.repeat(32),
};
const at = Date.UTC(2015, 9, 1, 4, 12, 36);

t('Gregorian seconds', () => {
  assert.is(toGregorian(at), 63610891956, 'the Kazoo example: 2015-10-01T04:12:36Z');
  assert.is(fromGregorian(63610891956), at);
});

t('CHANNEL_CREATE with Title-Case keys', () => {
  const before = Date.now();
  const p = buildEvent('CHANNEL_CREATE', leg, { at, otherLegCallId: 'root123' });
  assert.is(p['Event-Category'], 'call_event');
  assert.is(p['Event-Name'], 'CHANNEL_CREATE');
  assert.match(p['Msg-ID'] as string, /^[0-9]{16}$/, "Msg-ID = the event's microsecond timestamp (msg-id.xml)");
  assert.ok(Math.abs(Number(p['Msg-ID']) / 1000 - at) < 1000);
  assert.is(p['Call-ID'], leg.callId);
  assert.is(p['Other-Leg-Call-ID'], 'root123');
  assert.not.ok('Bridge-ID' in p);
  assert.is(p['Call-Direction'], 'outbound');
  assert.is(p['Caller-ID-Number'], '0934890883');
  assert.is(p['Caller-ID-Name'], '0934890883');
  assert.is(p['Callee-ID-Number'], '8001');
  assert.is(p.From, '0934890883@acme.antring.vn');
  assert.is(p.To, '8001@acme.antring.vn');
  assert.is(p.Request, 'user_lan8001@acme.antring.vn');
  assert.equal(p['Custom-Channel-Vars'], {
    'Account-ID': 'a'.repeat(32),
    'Owner-ID': 'b'.repeat(32),
    'Authorizing-ID': 'c'.repeat(32),
    'Authorizing-Type': 'device',
    Username: 'user_lan8001',
    Realm: 'acme.antring.vn',
    'Queue-ID': 'd'.repeat(32),
  });
  assert.is(p.Timestamp, 63610891956);
  assert.not.ok('Hangup-Cause' in p || 'Duration-Seconds' in p);
  assert.ok((p['X-Sim-Sent-At'] as number) >= before);
  assert.is.not(buildEvent('CHANNEL_CREATE', leg, { at })['Msg-ID'], p['Msg-ID'], 'a new Msg-ID per event');
});

t('a party leg has no Owner-ID, Authorizing-* or Queue-ID', () => {
  const party: LegSpec = {
    ...leg,
    ownerId: undefined,
    authorizingId: undefined,
    username: undefined,
    queueId: undefined,
  };
  assert.equal(buildEvent('CHANNEL_CREATE', party, { at })['Custom-Channel-Vars'], {
    'Account-ID': 'a'.repeat(32),
    Realm: 'acme.antring.vn',
  });
});

t('CHANNEL_DESTROY: cause and digit-string durations', () => {
  const p = buildEvent('CHANNEL_DESTROY', leg, {
    at,
    hangupCause: 'LOSE_RACE',
    durationSec: 6.4,
    billingSec: 0,
    ringingSec: 6,
    bridgeId: 'root',
  });
  assert.is(p['Hangup-Cause'], 'LOSE_RACE');
  assert.is(p['Duration-Seconds'], '6');
  assert.is(p['Billing-Seconds'], '0');
  assert.is(p['Ringing-Seconds'], '6');
  assert.is(p['Bridge-ID'], 'root');
});

t('snake_case variant, nested keys included', () => {
  const p = buildEvent('CHANNEL_ANSWER', leg, { at, otherLegCallId: 'root123', disposition: 'ANSWER' }, 'snake');
  assert.is(p.event_name, 'CHANNEL_ANSWER');
  assert.is(p.call_id, leg.callId);
  assert.is(p.other_leg_call_id, 'root123');
  assert.is(p.caller_id_number, '0934890883');
  assert.is(p.disposition, 'ANSWER');
  const ccv = p.custom_channel_vars as Record<string, unknown>;
  assert.is(ccv.owner_id, 'b'.repeat(32));
  assert.is(ccv.queue_id, 'd'.repeat(32));
  assert.is(ccv.account_id, 'a'.repeat(32));
  assert.ok(typeof p['X-Sim-Sent-At'] === 'number');
  assert.not.ok(Object.keys(p).some((k) => k !== 'X-Sim-Sent-At' && /[A-Z-]/.test(k)));
});

t('leg ids look like Kazoo call ids', () => {
  const ids = new Set(Array.from({ length: 50 }, newLegId));
  assert.is(ids.size, 50);
  for (const id of ids) assert.match(id, /^[a-z0-9]{20}$/);
});

t.run();
