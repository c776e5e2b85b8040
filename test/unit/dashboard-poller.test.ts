// The dashboard poller (src/dashboard/poller.ts) with a fake clock and a fake AntRing client: one round = three
// parallel calls; emits on change only; stale after a failed poll once the data is an interval old; backoff; stop.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Agent, Queue } from '../../src/antring/client.js';
import { AntRingConfigError, AntRingHttpError, AntRingNetworkError } from '../../src/antring/errors.js';
import type { Dashboard } from '../../src/contract.js';
import { DashboardPoller, type DashboardPollerOptions, type PollResult } from '../../src/dashboard/poller.js';
import { FakeClock, flush } from '../helpers/clock.js';
import { captureLogger } from '../helpers/logs.js';

const ORG = 'acc-1';
const INTERVAL = 1000;
const A1 = 'df67983ccdeee7d834e8f5d345db1fe5';

function rawDashboard(ready: number) {
  return {
    agent: {
      ready,
      logged_out: 0,
      wrapup: 0,
      logged_in: 1,
      connected: 1 - ready,
      paused: 0,
      status_details: [
        {
          username: 'lan',
          name: 'Lan',
          status: ready ? 'ready' : 'connected',
          agent_id: A1,
          unix_timestamp: 1769587733,
          idle_time: 5,
        },
      ],
    },
    queue: {
      offered: 3,
      handled: 2,
      abandoned: 1,
      received: 3,
      avg_waiting: 4,
      max_waiting: 9,
      avg_talking: 60,
      waiting_call_logs: [],
    },
  };
}

const QUEUES: Queue[] = [{ id: 'q1', name: 'Support', agents: [A1] }];
const AGENTS: Agent[] = [{ id: A1, username: 'lan', name: 'Lan', ext: ['8001'] }];

/** A fake AntRing: fixed answers or errors per call; counts calls and the most seen in flight at once. */
function fakeClient() {
  const s = {
    dashboard: rawDashboard(1) as unknown,
    fail: {
      dashboard: undefined as Error | undefined,
      queues: undefined as Error | undefined,
      agents: undefined as Error | undefined,
    },
    calls: { dashboard: 0, queues: 0, agents: 0 },
    inFlight: 0,
    maxInFlight: 0,
    /** When set, calls wait for release() before answering. */
    hold: false,
    waiters: [] as (() => void)[],
  };
  const answer = async <T>(op: 'dashboard' | 'queues' | 'agents', value: () => T): Promise<T> => {
    s.calls[op]++;
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    try {
      if (s.hold) await new Promise<void>((r) => s.waiters.push(r));
      await Promise.resolve();
      const err = s.fail[op];
      if (err) throw err;
      return value();
    } finally {
      s.inFlight--;
    }
  };
  const client = {
    dashboard: () => answer('dashboard', () => structuredClone(s.dashboard)),
    queues: () => answer('queues', () => structuredClone(QUEUES)),
    agents: () => answer('agents', () => structuredClone(AGENTS)),
  };
  const release = () => {
    s.hold = false;
    for (const w of s.waiters.splice(0)) w();
  };
  return { s, client, release };
}

function harness(over: Partial<DashboardPollerOptions> = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 28, 8, 0, 0));
  const fake = fakeClient();
  const logs = captureLogger('debug');
  const emitted: Dashboard[] = [];
  const polls: [PollResult, boolean][] = [];
  const poller = new DashboardPoller({
    client: fake.client,
    org: ORG,
    intervalMs: INTERVAL,
    maxBackoffMs: 8000,
    clock,
    random: () => 1,
    logger: logs.logger,
    onChange: (d) => emitted.push(d),
    onPoll: (r, changed) => polls.push([r, changed]),
    listsEveryMs: 0,
    ...over,
  });
  return { clock, ...fake, logs, emitted, polls, poller };
}

const t = suite('dashboard poller');

t('first round: three calls in parallel, one emission, latest() set', async () => {
  const h = harness();
  h.s.hold = true;
  h.poller.start();
  h.poller.start(); // idempotent
  await flush();
  assert.equal(h.s.calls, { dashboard: 1, queues: 1, agents: 1 });
  assert.is(h.s.maxInFlight, 3, 'all three requests are in flight together');
  assert.is(h.emitted.length, 0);
  h.release();
  await flush();
  assert.is(h.emitted.length, 1);
  const d = h.emitted[0];
  assert.is(d.org, ORG);
  assert.is(d.stale, false);
  assert.is(d.at, new Date(h.clock.now()).toISOString());
  assert.is(d.agents.ready, 1);
  assert.equal(d.queues, [{ id: 'q1', name: 'Support', agents: 1, waiting: 0 }]);
  assert.is(h.poller.latest(), d);
  assert.equal(h.polls, [['ok', true]]);
  assert.equal(h.clock.pendingDelays(), [INTERVAL]);
  await h.poller.stop();
});

t('an unchanged poll emits nothing (latest() still gets the newer time); a change emits once', async () => {
  const h = harness();
  h.poller.start();
  await flush();
  const first = h.emitted[0];
  await h.clock.advance(INTERVAL);
  await h.clock.advance(INTERVAL);
  assert.equal(h.s.calls, { dashboard: 3, queues: 3, agents: 3 });
  assert.is(h.emitted.length, 1, 'no emission without a change');
  assert.equal(h.polls, [
    ['ok', true],
    ['ok', false],
    ['ok', false],
  ]);
  assert.is(h.poller.latest()!.at, new Date(h.clock.now()).toISOString());
  assert.is(first.at, new Date(h.clock.now() - 2 * INTERVAL).toISOString(), 'the emitted object is not mutated');

  h.s.dashboard = rawDashboard(0);
  await h.clock.advance(INTERVAL);
  assert.is(h.emitted.length, 2);
  assert.is(h.emitted[1].agents.connected, 1);
  assert.is(h.emitted[1].agents.details[0].status, 'connected');
  assert.equal(h.polls.at(-1), ['ok', true]);
  await h.poller.stop();
});

t(
  "failed polls: stale once (same numbers, the data's own time), capped jittered backoff, recovery emits again",
  async () => {
    const h = harness();
    h.poller.start();
    await flush();
    const good = h.emitted[0];
    const goodAt = h.clock.now();

    h.s.fail.dashboard = new AntRingHttpError('dashboard', 503);
    await h.clock.advance(INTERVAL);
    assert.is(h.emitted.length, 2, 'one stale emission');
    const stale = h.emitted[1];
    assert.is(stale.stale, true);
    assert.is(stale.at, new Date(goodAt).toISOString(), '`at` stays the time of the data');
    assert.equal({ ...stale, stale: false }, good, 'numbers unchanged: none invented');
    assert.is(h.poller.latest()!.stale, true);
    assert.equal(h.polls.at(-1), ['error', true]);

    // Backoff: random() = 1 → the ceiling: 2, 4, 8 intervals, then capped at maxBackoffMs (8000).
    assert.equal(h.clock.pendingDelays(), [2000]);
    await h.clock.advance(2000);
    assert.equal(h.clock.pendingDelays(), [4000]);
    await h.clock.advance(4000);
    assert.equal(h.clock.pendingDelays(), [8000]);
    await h.clock.advance(8000);
    assert.equal(h.clock.pendingDelays(), [8000]);
    assert.is(h.emitted.length, 2, 'further failures emit nothing');
    assert.equal(h.polls.slice(-3), [
      ['error', false],
      ['error', false],
      ['error', false],
    ]);
    assert.is(h.poller.status().consecutiveFailures, 4);
    assert.match(h.logs.text(), /dashboard: poll failed/);

    h.s.fail.dashboard = undefined;
    await h.clock.advance(8000);
    assert.is(h.emitted.length, 3, 'recovery emits');
    assert.is(h.emitted[2].stale, false);
    assert.is(h.emitted[2].at, new Date(h.clock.now()).toISOString());
    assert.equal(h.polls.at(-1), ['ok', true]);
    assert.equal(h.clock.pendingDelays(), [INTERVAL], 'back to the normal interval');
    assert.is(h.poller.status().consecutiveFailures, 0);
    await h.poller.stop();
  },
);

t('backoff jitter stays within [ceiling/2, ceiling] and never under one interval', async () => {
  const h = harness({ random: () => 0 });
  h.s.fail.dashboard = new AntRingNetworkError('dashboard', 'ECONNREFUSED');
  h.poller.start();
  await flush();
  assert.equal(h.clock.pendingDelays(), [INTERVAL], 'ceiling 2000, half = 1000');
  await h.clock.advance(INTERVAL);
  assert.equal(h.clock.pendingDelays(), [2000]);
  await h.poller.stop();
});

t('a failure before any good poll: nothing emitted, latest() undefined; the first success emits', async () => {
  const h = harness();
  h.s.fail.dashboard = new AntRingNetworkError('dashboard', 'ECONNREFUSED');
  h.poller.start();
  await flush();
  assert.is(h.emitted.length, 0);
  assert.is(h.poller.latest(), undefined);
  assert.equal(h.polls, [['error', false]]);
  h.s.fail.dashboard = undefined;
  await h.clock.fireNext();
  assert.is(h.emitted.length, 1);
  assert.is(h.emitted[0].stale, false);
  await h.poller.stop();
});

t('a malformed dashboard fails the round (no crash, last data kept, stale after the interval)', async () => {
  const h = harness();
  h.poller.start();
  await flush();
  h.s.dashboard = { agent: 'nope', queue: [] };
  await h.clock.advance(INTERVAL);
  assert.equal(h.polls.at(-1), ['error', true]);
  assert.is(h.emitted.length, 2);
  assert.is(h.emitted[1].stale, true);
  assert.is(h.emitted[1].agents.ready, 1);
  assert.match(h.logs.text(), /DASHBOARD_MAPPING_INVALID/);
  await h.poller.stop();
});

t('a failed queues or agents call reuses the previous list; no previous queues fails the round', async () => {
  const h = harness();
  h.s.fail.queues = new AntRingHttpError('queues', 500);
  h.poller.start();
  await flush();
  assert.equal(h.polls, [['error', false]], 'no queue list yet');
  h.s.fail.queues = undefined;
  await h.clock.fireNext();
  assert.equal(h.polls.at(-1), ['ok', true]);
  h.s.fail.queues = new AntRingHttpError('queues', 500);
  h.s.fail.agents = new AntRingHttpError('agents', 500);
  await h.clock.advance(INTERVAL);
  assert.equal(h.polls.at(-1), ['ok', false], 'same data from the reused lists');
  assert.equal(h.poller.latest()!.queues, [{ id: 'q1', name: 'Support', agents: 1, waiting: 0 }]);
  assert.is(h.poller.latest()!.stale, false);
  await h.poller.stop();
});

t('onLists gets the fetched agents and queues of good rounds', async () => {
  const lists: [Agent[], Queue[]][] = [];
  const h = harness({ onLists: (a, q) => lists.push([a, q]) });
  h.poller.start();
  await flush();
  assert.equal(lists, [[AGENTS, QUEUES]]);
  await h.poller.stop();
});

t('the queues and agents lists are fetched again only once listsEveryMs old; the dashboard every round', async () => {
  const lists: [Agent[], Queue[]][] = [];
  const h = harness({ listsEveryMs: 6 * INTERVAL, onLists: (a, q) => lists.push([a, q]) });
  h.poller.start();
  await flush();
  for (let i = 0; i < 5; i++) await h.clock.advance(INTERVAL);
  assert.equal(h.s.calls, { dashboard: 6, queues: 1, agents: 1 }, 'five rounds reuse the lists');
  assert.is(lists.length, 1, 'onLists only for fetched lists');
  assert.is(h.poller.latest()!.queues[0].name, 'Support', 'the reused lists still map the dashboard');
  await h.clock.advance(INTERVAL);
  assert.equal(h.s.calls, { dashboard: 7, queues: 2, agents: 2 });
  assert.is(lists.length, 2);
  // A failed list fetch is retried at the next round, not after another listsEveryMs.
  h.s.fail.agents = new Error('agents down');
  for (let i = 0; i < 6; i++) await h.clock.advance(INTERVAL);
  assert.is(h.s.calls.agents, 3);
  await h.clock.advance(INTERVAL);
  assert.is(h.s.calls.agents, 4);
  assert.is(h.emitted.length, 1, 'nothing changed: one emission');
  await h.poller.stop();
});

t('ANTRING_DOMAIN/EMAIL unset: logged once, no more polling, no timer', async () => {
  const h = harness();
  const err = new AntRingConfigError('dashboard');
  h.s.fail = { dashboard: err, queues: err, agents: err };
  h.poller.start();
  await flush();
  assert.is(h.clock.pending, 0);
  assert.is(h.poller.status().configured, false);
  assert.is(h.emitted.length, 0);
  assert.match(h.logs.text(), /not configured/);
  await h.poller.stop();
});

t('onChange and onPoll throwing do not stop the poller', async () => {
  const h = harness({
    onChange: () => {
      throw new Error('boom');
    },
    onPoll: () => {
      throw new Error('bang');
    },
  });
  h.poller.start();
  await flush();
  assert.ok(h.poller.latest());
  assert.equal(h.clock.pendingDelays(), [INTERVAL]);
  await h.clock.advance(INTERVAL);
  assert.is(h.s.calls.dashboard, 2);
  assert.match(h.logs.text(), /onChange failed/);
  await h.poller.stop();
});

t('stop(): idempotent, waits for the round in flight, drops its result, leaves no timer', async () => {
  const h = harness();
  h.poller.start();
  await flush();
  assert.is(h.emitted.length, 1);
  h.s.dashboard = rawDashboard(0);
  h.s.hold = true;
  await h.clock.advance(INTERVAL);
  assert.is(h.s.inFlight, 3);
  const p1 = h.poller.stop();
  const p2 = h.poller.stop();
  assert.is(p1, p2);
  let stopped = false;
  void p1.then(() => (stopped = true));
  await flush();
  assert.is(stopped, false, 'waits for the round');
  h.release();
  await p1;
  assert.is(h.emitted.length, 1, 'the changed data of the dropped round is not emitted');
  assert.is(h.clock.pending, 0);
  h.poller.start(); // no restart after stop
  await flush();
  assert.is(h.s.calls.dashboard, 2);
});

t('stop() before start() and a bad interval', async () => {
  const h = harness();
  await h.poller.stop();
  h.poller.start();
  await flush();
  assert.is(h.s.calls.dashboard, 0);
  assert.throws(() => harness({ intervalMs: 0 }), /intervalMs/);
});

t.run();
