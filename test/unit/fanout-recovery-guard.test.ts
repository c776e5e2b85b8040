// The recovery guard's pure parts: which claims may take a session over, and the auth of a raw CONNECT packet.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Claims } from '../../src/contract.js';
import { connectPacketAuth, sameIdentity } from '../../src/fanout/recovery-guard.js';

const base: Claims = { sub: 'u1', org: 'o1', role: 'supervisor', queues: ['q1', 'q2'], exp: 1000 };

const same = suite('sameIdentity');
same('a refreshed token (another exp, queues in another order) is the same identity', () => {
  assert.ok(sameIdentity(base, { ...base, exp: 2000, queues: ['q2', 'q1'] }));
});
same('org, role, sub, agent or queues differing: another identity', () => {
  for (const other of [
    { ...base, org: 'o2' },
    { ...base, role: 'admin' as const },
    { ...base, sub: 'u2' },
    { ...base, agent: 'alice' },
    { ...base, queues: ['q1'] },
    { ...base, queues: ['q1', 'q3'] },
    { ...base, queues: ['*'] },
  ]) {
    assert.not.ok(sameIdentity(base, other), JSON.stringify(other));
  }
});
same.run();

const packet = suite('connectPacketAuth');
packet('the auth of a CONNECT to the main namespace or another', () => {
  assert.equal(connectPacketAuth('0{"token":"t","pid":"p","offset":"1-0"}'), { token: 't', pid: 'p', offset: '1-0' });
  assert.equal(connectPacketAuth('0/admin,{"pid":"p"}'), { pid: 'p' });
});
packet('anything else: undefined', () => {
  for (const data of ['0', '2["call",{}]', '0[1]', '0null', '0{bad', '0/admin', '0/admin,', Buffer.from('0{}'), 7]) {
    assert.is(connectPacketAuth(data), undefined, String(data));
  }
});
packet.run();
