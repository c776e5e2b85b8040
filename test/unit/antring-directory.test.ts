import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AntRingDirectory, DirectoryLoadError } from '../../src/antring/agent-directory.js';
import type { Agent, Queue } from '../../src/antring/client.js';
import { AntRingConfigError, AntRingNetworkError } from '../../src/antring/errors.js';
import { FakeClock } from '../helpers/clock.js';
import { silentLogger } from '../helpers/logs.js';

const A1 = 'eab4ebf976c53d22d393e94f3ed085dc';
const A2 = 'da80ca52e8ab9d6b26b7f2eb960545ae';

function fakeClient(agents: Agent[], queues: Queue[]) {
  const state = { agents, queues, fail: undefined as Error | undefined, calls: 0 };
  const client = {
    agents: async () => {
      state.calls++;
      if (state.fail) throw state.fail;
      return state.agents;
    },
    queues: async () => {
      if (state.fail) throw state.fail;
      return state.queues;
    },
  };
  return { state, client };
}

const agents: Agent[] = [
  { id: A1, username: 'userstaging2', name: 'User Staging 2', ext: ['8000', '8001'] },
  { id: A2, username: 'nguyenvana', ext: [] },
];
const queues: Queue[] = [{ id: 'q1', name: 'Staging Queue', agents: [A1, A2] }];

test('maps owner ids (case-insensitive 32-hex), usernames and queues', async () => {
  const clock = new FakeClock();
  const { client } = fakeClient(agents, queues);
  const d = new AntRingDirectory({ client, clock, logger: silentLogger() });
  await d.start();
  assert.equal(d.agentByOwnerId(A1.toUpperCase()), {
    username: 'userstaging2',
    id: A1,
    name: 'User Staging 2',
    ext: ['8000', '8001'],
  });
  assert.equal(d.agentByOwnerId(A2), { username: 'nguyenvana', id: A2, ext: [] });
  assert.is(d.agentByOwnerId('not-an-owner-id'), undefined);
  assert.is(d.agentByOwnerId('00000000000000000000000000000000'), undefined);
  assert.is(d.agentByUsername('NguyenVanA')?.id, A2);
  assert.is(d.agentByUsername('nobody'), undefined);
  assert.is(d.queueName('q1'), 'Staging Queue');
  assert.is(d.queueName('q9'), undefined);
  assert.equal(d.queues(), queues);
  // Returned values are copies: a caller cannot corrupt the directory.
  d.agentByOwnerId(A1)!.ext!.push('x');
  assert.equal(d.agentByOwnerId(A1)!.ext, ['8000', '8001']);
  await d.stop();
  assert.is(clock.pending, 0);
});

test('refreshes periodically; a failed refresh keeps the previous maps', async () => {
  const clock = new FakeClock();
  const { client, state } = fakeClient(agents, queues);
  const d = new AntRingDirectory({ client, clock, refreshMs: 30_000, logger: silentLogger() });
  await d.start();
  assert.equal(clock.pendingDelays(), [30_000]);
  state.agents = [{ id: A1, username: 'renamed', ext: ['9000'] }];
  await clock.advance(30_000);
  assert.is(state.calls, 2);
  assert.is(d.agentByOwnerId(A1)?.username, 'renamed');
  assert.is(d.agentByOwnerId(A2), undefined);
  state.fail = new AntRingNetworkError('agents', 'ECONNRESET');
  await clock.advance(30_000);
  assert.is(state.calls, 3);
  assert.is(d.agentByOwnerId(A1)?.username, 'renamed');
  assert.is(d.queueName('q1'), 'Staging Queue');
  assert.equal(clock.pendingDelays(), [30_000], 'still polling after a failure');
  await d.stop();
  await d.stop();
  assert.is(clock.pending, 0);
  await clock.advance(120_000);
  assert.is(state.calls, 3);
});

test('a failed first load throws DirectoryLoadError and schedules nothing', async () => {
  const clock = new FakeClock();
  const { client, state } = fakeClient(agents, queues);
  state.fail = new AntRingNetworkError('agents', 'ECONNREFUSED');
  const d = new AntRingDirectory({ client, clock, logger: silentLogger() });
  try {
    await d.start();
    assert.unreachable('start should throw');
  } catch (e) {
    assert.instance(e, DirectoryLoadError);
    assert.match((e as Error).message, 'ECONNREFUSED');
  }
  assert.is(clock.pending, 0);
  await d.stop();
});

test('lists offered by the dashboard poller replace the maps and postpone the own refresh', async () => {
  const clock = new FakeClock();
  const { client, state } = fakeClient(agents, queues);
  const d = new AntRingDirectory({ client, clock, refreshMs: 60_000, logger: silentLogger() });
  d.offer([{ id: A1, username: 'early', ext: [] }], []);
  assert.is(d.agentByOwnerId(A1), undefined, 'ignored before start()');
  await d.start();
  assert.is(state.calls, 1);
  // The poller's lists come every minute, a little after the directory's own timer was armed.
  for (let minute = 1; minute <= 3; minute++) {
    await clock.advance(50_000);
    d.offer([{ id: A1, username: `offered${minute}`, ext: ['9000'] }], [{ id: 'q2', name: 'Offered', agents: [A1] }]);
    assert.is(d.agentByOwnerId(A1)?.username, `offered${minute}`);
    assert.is(d.agentByOwnerId(A2), undefined);
    assert.is(d.queueName('q2'), 'Offered');
    assert.is(d.queueName('q1'), undefined);
  }
  assert.is(state.calls, 1, 'no list fetched twice a minute');
  assert.equal(clock.pendingDelays(), [60_000]);
  // No lists offered any more (the dashboard call fails): the directory refreshes on its own again.
  await clock.advance(60_000);
  assert.is(state.calls, 2);
  assert.is(d.agentByOwnerId(A2)?.username, 'nguyenvana');
  await d.stop();
  d.offer([], []);
  assert.is(d.agentByOwnerId(A2)?.username, 'nguyenvana', 'ignored after stop()');
  assert.is(clock.pending, 0);
});

test('domain/email unset: start() succeeds with an empty, unpolled directory', async () => {
  const clock = new FakeClock();
  const { client, state } = fakeClient(agents, queues);
  state.fail = new AntRingConfigError('agents');
  const d = new AntRingDirectory({ client, clock, logger: silentLogger() });
  await d.start();
  assert.is(d.agentByOwnerId(A1), undefined);
  assert.equal(d.status(), { agents: 0, queues: 0, configured: false });
  assert.is(clock.pending, 0);
  await d.stop();
});

test.run();
