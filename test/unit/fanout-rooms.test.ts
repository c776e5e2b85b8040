import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Audience } from '../../src/calls/types.js';
import type { Claims, Role } from '../../src/contract.js';
import { canSee, dashboardKind, isNodeRoom, rooms, roomsForAudience, roomsForClaims } from '../../src/fanout/rooms.js';

const ORG = 'org-a';
const claims = (role: Role, extra: Partial<Claims> = {}): Claims => ({
  sub: 's',
  org: ORG,
  role,
  queues: [],
  exp: 2e9,
  ...extra,
});

const t = suite('fanout rooms');

t('rooms of each role', () => {
  assert.equal(roomsForClaims(claims('agent', { agent: 'alice' })), ['o:org-a:agent:alice']);
  assert.equal(roomsForClaims(claims('supervisor', { queues: ['q1', 'q2', 'q1'] })), [
    'o:org-a:dscope:full:q1,q2',
    'o:org-a:queue:q1',
    'o:org-a:queue:q2',
  ]);
  assert.equal(roomsForClaims(claims('wallboard', { queues: ['q2', 'q1'] })), ['o:org-a:dscope:redacted:q1,q2']);
  assert.equal(roomsForClaims(claims('supervisor', { queues: ['*', 'q1'] })), ['o:org-a:dash', 'o:org-a:queue:*']);
  assert.equal(roomsForClaims(claims('wallboard', { queues: ['*'] })), ['o:org-a:wall']);
  assert.equal(roomsForClaims(claims('admin')), ['o:org-a:calls', 'o:org-a:dash']);
  // A supervisor with an agent claim (for click-to-call) does not get agent leg views.
  assert.equal(roomsForClaims(claims('supervisor', { agent: 'bob', queues: [] })), ['o:org-a:dscope:full:']);
});

t('rooms of each audience', () => {
  assert.equal(roomsForAudience(ORG, { kind: 'agent', username: 'alice' }), ['o:org-a:agent:alice']);
  assert.equal(roomsForAudience(ORG, { kind: 'call' }), ['o:org-a:calls']);
  assert.equal(roomsForAudience(ORG, { kind: 'call', queueId: 'q1' }), [
    'o:org-a:calls',
    'o:org-a:queue:q1',
    'o:org-a:queue:*',
  ]);
});

t('ids cannot forge room names', () => {
  assert.is.not(rooms.queue(ORG, '*'), rooms.allQueues(ORG));
  assert.is.not(rooms.agent('a:agent:b', 'c'), rooms.agent('a', 'b:agent:c'));
  assert.ok(!roomsForClaims(claims('supervisor', { queues: ['x:queue:*'] })).includes(rooms.allQueues(ORG)));
});

t('dashboards: supervisors and admins full, wallboards redacted, agents none', () => {
  assert.is(dashboardKind(claims('supervisor')), 'full');
  assert.is(dashboardKind(claims('admin')), 'full');
  assert.is(dashboardKind(claims('wallboard')), 'redacted');
  assert.is(dashboardKind(claims('agent', { agent: 'a' })), null);
});

const CLAIMS: [string, Claims][] = [
  ['agent alice', claims('agent', { agent: 'alice' })],
  ['agent bob', claims('agent', { agent: 'bob' })],
  ['agent alice of org-b', claims('agent', { agent: 'alice', org: 'org-b' })],
  ['supervisor q1', claims('supervisor', { queues: ['q1'] })],
  ['supervisor q1,q2', claims('supervisor', { queues: ['q1', 'q2'] })],
  ['supervisor *', claims('supervisor', { queues: ['*'] })],
  ['supervisor none', claims('supervisor')],
  ['supervisor with agent alice', claims('supervisor', { agent: 'alice', queues: ['q2'] })],
  ['wallboard *', claims('wallboard', { queues: ['*'] })],
  ['admin', claims('admin')],
  ['admin of org-b', claims('admin', { org: 'org-b' })],
];
const AUDIENCES: [string, Audience][] = [
  ['agent alice', { kind: 'agent', username: 'alice' }],
  ['agent bob', { kind: 'agent', username: 'bob' }],
  ['call q1', { kind: 'call', queueId: 'q1' }],
  ['call q2', { kind: 'call', queueId: 'q2' }],
  ['call q3', { kind: 'call', queueId: 'q3' }],
  ['call no queue', { kind: 'call' }],
  ['call empty queue', { kind: 'call', queueId: '' }],
];
// Expected visibility (org-a audiences): the contract's "who may see what".
const EXPECTED: Record<string, string[]> = {
  'agent alice': ['agent alice'],
  'agent bob': ['agent bob'],
  'agent alice of org-b': [],
  'supervisor q1': ['call q1'],
  'supervisor q1,q2': ['call q1', 'call q2'],
  'supervisor *': ['call q1', 'call q2', 'call q3'],
  'supervisor none': [],
  'supervisor with agent alice': ['call q2'],
  'wallboard *': [],
  admin: ['call q1', 'call q2', 'call q3', 'call no queue', 'call empty queue'],
  'admin of org-b': [],
};

t('canSee table', () => {
  for (const [cn, c] of CLAIMS) {
    const seen = AUDIENCES.filter(([, a]) => canSee(c, ORG, a)).map(([an]) => an);
    assert.equal(seen, EXPECTED[cn], cn);
  }
});

t('canSee agrees with the rooms, in every org combination', () => {
  let checked = 0;
  for (const org of [ORG, 'org-b']) {
    for (const [cn, c] of CLAIMS) {
      const joined = new Set(roomsForClaims(c));
      for (const [an, a] of AUDIENCES) {
        const delivered = roomsForAudience(org, a).some((r) => joined.has(r));
        assert.is(canSee(c, org, a), delivered, `${cn} / ${an} / ${org}`);
        checked++;
      }
    }
  }
  assert.is(checked, 2 * CLAIMS.length * AUDIENCES.length);
});

t('a node\'s keepalive room escapes its org like every room ("*" too); no claims\' room passes for one', () => {
  assert.is(rooms.node('*', 'n1'), 'o:%2A:node:n1');
  assert.is(rooms.node('a:b', 'n*'), 'o:a%3Ab:node:n%2A');
  assert.ok(isNodeRoom(rooms.node(ORG, 'n1')));
  const forged = claims('supervisor', { sub: 'x:node:y', agent: 'x:node:y', queues: ['q:node:1', '*'] });
  for (const r of [...roomsForClaims(forged), ...roomsForClaims(claims('agent', { agent: 'a:node:b' }))]) {
    assert.not.ok(isNodeRoom(r), r);
  }
});

t.run();
