// AntRing dashboard/queues/agents JSON → the contract's Dashboard (src/dashboard/mapping.ts), and the wallboard
// redaction of the result.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Agent, Queue } from '../../src/antring/client.js';
import { parseDashboard } from '../../src/antring/responses.js';
import { canonicalDashboard, DashboardMappingError, mapDashboard, toIsoTime } from '../../src/dashboard/mapping.js';
import { redactDashboardForWallboard } from '../../src/fanout/redact.js';

const ORG = 'acc-1';
const AT = Date.UTC(2026, 0, 28, 8, 10, 0);
const A1 = 'df67983ccdeee7d834e8f5d345db1fe5';
const A2 = 'eab4ebf976c53d22d393e94f3ed085dc';
const A3 = 'da80ca52e8ab9d6b26b7f2eb960545ae';

/** The seed document's example (developers.antbuddy.com, "Get Dashboard"), as JSON. */
const SEED_DASHBOARD = {
  agent: {
    ready: 2,
    logged_out: 1,
    wrapup: 0,
    logged_in: 3,
    connected: 0,
    paused: 0,
    status_details: [
      {
        timestamp: 63936806933,
        status: 'ready',
        id: 'df67983ccdeee7d834e8f5d345db1f45::63936806933',
        agent_id: A1,
        start_idle_time: 63936806933,
        idle_time: 765140,
        waiting_calls: [],
        unix_timestamp: 1769587733,
        username: 'nguyenvana',
        name: 'Nguyễn Văn A',
      },
    ],
  },
  queue: {
    abandoned: 0,
    abandoned_detail: {},
    offered: 12,
    handled: 12,
    avg_waiting: 6,
    max_waiting: 15,
    avg_talking: 180,
    abandoned_calls: 0,
    received: 12,
    status_details: [],
    waiting_call_logs: [],
  },
};

/** The seed's shape, loosened where the tests feed the mapper other (and junk) entries on purpose. */
interface RawDashboard {
  agent: Record<string, unknown> & { status_details: Record<string, unknown>[] };
  queue: Record<string, unknown> & { waiting_call_logs: unknown[] };
}

const QUEUES: Queue[] = [
  { id: 'q-support', name: 'Support', agents: [A1, A2] },
  { id: 'q-staging', name: 'Staging Queue', agents: [A2, A3, A3] },
];
const AGENTS: Agent[] = [
  { id: A1, username: 'nguyenvana', name: 'Nguyễn Văn A', ext: ['8000'] },
  { id: A2, username: 'userstaging2', name: 'User Staging 2', ext: ['8001'] },
  { id: A3, username: 'tranb', ext: [] },
];

const mapping = suite('dashboard mapping');

mapping('the seed example maps every field', () => {
  const { dashboard, dropped } = mapDashboard({
    org: ORG,
    at: AT,
    raw: SEED_DASHBOARD,
    queues: QUEUES,
    agents: AGENTS,
  });
  assert.is(dropped, 0);
  assert.equal(dashboard, {
    org: ORG,
    at: '2026-01-28T08:10:00.000Z',
    stale: false,
    agents: {
      ready: 2,
      loggedIn: 3,
      loggedOut: 1,
      wrapup: 0,
      connected: 0,
      paused: 0,
      details: [{ username: 'nguyenvana', status: 'ready', name: 'Nguyễn Văn A', since: '2026-01-28T08:08:53.000Z' }],
    },
    totals: {
      scope: 'org',
      offered: 12,
      handled: 12,
      abandoned: 0,
      received: 12,
      avgWaitingSec: 6,
      maxWaitingSec: 15,
      avgTalkingSec: 180,
      waiting: 0,
    },
    // Sorted by name; `agents` = distinct members; no waiting call → every queue's waiting is known to be 0.
    queues: [
      { id: 'q-staging', name: 'Staging Queue', agents: 2, waiting: 0 },
      { id: 'q-support', name: 'Support', agents: 2, waiting: 0 },
    ],
    waitingCalls: [],
  });
});

mapping('the client-parsed RawDashboard and the { data } envelope give the same result', () => {
  const direct = mapDashboard({ org: ORG, at: AT, raw: SEED_DASHBOARD, queues: QUEUES }).dashboard;
  const viaClient = mapDashboard({ org: ORG, at: AT, raw: parseDashboard(SEED_DASHBOARD), queues: QUEUES }).dashboard;
  const enveloped = mapDashboard({ org: ORG, at: AT, raw: { data: SEED_DASHBOARD }, queues: QUEUES }).dashboard;
  assert.equal(viaClient, direct);
  assert.equal(enveloped, direct);
});

mapping(
  "waiting calls: queue logs and agents' waiting_calls, de-duplicated, per-queue counts, no customer name",
  () => {
    const raw = structuredClone(SEED_DASHBOARD) as RawDashboard;
    raw.queue.waiting_call_logs = [
      {
        call_id: 'c2',
        queue_id: 'q-support',
        caller_id_number: '0934890879',
        caller_id_name: 'Phạm Thị Khách',
        entered_timestamp: 1707286388,
        wait_time: 12,
      },
      {
        call_id: 'c1',
        queue_id: 'q-staging',
        caller_id_number: '0987654321',
        caller_id_name: 'Lê Văn Khách',
        entered_timestamp: 63874505500,
      },
      { caller_id_number: '0900000000' }, // no call id: dropped
      'garbage',
    ];
    raw.agent.status_details[0].waiting_calls = [
      { call_id: 'c2', queue_id: 'q-support', caller_id_number: '0934890879' }, // same call, once
      { callId: 'c3', queueId: 'q-support', number: 84911222333, unix_timestamp: '1707286400' },
    ];
    const { dashboard, dropped } = mapDashboard({ org: ORG, at: AT, raw, queues: QUEUES });
    assert.is(dropped, 2);
    assert.equal(dashboard.waitingCalls, [
      {
        callId: 'c1',
        number: '0987654321',
        queueId: 'q-staging',
        since: new Date((63874505500 - 62167219200) * 1000).toISOString(),
      },
      { callId: 'c2', number: '0934890879', queueId: 'q-support', since: '2024-02-07T06:13:08.000Z' },
      { callId: 'c3', number: '84911222333', queueId: 'q-support', since: '2024-02-07T06:13:20.000Z' },
    ]);
    assert.is(dashboard.totals.waiting, 3);
    assert.equal(
      dashboard.queues.map((q) => [q.id, q.waiting]),
      [
        ['q-staging', 1],
        ['q-support', 2],
      ],
    );
    assert.not.ok(JSON.stringify(dashboard).includes('Khách'), 'customer names never enter the dashboard');
  },
);

mapping('per-queue waiting is left out when a waiting call carries no queue id', () => {
  const raw = structuredClone(SEED_DASHBOARD) as RawDashboard;
  raw.queue.waiting_call_logs = [
    { call_id: 'c1', queue_id: 'q-support', caller_id_number: '0934890879' },
    { call_id: 'c2', caller_id_number: '0987654321' },
  ];
  const { dashboard } = mapDashboard({ org: ORG, at: AT, raw, queues: QUEUES });
  assert.is(dashboard.totals.waiting, 2);
  for (const q of dashboard.queues) assert.not.ok('waiting' in q, `${q.id} has no invented waiting count`);
  assert.equal(
    dashboard.waitingCalls.map((w) => [w.callId, w.queueId]),
    [
      ['c1', 'q-support'],
      ['c2', undefined],
    ],
  );
});

mapping(
  'missing fields: counts derived from status_details, totals 0, names from the directory, abandoned_calls',
  () => {
    const raw = {
      agent: {
        status_details: [
          { agent_id: A2.toUpperCase(), status: 'paused', timestamp: 63936806933 }, // username and name from the directory
          { username: 'tranb', status: 'connected', unix_timestamp: 1769587000 },
          { status: 'ready' }, // nothing identifies it: dropped
          { username: 'x', status: 'ready', unix_timestamp: 'not a time' },
        ],
      },
      queue: { abandoned_calls: '4', offered: 'n/a' },
    };
    const { dashboard, dropped } = mapDashboard({ org: ORG, at: AT, raw, queues: [], agents: AGENTS });
    assert.is(dropped, 1);
    assert.equal(dashboard.agents, {
      ready: 1,
      loggedIn: 3,
      loggedOut: 0,
      wrapup: 0,
      connected: 1,
      paused: 1,
      details: [
        { username: 'tranb', status: 'connected', since: new Date(1769587000 * 1000).toISOString() },
        { username: 'userstaging2', status: 'paused', name: 'User Staging 2', since: '2026-01-28T08:08:53.000Z' },
        { username: 'x', status: 'ready' },
      ],
    });
    assert.equal(dashboard.totals, {
      scope: 'org',
      offered: 0,
      handled: 0,
      abandoned: 4,
      received: 0,
      avgWaitingSec: 0,
      maxWaitingSec: 0,
      avgTalkingSec: 0,
      waiting: 0,
    });
    assert.equal(dashboard.queues, []);
  },
);

mapping('logged out count: the directory minus the logged-in agents when AntRing omits it', () => {
  const raw = { agent: { status_details: [{ username: 'nguyenvana', status: 'ready' }] }, queue: {} };
  const { dashboard } = mapDashboard({ org: ORG, at: AT, raw, queues: [], agents: AGENTS });
  assert.is(dashboard.agents.loggedIn, 1);
  assert.is(dashboard.agents.loggedOut, 2);
  // Without a directory nothing is known: 0, not a guess.
  assert.is(mapDashboard({ org: ORG, at: AT, raw, queues: [] }).dashboard.agents.loggedOut, 0);
});

mapping('negative or non-numeric counts are treated as missing', () => {
  const raw = {
    agent: { ready: -1, logged_in: 'x', status_details: [{ username: 'a', status: 'ready' }] },
    queue: { offered: -5, avg_waiting: '7' },
  };
  const { dashboard } = mapDashboard({ org: ORG, at: AT, raw, queues: [] });
  assert.is(dashboard.agents.ready, 1);
  assert.is(dashboard.agents.loggedIn, 1);
  assert.is(dashboard.totals.offered, 0);
  assert.is(dashboard.totals.avgWaitingSec, 7);
});

mapping('a malformed dashboard is a DashboardMappingError, never a crash', () => {
  for (const raw of [
    undefined,
    null,
    'x',
    42,
    [],
    {},
    { agent: {} },
    { queue: {} },
    { agent: 'x', queue: {} },
    { data: [] },
  ]) {
    assert.throws(
      () => mapDashboard({ org: ORG, at: AT, raw, queues: QUEUES }),
      (e: Error) => e instanceof DashboardMappingError,
      JSON.stringify(raw),
    );
  }
});

mapping('times: unix s, unix ms, Gregorian s, numeric strings and ISO strings → ISO; nonsense → undefined', () => {
  assert.is(toIsoTime(1769587733), '2026-01-28T08:08:53.000Z');
  assert.is(toIsoTime(1769587733000), '2026-01-28T08:08:53.000Z');
  assert.is(toIsoTime(63936806933), '2026-01-28T08:08:53.000Z');
  assert.is(toIsoTime('63936806933'), '2026-01-28T08:08:53.000Z');
  assert.is(toIsoTime('2026-01-28T08:08:53Z'), '2026-01-28T08:08:53.000Z');
  for (const v of [undefined, null, 0, -5, NaN, Infinity, '', 'soon', {}, 1e20])
    assert.is(toIsoTime(v), undefined, String(v));
});

mapping('canonical form ignores `at` but not `stale` or any number', () => {
  const a = mapDashboard({ org: ORG, at: AT, raw: SEED_DASHBOARD, queues: QUEUES }).dashboard;
  const b = mapDashboard({ org: ORG, at: AT + 5000, raw: SEED_DASHBOARD, queues: QUEUES }).dashboard;
  assert.is(canonicalDashboard(a), canonicalDashboard(b));
  assert.is.not(canonicalDashboard(a), canonicalDashboard({ ...a, stale: true }));
  assert.is.not(canonicalDashboard(a), canonicalDashboard({ ...a, totals: { ...a.totals, handled: 13 } }));
  // Upstream order does not matter.
  const raw = structuredClone(SEED_DASHBOARD) as RawDashboard;
  raw.agent.status_details.push({ username: 'aaa', status: 'paused' });
  const c = mapDashboard({ org: ORG, at: AT, raw, queues: [...QUEUES].reverse() }).dashboard;
  raw.agent.status_details.reverse();
  const d = mapDashboard({ org: ORG, at: AT, raw, queues: QUEUES }).dashboard;
  assert.is(canonicalDashboard(c), canonicalDashboard(d));
});

mapping.run();

const redaction = suite('dashboard redaction for wallboards');

redaction('numbers keep their last three digits, agent names stay, nothing else rides along', () => {
  const raw = structuredClone(SEED_DASHBOARD) as RawDashboard;
  raw.queue.waiting_call_logs = [
    {
      call_id: 'c1',
      queue_id: 'q-support',
      caller_id_number: '0934890879',
      caller_id_name: 'Phạm Thị Khách',
      entered_timestamp: 1769587700,
    },
  ];
  const full = mapDashboard({ org: ORG, at: AT, raw, queues: QUEUES }).dashboard;
  // Even an extra field smuggled into a waiting call (e.g. by a future mapping) is not copied.
  (full.waitingCalls[0] as Record<string, unknown>).name = 'Phạm Thị Khách';
  const wall = redactDashboardForWallboard(full);
  assert.equal(wall.waitingCalls, [
    { callId: 'c1', number: '•••••••879', queueId: 'q-support', since: '2026-01-28T08:08:20.000Z' },
  ]);
  assert.equal(wall.agents, full.agents);
  assert.is(wall.agents.details[0].name, 'Nguyễn Văn A');
  assert.equal(wall.totals, full.totals);
  assert.equal(wall.queues, full.queues);
  const text = JSON.stringify(wall);
  assert.not.ok(text.includes('Khách'));
  assert.not.ok(/\d{4,}/.test(text.replace(/"(at|since)":"[^"]*"/g, '')), 'no run of 4+ digits outside the timestamps');
  assert.is(full.waitingCalls[0].number, '0934890879', 'the full copy is not modified');
});

redaction.run();
