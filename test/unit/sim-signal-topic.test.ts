import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  accountIdOf,
  bindingMatches,
  callRouteOf,
  encodeRoutingWord,
  isValidBinding,
} from '../../src/simulator/signal-topic.js';

const T = suite('sim-signal topic matching');

const table: Array<[string, string, boolean]> = [
  ['call.CHANNEL_CREATE.*', 'call.CHANNEL_CREATE.abc', true],
  ['call.CHANNEL_CREATE.*', 'call.CHANNEL_ANSWER.abc', false],
  ['call.CHANNEL_CREATE.*', 'call.CHANNEL_CREATE', false],
  ['call.CHANNEL_CREATE.*', 'call.CHANNEL_CREATE.abc.def', false],
  ['call.*.*', 'call.CHANNEL_DESTROY.abc', true],
  ['call.*.*', 'call.CHANNEL_DESTROY', false],
  ['call.*', 'call.CHANNEL_DESTROY.abc', false],
  ['call.#', 'call.CHANNEL_DESTROY.abc', true],
  ['call.#', 'call', true],
  ['#', 'call.CHANNEL_CREATE.abc', true],
  ['#.abc', 'call.CHANNEL_CREATE.abc', true],
  ['#.abc', 'call.CHANNEL_CREATE.abd', false],
  ['call.#.abc', 'call.abc', true],
  ['call.#.abc', 'call.X.Y.abc', true],
  ['call.*.#', 'call.CHANNEL_CREATE', true],
  ['call.*.#', 'call', false],
  ['call.CHANNEL_CREATE.abc', 'call.CHANNEL_CREATE.abc', true],
  ['call.CHANNEL_CREATE.abc', 'call.CHANNEL_CREATE.abcd', false],
  ['object.*.*', 'call.CHANNEL_CREATE.abc', false],
  ['*.*.*', 'call.CHANNEL_CREATE.abc', true],
  ['#.#', 'call.CHANNEL_CREATE.abc', true],
];

T('binding table (* one word, # zero or more)', () => {
  for (const [binding, key, expected] of table) {
    assert.is(bindingMatches(binding, key), expected, `${binding} vs ${key}`);
  }
});

T('routing key call.<Event-Name>.<Call-ID>, Call-ID dots encoded like Kazoo', () => {
  assert.equal(callRouteOf({ 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'at6dmu4ffk97vnlp6qfq' }), {
    eventName: 'CHANNEL_CREATE',
    callId: 'at6dmu4ffk97vnlp6qfq',
    routingKey: 'call.CHANNEL_CREATE.at6dmu4ffk97vnlp6qfq',
  });
  const r = callRouteOf({ 'Event-Name': 'CHANNEL_CREATE', 'Call-ID': 'abc.def@10.0.0.1' });
  assert.is(r?.routingKey, 'call.CHANNEL_CREATE.abc%2Edef@10%2E0%2E0%2E1');
  assert.ok(bindingMatches('call.CHANNEL_CREATE.*', r!.routingKey));
  assert.is(encodeRoutingWord('a*#%'), 'a%2A%23%25');
  assert.is(callRouteOf({ 'Event-Name': 'CHANNEL_CREATE' }), undefined);
  assert.is(callRouteOf({ 'Call-ID': 'x' }), undefined);
  assert.is(callRouteOf({ event_name: 'CHANNEL_ANSWER', call_id: 'x' })?.routingKey, 'call.CHANNEL_ANSWER.x');
});

T('account id and binding validity', () => {
  assert.is(accountIdOf({ 'Custom-Channel-Vars': { 'Account-ID': 'acc' } }), 'acc');
  assert.is(accountIdOf({ custom_channel_vars: { account_id: 'acc2' } }), 'acc2');
  assert.is(accountIdOf({ 'Custom-Channel-Vars': 'nope' }), undefined);
  assert.is(accountIdOf({}), undefined);
  assert.ok(isValidBinding('call.CHANNEL_CREATE.*'));
  assert.not.ok(isValidBinding(''));
  assert.not.ok(isValidBinding('call..x'));
  assert.not.ok(isValidBinding(42));
  assert.not.ok(isValidBinding('x'.repeat(256)));
});

T.run();
