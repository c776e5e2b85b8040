// Queue scoping of the dashboard (dashboard/scope.ts, contract §7.1), pure.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Claims, Dashboard } from '../../src/contract.js';
import {
  dashboardScope,
  membersFromRecord,
  membersOf,
  membersToRecord,
  queueMembers,
  scopeDashboard,
  withMembers,
} from '../../src/dashboard/scope.js';

const d: Dashboard = {
  org: 'o',
  at: '2026-01-01T00:00:00.000Z',
  stale: false,
  agents: {
    ready: 3,
    loggedIn: 3,
    loggedOut: 0,
    wrapup: 0,
    connected: 0,
    paused: 0,
    details: [
      { username: 'alice', status: 'ready' },
      { username: 'Bob', status: 'ready' },
      { username: 'carol', status: 'ready' },
    ],
  },
  totals: {
    scope: 'org',
    offered: 9,
    handled: 7,
    abandoned: 2,
    received: 9,
    avgWaitingSec: 3,
    maxWaitingSec: 8,
    avgTalkingSec: 60,
    waiting: 3,
  },
  queues: [
    { id: 'x', name: 'X', agents: 2, waiting: 1 },
    { id: 'y', name: 'Y', agents: 1, waiting: 1 },
  ],
  waitingCalls: [
    { callId: 'c1', queueId: 'x', number: '0934890001' },
    { callId: 'c2', queueId: 'y', number: '0934890002' },
    { callId: 'c3', number: '0934890003' },
  ],
};
const members = queueMembers(
  [
    { id: 'x', name: 'X', agents: ['id-a', 'id-b'] },
    { id: 'y', name: 'Y', agents: ['id-c'] },
  ],
  [
    { id: 'ID-A', username: 'alice', ext: [] },
    { id: 'id-b', username: 'bob', ext: [] },
    { id: 'id-c', username: 'carol', ext: [] },
  ],
);
const claims = (role: Claims['role'], queues: string[]): Claims => ({ sub: 's', org: 'o', role, queues, exp: 9e9 });

test('a supervisor of x sees x only: its waiting calls, its members; totals org-wide', () => {
  const s = scopeDashboard(d, ['x'], members);
  assert.equal(
    s.queues.map((q) => q.id),
    ['x'],
  );
  assert.equal(
    s.waitingCalls.map((w) => w.callId),
    ['c1'],
    "none of y's, none without a queue",
  );
  assert.equal(
    s.agents.details.map((a) => a.username),
    ['alice', 'Bob'],
    'members, case-insensitively',
  );
  assert.equal(s.totals, d.totals);
  assert.is(s.totals.scope, 'org');
  assert.is(d.waitingCalls.length, 3, 'the input is not changed');
});

test('no membership known: no agent details (fail closed)', () => {
  assert.equal(scopeDashboard(d, ['x'], undefined).agents.details, []);
  assert.equal(
    scopeDashboard(d, ['x', 'y'], members).waitingCalls.map((w) => w.callId),
    ['c1', 'c2'],
  );
});

test('who is scoped: supervisors and wallboards without "*"; admins and agents never', () => {
  assert.equal(dashboardScope(claims('supervisor', ['y', 'x', 'y'])), ['x', 'y']);
  assert.equal(dashboardScope(claims('wallboard', ['x'])), ['x']);
  assert.equal(dashboardScope(claims('supervisor', [])), []);
  assert.is(dashboardScope(claims('supervisor', ['*'])), undefined);
  assert.is(dashboardScope(claims('wallboard', ['x', '*'])), undefined);
  assert.is(dashboardScope(claims('admin', ['x'])), undefined);
});

test('membership travels with the dashboard object and through JSON', () => {
  const copy = { ...d };
  assert.is(membersOf(copy), undefined);
  withMembers(copy, members);
  assert.is(membersOf(copy), members);
  const back = membersFromRecord(JSON.parse(JSON.stringify(membersToRecord(members))));
  assert.equal([...(back?.get('x') ?? [])], ['alice', 'bob']);
  assert.is(membersFromRecord('nope'), undefined);
  assert.is(membersFromRecord({ x: 'alice' }), undefined);
});

test.run();
