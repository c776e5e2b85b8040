// The simulated AntBot's calendar over real HTTP, its alarms on a fake clock: events and alarms validated as DRF
// does, an alarm fires the onAlarm hook at its date_start_notice and its outcome becomes a report row (alarm=true),
// GET /cdr/ filters; faults (down, 500s, lost answers, slow); and the bridge's AntBot client against it.
import express from 'express';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cdrDisposition } from '../../src/antbot/calendar.js';
import { AntBotClient } from '../../src/antbot/client.js';
import { AntBotHttpError, AntBotNetworkError, AntBotTimeoutError } from '../../src/antbot/errors.js';
import { type AntBotSim, antbotSim } from '../../src/simulator/antbot.js';
import { SIM_CALENDAR, SIM_CALENDAR_USER, type SimAlarm } from '../../src/simulator/antbot-calendar.js';
import { FakeClock } from '../helpers/clock.js';
import { silentLogger } from '../helpers/logs.js';
import { serve } from './sim-fixture.js';

const USER = 'alice-sim';
const PASSWORD = 'pw-sim-cal';
const T0 = Date.parse('2026-12-07T03:47:00Z');

interface Ctx {
  url: string;
  close: () => Promise<void>;
  sim: AntBotSim;
  clock: FakeClock;
  token: string;
  clients: AntBotClient[];
}

const t = suite<Ctx>('simulated AntBot calendar');
t.before.each(async (ctx) => {
  ctx.clock = new FakeClock(T0);
  ctx.sim = antbotSim({ username: USER, password: PASSWORD, clock: ctx.clock });
  const app = express();
  app.use('/rest-api', ctx.sim.router);
  Object.assign(ctx, await serve(app));
  ctx.clients = [];
  const r = await call(ctx, 'POST', '/get-token/', { username: USER, password: PASSWORD }, null);
  ctx.token = (r.body as { token: string }).token;
});
t.after.each(async (ctx) => {
  ctx.sim.stop();
  for (const c of ctx.clients) await c.stop();
  await ctx.close();
});

async function call(ctx: Ctx, method: string, path: string, body?: unknown, token: string | null = ctx.token) {
  const res = await fetch(`${ctx.url}/rest-api${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function client(ctx: Ctx, timeoutMs = 2000): AntBotClient {
  const c = new AntBotClient({
    apiUrl: `${ctx.url}/rest-api`,
    username: USER,
    password: PASSWORD,
    logger: silentLogger(),
    timeoutMs,
  });
  ctx.clients.push(c);
  return c;
}

const EVENT = {
  title: 'Gọi lại 0934890883 – cuộc gọi nhỡ 10:42',
  description: '',
  start: '2026-12-07T03:47:00.000Z',
  end: '2026-12-07T04:02:00.000Z',
  creator: SIM_CALENDAR_USER.id,
  calendar: SIM_CALENDAR.id,
};
const alarmFor = (event: number, o: Record<string, unknown> = {}) => ({
  alarm_phonenumber: '0934890883',
  date_start_notice: '2026-12-07T03:47:00.000Z',
  phonenumber_transfer: '02873019555',
  event,
  ...o,
});

t('calendar routes need the token; a calendar needs a name and an existing user', async (ctx) => {
  assert.is((await call(ctx, 'POST', '/event/', EVENT, null)).status, 401);
  assert.is((await call(ctx, 'GET', '/cdr/', undefined, 'nope')).status, 401);
  const list = await call(ctx, 'GET', '/calendar/');
  assert.equal(list.body.results, [SIM_CALENDAR]);
  assert.equal((await call(ctx, 'POST', '/calendar/', { name: '', user: 99 })).body, {
    name: ['This field is required.'],
    user: ['Invalid pk "99" - object does not exist.'],
  });
  const made = await call(ctx, 'POST', '/calendar/', { name: 'linh-calendar-rest', user: SIM_CALENDAR_USER.id });
  assert.equal([made.status, made.body.name], [201, 'linh-calendar-rest']);
});

t('POST /event/: DRF field errors; 201 with the created event; GET /event/ lists it', async (ctx) => {
  const bad = await call(ctx, 'POST', '/event/', { start: 'tomorrow', calendar: 99, creator: 1 });
  assert.is(bad.status, 400);
  assert.equal(Object.keys(bad.body).sort(), ['calendar', 'creator', 'end', 'start', 'title']);
  assert.is((await call(ctx, 'POST', '/event/', { ...EVENT, end: '2026-12-07T03:00:00Z' })).status, 400);
  const ok = await call(ctx, 'POST', '/event/', EVENT);
  assert.is(ok.status, 201);
  assert.equal(ok.body, { id: 1, ...EVENT, created_date: new Date(T0).toISOString() });
  assert.equal(
    ctx.sim.calendar.events().map((e) => e.title),
    [EVENT.title],
  );
  assert.is(((await call(ctx, 'GET', '/event/')).body.results as unknown[]).length, 1);
});

t(
  'POST /alarm/: needs an existing event and a number; fires the hook at date_start_notice; the result is reported',
  async (ctx) => {
    const ev = (await call(ctx, 'POST', '/event/', EVENT)).body.id as number;
    assert.equal((await call(ctx, 'POST', '/alarm/', { event: 42, alarm_phonenumber: 'call me' })).body, {
      alarm_phonenumber: ['Enter a valid phone number.'],
      event: ['Invalid pk "42" - object does not exist.'],
    });
    const fired: SimAlarm[] = [];
    ctx.sim.calendar.onAlarm((a) => {
      fired.push(a);
      return { disposition: 'BUSY' };
    });
    const later = new Date(T0 + 60_000).toISOString();
    const made = await call(ctx, 'POST', '/alarm/', alarmFor(ev, { date_start_notice: later }));
    assert.equal([made.status, made.body.id, made.body.status], [201, 1, 'pending']);
    await ctx.clock.advance(59_999);
    assert.is(fired.length, 0, 'not before its time');
    await ctx.clock.advance(1);
    assert.equal(
      fired.map((a) => [a.alarm_phonenumber, a.phonenumber_transfer, a.event]),
      [['0934890883', '02873019555', ev]],
    );
    const rows = (
      await call(ctx, 'GET', `/cdr/?phone_number=0934890883&alarm=true&from_date=${encodeURIComponent(later)}`)
    ).body.results as Record<string, unknown>[];
    assert.equal(
      rows.map((r) => [r.phone_number, r.disposition, r.hangup_cause, r.alarm, r.starting_date]),
      [['0934890883', 'BUSY', 'USER_BUSY', true, later]],
    );
    assert.is(ctx.sim.calendar.alarms()[0].status, 'done');
  },
);

t('no hook: scripted outcomes per number, then the default (NOANSWER); a hook that throws is FAILED', async (ctx) => {
  const ev = (await call(ctx, 'POST', '/event/', EVENT)).body.id as number;
  ctx.sim.calendar.scriptOutcome('0934890883', { disposition: 'ANSWER', billsec: 40 });
  await call(ctx, 'POST', '/alarm/', alarmFor(ev));
  await call(ctx, 'POST', '/alarm/', alarmFor(ev));
  await ctx.clock.advance(0);
  ctx.sim.calendar.onAlarm(() => {
    throw new Error('AntRing is not wired');
  });
  await call(ctx, 'POST', '/alarm/', alarmFor(ev, { date_start_notice: undefined }));
  await ctx.clock.advance(0);
  const alarmRows = ctx.sim.calendar.cdr().filter((r) => r.alarm);
  assert.equal(
    alarmRows.map((r) => [r.disposition, r.billsec]),
    [
      ['ANSWER', 40],
      ['NOANSWER', 0],
      ['FAILED', 0],
    ],
  );
  assert.is(ctx.sim.calendar.hookErrors(), 1);
});

t(
  'GET /cdr/: alarm=true leaves out campaign calls; from_date / to_date bound starting_date; bad filters 400',
  async (ctx) => {
    const all = await call(ctx, 'GET', '/cdr/?phone_number=0934890883');
    assert.equal(
      (all.body.results as { alarm: boolean }[]).map((r) => r.alarm),
      [false],
    );
    assert.equal((await call(ctx, 'GET', '/cdr/?phone_number=0934890883&alarm=true')).body.results, []);
    assert.is(((await call(ctx, 'GET', '/cdr/?from_date=2026-01-05T02:01:00Z')).body.results as unknown[]).length, 1);
    assert.is(((await call(ctx, 'GET', '/cdr/?to_date=2026-01-05T02:01:00Z')).body.results as unknown[]).length, 1);
    const bad = await call(ctx, 'GET', '/cdr/?from_date=yesterday&alarm=maybe');
    assert.equal([bad.status, Object.keys(bad.body).sort()], [400, ['alarm', 'from_date']]);
  },
);

t('the bridge client end to end: event, alarm, the alarm fires, the report shows it', async (ctx) => {
  const c = client(ctx);
  ctx.sim.calendar.onAlarm(async () => ({ disposition: 'NOANSWER' }));
  const ev = await c.createEvent(EVENT);
  const al = await c.createAlarm(alarmFor(ev.id as number));
  assert.equal([ev, al], [{ id: 1 }, { id: 1 }]);
  await ctx.clock.advance(0);
  const rows = await c.cdrReport({ phone_number: '0934890883', alarm: true, from_date: EVENT.start });
  assert.equal(
    rows.map((r) => [r.phone_number, cdrDisposition(r), r.alarm, r.at]),
    [['0934890883', 'no_answer', true, T0]],
  );
});

t('faults: failNext (500s), fail, down, a lost answer (the alarm exists), slow; reset heals', async (ctx) => {
  const c = client(ctx, 300);
  const ev = (await c.createEvent(EVENT)).id;
  ctx.sim.faults.failNext = 2;
  for (let i = 0; i < 2; i++)
    assert.is(
      ((await rejected(c.createAlarm(alarmFor(ev as number)))) as InstanceType<typeof AntBotHttpError>).status,
      500,
    );
  assert.equal(await c.createAlarm(alarmFor(ev as number)), { id: 1 });
  ctx.sim.faults.fail = 503;
  assert.ok((await rejected(c.cdrReport({ phone_number: '0934890883' }))) instanceof AntBotHttpError);
  ctx.sim.faults.fail = null;
  ctx.sim.faults.down = true;
  assert.ok((await rejected(c.cdrReport({ phone_number: '0934890883' }))) instanceof AntBotNetworkError);
  ctx.sim.faults.down = false;
  ctx.sim.faults.loseAnswer = true;
  assert.ok((await rejected(c.createAlarm(alarmFor(ev as number)))) instanceof AntBotNetworkError);
  assert.is(ctx.sim.calendar.alarms().length, 2, 'created though the answer was lost');
  // Found again through the lists (filters applied by the simulator).
  assert.equal(
    (await c.listAlarms({ event: ev })).map((a) => a.id),
    [1, 2],
  );
  assert.equal(
    (await c.listEvents({ calendar: SIM_CALENDAR.id })).map((e) => e.description),
    [EVENT.description],
  );
  assert.equal(await c.listEvents({ calendar: 99 }), []);
  ctx.sim.faults.loseAnswer = false;
  ctx.sim.faults.delayMs = 600;
  assert.ok((await rejected(c.createEvent(EVENT))) instanceof AntBotTimeoutError);
  ctx.sim.reset();
  assert.equal(ctx.sim.faults, {
    fail: null,
    failNext: 0,
    down: false,
    loseAnswer: false,
    delayMs: 0,
    tokenStyle: 'token',
  });
  assert.equal(await c.createEvent(EVENT), { id: ctx.sim.calendar.events().length });
});

t('stop(): a pending alarm never fires', async (ctx) => {
  const ev = (await call(ctx, 'POST', '/event/', EVENT)).body.id as number;
  let fired = 0;
  ctx.sim.calendar.onAlarm(() => void fired++);
  await call(ctx, 'POST', '/alarm/', alarmFor(ev, { date_start_notice: new Date(T0 + 5000).toISOString() }));
  assert.is(ctx.clock.pending, 1);
  ctx.sim.stop();
  assert.is(ctx.clock.pending, 0);
  await ctx.clock.advance(10_000);
  assert.is(fired, 0);
});

async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.unreachable('expected a rejection');
}

t.run();
