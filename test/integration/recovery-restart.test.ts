// Issue 18 "exactly one AntBot callback across SIGKILL": the bridge (its own process, SQLite DATA_DIR) creates the
// event of a due recovery but AntBot's answer is lost; it is SIGKILLed before the alarm exists, then started again on
// the same DATA_DIR → the attempt finds its event by its marker, creates the one missing alarm: one event, one alarm.
import * as assert from 'uvu/assert';
import type { SimCalendarApi } from '../../src/simulator/antbot-calendar.js';
import type { BridgeProc } from '../cluster/helpers.js';
import { processSuite, startReady, startTracked } from '../helpers/process-suite.js';
import { signToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';
import { callbackEnv } from './recovery-fixture.js';
import { JWT_SECRET, queueAgents, writebackEnv } from './writeback-fixture.js';

/** After the restart: the alarm comes, the attempt is recorded (a doubled creation has every chance to show), and
 *  the number has exactly one calendar event and one alarm. */
async function exactlyOneCallback(second: BridgeProc, cal: SimCalendarApi, number: string): Promise<void> {
  await waitFor(() => cal.alarms().find((a) => a.alarm_phonenumber === number), {
    what: 'the alarm after the restart',
    timeoutMs: 20_000,
  });
  await waitFor(() => second.lines.find((l) => l.msg === 'AntBot callback created'), {
    what: 'the attempt recorded',
    timeoutMs: 20_000,
  });
  assert.is(cal.events().filter((e) => e.title.includes(number)).length, 1, 'one event');
  assert.is(cal.alarms().filter((a) => a.alarm_phonenumber === number).length, 1, 'one alarm');
}

const t = processSuite('recovery across SIGKILL and restart', 'antring-recovery-kill-');

t(
  'SIGKILL between the due event and the alarm, restart on the same DATA_DIR → exactly one event and one alarm',
  async (ctx) => {
    const { sim, dataDir } = ctx;
    const env = { ...writebackEnv(sim, dataDir), ...callbackEnv(sim), LOG_LEVEL: 'info' };
    const number = '0934890555';
    const cal = sim.antbot.calendar;
    const first = await startReady(ctx, 'first', env, { what: 'the first bridge ready', timeoutMs: 20_000 });
    // Every create reaches AntBot, every answer is lost: the event exists, the bridge does not know it.
    sim.antbot.faults.loseAnswer = true;
    const { queueId, agents } = queueAgents(sim);
    await sim.scenarios.inboundQueueCall({
      customer: number,
      queueId,
      agents: [agents[0]],
      answeredBy: null,
      ringMs: 80,
    });
    await waitFor(() => cal.events().find((e) => e.title.includes(number)), {
      what: 'the event created (answer lost)',
      timeoutMs: 20_000,
    });
    first.kill('SIGKILL');
    assert.is((await first.exit).signal, 'SIGKILL');
    const alarmsAtKill = cal.alarms().filter((a) => a.alarm_phonenumber === number).length;
    assert.ok(alarmsAtKill <= 1);

    sim.antbot.faults.loseAnswer = false;
    const second = await startTracked(ctx, 'second', env);
    await exactlyOneCallback(second, cal, number);
    const event = cal.events().find((e) => e.title.includes(number))!;
    assert.is(cal.alarms().find((a) => a.alarm_phonenumber === number)!.event, event.id);
    second.kill('SIGKILL'); // frees the DATA_DIR for the next test
    await second.exit;
  },
);

t(
  'SIGKILL after the due attempt was saved, AntBot refusing, restart → the attempt runs once: one event, one alarm',
  async (ctx) => {
    const { sim, dataDir } = ctx;
    const env = { ...writebackEnv(sim, dataDir), ...callbackEnv(sim), LOG_LEVEL: 'info' };
    const admin = signToken({ sub: 'admin', org: sim.credentials.accountId, role: 'admin' }, { secret: JWT_SECRET });
    const number = '0934890556';
    const cal = sim.antbot.calendar;
    const first = await startReady(ctx, 'third', env, { what: 'the bridge ready', timeoutMs: 20_000 });
    sim.antbot.faults.fail = 503;
    const { queueId, agents } = queueAgents(sim);
    await sim.scenarios.inboundQueueCall({
      customer: number,
      queueId,
      agents: [agents[0]],
      answeredBy: null,
      ringMs: 80,
    });
    await waitFor(
      async () => {
        const r = await fetch(`${first.url}/api/recoveries?status=scheduled`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        const body = (await r.json()) as { recoveries: { number: string }[] };
        return body.recoveries.some((x) => x.number === number) || undefined;
      },
      { what: 'the attempt saved (scheduled) while AntBot refuses', timeoutMs: 20_000 },
    );
    first.kill('SIGKILL');
    await first.exit;
    assert.is(cal.events().filter((e) => e.title.includes(number)).length, 0, 'nothing created before the kill');
    sim.antbot.faults.fail = null;
    const second = await startTracked(ctx, 'fourth', env);
    await exactlyOneCallback(second, cal, number);
  },
);

t.run();
