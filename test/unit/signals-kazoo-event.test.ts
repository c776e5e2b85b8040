import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_FIELD_CHARS, normaliseKey, parseKazooEvent, sipUser } from '../../src/signals/kazoo-event.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const ACC = '0123456789abcdef0123456789abcdef';
const OWNER = 'AABBCCDDEEFF00112233445566778899';

const titleCase = {
  'Event-Category': 'call_event',
  'Event-Name': 'CHANNEL_DESTROY',
  'Msg-ID': '6c2f0c4e-1',
  'Call-ID': 'at6dmu4ffk97vnlp6qfq',
  'Other-Leg-Call-ID': 'leg-c',
  'Bridge-ID': 'br-1',
  'Call-Direction': 'outbound',
  'Caller-ID-Name': 'Nguyen Van A',
  'Caller-ID-Number': '0934890883',
  'Callee-ID-Name': '',
  'Callee-ID-Number': '02873019555',
  From: '0934890883@acme.antring.vn',
  To: 'sip:02873019555@acme.antring.vn',
  Request: '<sip:101@acme.antring.vn;transport=udp>',
  'Custom-Channel-Vars': {
    'Account-ID': ACC,
    'Owner-ID': OWNER,
    'Authorizing-ID': 'dev1',
    'Authorizing-Type': 'device',
    Username: 'user101',
    Realm: 'acme.antring.vn',
    'Queue-ID': 'q-sales',
  },
  Timestamp: 63610891956,
  Disposition: 'ANSWER',
  'Hangup-Cause': 'NORMAL_CLEARING',
  'Duration-Seconds': '31',
  'Billing-Seconds': '25',
  'Ringing-Seconds': 6,
};

const expected = {
  name: 'CHANNEL_DESTROY',
  msgId: '6c2f0c4e-1',
  legId: 'at6dmu4ffk97vnlp6qfq',
  otherLegId: 'leg-c',
  bridgeId: 'br-1',
  direction: 'outbound',
  callerIdName: 'Nguyen Van A',
  callerIdNumber: '0934890883',
  calleeIdNumber: '02873019555',
  from: '0934890883',
  to: '02873019555',
  request: '101',
  accountId: ACC,
  ownerId: OWNER.toLowerCase(),
  authorizingId: 'dev1',
  authorizingType: 'device',
  username: 'user101',
  queueId: 'q-sales',
  at: Date.UTC(2015, 9, 1, 4, 12, 36),
  disposition: 'ANSWER',
  hangupCause: 'NORMAL_CLEARING',
  durationSec: 31,
  billingSec: 25,
  ringingSec: 6,
  receivedAt: 12.5,
};

function snake(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = k.toLowerCase().replace(/-/g, '_');
    out[key] = v && typeof v === 'object' && !Array.isArray(v) ? snake(v as Record<string, unknown>) : v;
  }
  return out;
}

test('normaliseKey', () => {
  assert.is(normaliseKey('Call-ID'), 'call_id');
  assert.is(normaliseKey('CUSTOM-channel_VARS'), 'custom_channel_vars');
});

test('Title-Case payload → every field', () => {
  const r = parseKazooEvent(titleCase, 12.5, NOW);
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.event, expected);
});

test('snake_case payload → the same event', () => {
  const r = parseKazooEvent(snake(titleCase), 12.5, NOW);
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.event, expected);
});

test('mixed and odd case keys', () => {
  const r = parseKazooEvent(
    {
      EVENT_NAME: 'channel_create',
      'call-id': ' leg-1 ',
      CALL_DIRECTION: 'Inbound',
      'caller_id-NUMBER': 934890883,
      custom_Channel_Vars: { OWNER_id: 'ABC', account_ID: ACC },
    },
    1,
    NOW,
  );
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.event.name, 'CHANNEL_CREATE');
  assert.is(r.event.legId, 'leg-1');
  assert.is(r.event.direction, 'inbound');
  assert.is(r.event.callerIdNumber, '934890883');
  assert.is(r.event.ownerId, 'abc');
  assert.is(r.event.accountId, ACC);
});

test('digit strings and numbers; bad numbers are dropped, not fatal', () => {
  const base = { 'Event-Name': 'CHANNEL_DESTROY', 'Call-ID': 'x', 'Call-Direction': 'inbound' };
  const r = parseKazooEvent(
    { ...base, 'Duration-Seconds': ' 31 ', 'Billing-Seconds': 'abc', 'Ringing-Seconds': -4, Timestamp: '63610891956' },
    0,
    NOW,
  );
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.event.durationSec, 31);
  assert.is(r.event.billingSec, undefined);
  assert.is(r.event.ringingSec, undefined);
  assert.is(r.event.at, Date.UTC(2015, 9, 1, 4, 12, 36));
});

test('Timestamp missing or implausible → nowMs', () => {
  const base = { 'Event-Name': 'CHANNEL_ANSWER', 'Call-ID': 'x', 'Call-Direction': 'inbound' };
  for (const ts of [undefined, null, 'soon', 0, -5, 1_700_000_000, 1e20, Number.NaN, {}, [], '63610891956x']) {
    const r = parseKazooEvent(ts === undefined ? base : { ...base, Timestamp: ts }, 0, NOW);
    assert.ok(r.ok, String(ts));
    if (r.ok) assert.is(r.event.at, NOW, `Timestamp ${String(ts)}`);
  }
});

test('missing optional fields stay absent; minimal event', () => {
  const r = parseKazooEvent({ 'Event-Name': 'CHANNEL_BRIDGE', 'Call-ID': 'x', 'Call-Direction': 'outbound' }, 7, NOW);
  assert.ok(r.ok);
  if (r.ok)
    assert.equal(r.event, { name: 'CHANNEL_BRIDGE', legId: 'x', direction: 'outbound', at: NOW, receivedAt: 7 });
});

test('strings are trimmed and capped', () => {
  const long = 'n'.repeat(5000);
  const r = parseKazooEvent(
    {
      'Event-Name': 'CHANNEL_CREATE',
      'Call-ID': 'x',
      'Call-Direction': 'inbound',
      'Caller-ID-Name': `  ${long}  `,
      Disposition: '   ',
    },
    0,
    NOW,
  );
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.event.callerIdName?.length, MAX_FIELD_CHARS);
  assert.is(r.event.disposition, undefined);
});

test('a JSON string body is accepted', () => {
  const r = parseKazooEvent(JSON.stringify(titleCase), 12.5, NOW);
  assert.ok(r.ok);
});

test('SIP URI user part', () => {
  assert.is(sipUser('0934890883@acme.antring.vn'), '0934890883');
  assert.is(sipUser('sip:101@realm'), '101');
  assert.is(sipUser('SIPS:101@realm:5061'), '101');
  assert.is(sipUser('"Bob" <sip:102@realm;transport=tcp>'), '102');
  assert.is(sipUser('tel:+84934890883'), '+84934890883');
  assert.is(sipUser('103;user=phone'), '103');
  assert.is(sipUser('nouser'), 'nouser');
  assert.is(sipUser('@realm'), undefined);
  assert.is(sipUser(''), undefined);
  assert.is(sipUser(42), '42');
  assert.is(sipUser({}), undefined);
});

const ok = { 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'x', 'Call-Direction': 'inbound' };
const garbage: Array<[string, unknown, string]> = [
  ['undefined', undefined, 'not_object'],
  ['null', null, 'not_object'],
  ['number', 42, 'not_object'],
  ['boolean', true, 'not_object'],
  ['array', [ok], 'not_object'],
  ['non-JSON string', '{nope', 'bad_json'],
  ['JSON array string', '[1,2]', 'not_object'],
  ['huge string', 'x'.repeat(300_000), 'oversized'],
  ['empty object', {}, 'missing_event_name'],
  ['unknown event', { ...ok, 'Event-Name': 'CHANNEL_PARK' }, 'unknown_event'],
  ['event name number', { ...ok, 'Event-Name': 7 }, 'unknown_event'],
  ['event name object', { ...ok, 'Event-Name': { a: 1 } }, 'unknown_event'],
  ['no call id', { 'Event-Name': 'CHANNEL_CREATE', 'Call-Direction': 'inbound' }, 'missing_call_id'],
  ['call id number', { ...ok, 'Call-ID': 12345 }, 'bad_call_id'],
  ['call id blank', { ...ok, 'Call-ID': '   ' }, 'bad_call_id'],
  ['call id too long', { ...ok, 'Call-ID': 'c'.repeat(257) }, 'bad_call_id'],
  ['call id array', { ...ok, 'Call-ID': ['x'] }, 'bad_call_id'],
  ['no direction', { 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'x' }, 'missing_direction'],
  ['direction sideways', { ...ok, 'Call-Direction': 'sideways' }, 'bad_direction'],
  ['direction number', { ...ok, 'Call-Direction': 1 }, 'bad_direction'],
];

for (const [label, input, reason] of garbage) {
  test(`garbage: ${label} → ${reason}`, () => {
    const r = parseKazooEvent(input, 0, NOW);
    assert.equal(r, { ok: false, reason });
  });
}

test('garbage field types are dropped, never thrown', () => {
  const r = parseKazooEvent(
    {
      ...ok,
      'Custom-Channel-Vars': 'not an object',
      From: { a: 1 },
      To: [1],
      'Msg-ID': null,
      'Other-Leg-Call-ID': true,
      __proto__: { polluted: 1 },
    },
    0,
    NOW,
  );
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.event.from, undefined);
  assert.is(r.event.to, undefined);
  assert.is(r.event.accountId, undefined);
  assert.is(r.event.otherLegId, undefined);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('hostile objects (throwing getters, proxies) → rejected, never a throw', () => {
  const getter = Object.defineProperty({ ...ok }, 'Call-ID', {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });
  assert.equal(parseKazooEvent(getter, 0, NOW), { ok: false, reason: 'unreadable' });
  const proxy = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('boom');
      },
    },
  );
  assert.equal(parseKazooEvent(proxy, 0, NOW), { ok: false, reason: 'unreadable' });
});

test('random junk never throws', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const atoms: unknown[] = [
    null,
    0,
    -1,
    1e308,
    '',
    ' ',
    'CHANNEL_CREATE',
    'inbound',
    '31',
    [],
    {},
    true,
    'x'.repeat(300),
  ];
  const keys = [
    'Event-Name',
    'Call-ID',
    'Call-Direction',
    'Timestamp',
    'Custom-Channel-Vars',
    'From',
    'Duration-Seconds',
    'event_name',
    'call_id',
  ];
  for (let i = 0; i < 3000; i++) {
    const o: Record<string, unknown> = {};
    for (const k of keys)
      if (rnd() < 0.6)
        o[k] =
          rnd() < 0.2
            ? { 'Owner-ID': atoms[Math.floor(rnd() * atoms.length)] }
            : atoms[Math.floor(rnd() * atoms.length)];
    const r = parseKazooEvent(o, 0, NOW);
    assert.type(r.ok, 'boolean');
    if (!r.ok) assert.type(r.reason, 'string');
  }
});

test.run();

// Issue 9, item 5: where Kazoo puts the fields (webhooks_channel_util.erl, other-leg.xml, call_event_headers.xml).
const kz = suite('kazoo-event: fields where Kazoo puts them');

kz('webhooks shape: hook_event names the event, owner_id / authorizing_type at the top level', () => {
  const r = parseKazooEvent(
    {
      hook_event: 'channel_answer',
      call_id: 'w1',
      call_direction: 'outbound',
      owner_id: OWNER,
      authorizing_type: 'device',
      account_id: ACC,
      custom_channel_vars: {},
    },
    0,
    NOW,
  );
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.event.name, 'CHANNEL_ANSWER');
  assert.is(r.event.ownerId, OWNER.toLowerCase());
  assert.is(r.event.authorizingType, 'device');
  assert.is(r.event.accountId, ACC);
});

kz('the frame name stands in for a missing Event-Name; Event-Name wins when present', () => {
  const r = parseKazooEvent({ 'Call-ID': 'f1', 'Call-Direction': 'inbound' }, 0, NOW, 'CHANNEL_BRIDGE');
  assert.ok(r.ok && r.event.name === 'CHANNEL_BRIDGE');
  const r2 = parseKazooEvent(
    { 'Event-Name': 'CHANNEL_DESTROY', 'Call-ID': 'f1', 'Call-Direction': 'inbound' },
    0,
    NOW,
    'CHANNEL_BRIDGE',
  );
  assert.ok(r2.ok && r2.event.name === 'CHANNEL_DESTROY');
});

kz(
  'Bridge-ID inside Custom-Channel-Vars, Bridge-B-Unique-ID, Other-Leg-*, Hangup-Code, Billing-Milli-Seconds, Channel-Created-Time',
  () => {
    const r = parseKazooEvent(
      {
        'Event-Name': 'CHANNEL_BRIDGE',
        'Call-ID': 'b1',
        'Call-Direction': 'outbound',
        'Custom-Channel-Vars': { 'Bridge-ID': 'c9' },
        'Bridge-B-Unique-ID': 'c9',
        'Other-Leg-Caller-ID-Number': '0934890883',
        'Other-Leg-Destination-Number': '8001',
        'Hangup-Code': 'sip:486',
        'Billing-Milli-Seconds': '31250',
        'Channel-Created-Time': '1740967200123456',
      },
      0,
      NOW,
    );
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.is(r.event.bridgeId, 'c9');
    assert.is(r.event.bridgeBLegId, 'c9');
    assert.is(r.event.otherLegCallerIdNumber, '0934890883');
    assert.is(r.event.otherLegDestinationNumber, '8001');
    assert.is(r.event.hangupCode, 'sip:486');
    assert.is(r.event.billingMs, 31250);
    assert.is(r.event.createdAt, 1740967200123);
  },
);

kz('an Other-Leg-Call-ID equal to the own Call-ID (origination-uuid fallback) links nothing', () => {
  const r = parseKazooEvent(
    { 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'self1', 'Call-Direction': 'outbound', 'Other-Leg-Call-ID': 'self1' },
    0,
    NOW,
  );
  assert.ok(r.ok && r.event.otherLegId === undefined);
});

kz.run();
