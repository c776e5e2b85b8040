// Fault injection: varied malformed or odd frames, per protocol, that a robust client must survive
// (count and ignore, never crash). Pure: builds the frames; the protocol servers send them.
import { randomBytes, randomUUID } from 'node:crypto';

export interface MalformedContext {
  /** The account the socket subscribed for (events "for this account" use it). */
  accountId: string;
  /** Another account, whose events the client must not take as its own. */
  otherAccountId: string;
}

export type RawFrame = string | Buffer;

const HUGE_BYTES = 1_100_000; // over 1 MB
let hugePadding: string | undefined;
function padding(): string {
  hugePadding ??= 'x'.repeat(HUGE_BYTES);
  return hugePadding;
}

function gregorianNow(): number {
  return Math.floor(Date.now() / 1000) + 62167219200;
}

function event(name: string, accountId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'Event-Category': 'call_event',
    'Event-Name': name,
    'Msg-ID': randomUUID(),
    'Call-ID': `malformed-${randomBytes(6).toString('hex')}`,
    'Call-Direction': 'inbound',
    'Caller-ID-Number': '0934890883',
    'Custom-Channel-Vars': { 'Account-ID': accountId },
    Timestamp: gregorianNow(),
    ...extra,
  };
}

function withoutCallId(accountId: string): Record<string, unknown> {
  const e = event('CHANNEL_CREATE', accountId);
  delete e['Call-ID'];
  return e;
}

export function randomAccountId(): string {
  return randomBytes(16).toString('hex');
}

/** Socket.IO 0.9 frames a client must reject or ignore. */
export function socketio09MalformedFrames(ctx: MalformedContext): RawFrame[] {
  const ev = (name: string, args: unknown) => `5:::${JSON.stringify({ name, args })}`;
  return [
    '5:::this is not json',
    ev('CHANNEL_CREATE', 'not-an-array'),
    ev('CHANNEL_CREATE', [42]),
    '5:::{"name":"CHANNEL_CREATE","args":[{"Event-Name":"CHANNEL_CRE',
    ev('CHANNEL_TELEPORT', [event('CHANNEL_TELEPORT', ctx.accountId)]),
    ev('CHANNEL_CREATE', [withoutCallId(ctx.accountId)]),
    ev('CHANNEL_CREATE', [event('CHANNEL_CREATE', ctx.otherAccountId)]),
    ev('CHANNEL_CREATE', [event('CHANNEL_CREATE', ctx.accountId, { Padding: padding() })]),
    randomBytes(64),
    '',
    '9::',
    'x:::garbage',
    '5:::{"args":[]}',
    '5:::null',
    '6:::99999+["ok"]',
    '\ufffd99\ufffd2::',
    ev('CHANNEL_ANSWER', [{ 'Event-Name': 7, 'Call-ID': ['x'], 'Custom-Channel-Vars': 'nope' }]),
    '7:::',
    '0::/unknown-endpoint',
  ];
}

/** Kazoo 4 blackhole frames a client must reject or ignore. */
export function blackholeMalformedFrames(ctx: MalformedContext): RawFrame[] {
  const evt = (name: string, data: unknown, binding = 'call.*.*', extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      action: 'event',
      subscribed_key: binding,
      subscription_key: binding,
      name,
      routing_key: `call.${name}.x`,
      data,
      ...extra,
    });
  return [
    'this is not json',
    '{"action":"event","name":"CHANNEL_CREATE","data":{"Call-ID":"abc"',
    '[]',
    'null',
    '42',
    evt('CHANNEL_CREATE', 'a string, not an object'),
    JSON.stringify({ action: 'frobnicate', data: {} }),
    evt('CHANNEL_TELEPORT', event('CHANNEL_TELEPORT', ctx.accountId)),
    evt('CHANNEL_CREATE', withoutCallId(ctx.accountId)),
    evt('CHANNEL_CREATE', event('CHANNEL_CREATE', ctx.otherAccountId)),
    evt('CHANNEL_CREATE', event('CHANNEL_CREATE', ctx.accountId, { Padding: padding() })),
    randomBytes(64),
    '',
    JSON.stringify({ action: 'reply', request_id: randomUUID(), status: 'success', data: {} }),
    JSON.stringify({ action: 'reply', request_id: randomUUID(), status: 'error', data: { message: 'unexpected' } }),
    evt('CHANNEL_CREATE', event('CHANNEL_CREATE', ctx.accountId), 'call.*.*', { subscribed_key: 123, name: null }),
    JSON.stringify({ action: 'event' }),
  ];
}
