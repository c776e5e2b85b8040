// The AntBot client's callback calls (seed: Create Event, Create Alarm, Report) with a scripted fetch: the bodies
// and queries exactly as documented, ids from `id` or a hyperlink, report rows parsed defensively and classified,
// errors in the upstream family (kind, retryable), a POST that times out not retried, no token in logs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cdrDisposition, parseAlarm, parseCdrRecord, parseCreated, parseEvent } from '../../src/antbot/calendar.js';
import { AntBotClient } from '../../src/antbot/client.js';
import { AntBotHttpError, AntBotResponseError, AntBotTimeoutError } from '../../src/antbot/errors.js';
import { UpstreamHttpError, UpstreamTimeoutError } from '../../src/upstream/errors.js';
import { FakeClock, flush } from '../helpers/clock.js';
import { type FetchHandler, fakeFetch } from '../helpers/fake-fetch.js';
import { captureLogger } from '../helpers/logs.js';
import { rejects } from '../helpers/rejects.js';

const API = 'https://alice.example.test/rest-api';
const TOKEN = 'tok-cal-5b1e';

function client(handler: FetchHandler, o: { clock?: FakeClock; timeoutMs?: number } = {}) {
  const f = fakeFetch((url, init, n) =>
    url.endsWith('/get-token/') ? { status: 200, body: { token: TOKEN } } : handler(url, init, n),
  );
  const logs = captureLogger('trace');
  const c = new AntBotClient({
    apiUrl: API,
    username: 'alice',
    password: 'pw-cal',
    fetch: f.fetch,
    logger: logs.logger,
    clock: o.clock,
    timeoutMs: o.timeoutMs,
  });
  const data = () => f.seen.filter((s) => !s.url.endsWith('/get-token/'));
  return { c, data, logs };
}

const EVENT = {
  title: 'Gọi lại 0934890883 – cuộc gọi nhỡ 10:42',
  description: 'recovery r1 attempt 1',
  start: '2026-12-07T03:47:00.000Z',
  end: '2026-12-07T04:02:00.000Z',
  creator: 115,
  calendar: 7,
};
const ALARM = {
  alarm_phonenumber: '0934890883',
  date_start_notice: '2026-12-07T03:47:00.000Z',
  phonenumber_transfer: '02873019555',
  event: 8,
};

test('parseCreated: `id` (number or string), else the id at the end of `url`; nothing else', () => {
  assert.equal(parseCreated({ id: 8, title: 'x' }), { id: 8 });
  assert.equal(parseCreated({ id: '8' }), { id: 8 });
  assert.equal(parseCreated({ id: 'ev-9a' }), { id: 'ev-9a' });
  assert.equal(parseCreated({ url: 'http://127.0.0.1:8000/rest-api/event/27/' }), { id: 27 });
  assert.equal(parseCreated({ id: null, url: 'https://a.test/rest-api/alarm/31' }), { id: 31 });
  for (const bad of [null, 'x', 8, [], {}, { id: -1 }, { id: 1.5 }, { id: {} }, { id: '' }, { url: '' }])
    assert.is(parseCreated(bad), undefined, JSON.stringify(bad));
});

test('parseCdrRecord: a number is required; words upper-cased, counts coerced, dates read; junk ignored', () => {
  assert.equal(
    parseCdrRecord({
      callid: 'res232-fsf3',
      phone_number: '0934890883',
      disposition: 'busy',
      hangup_cause: 'user_busy',
      duration: '34',
      billsec: 0,
      alarm: 'True',
      starting_date: '2026-12-07T03:47:05Z',
      extra: { nested: true },
    }),
    {
      callid: 'res232-fsf3',
      phone_number: '0934890883',
      disposition: 'BUSY',
      hangup_cause: 'USER_BUSY',
      duration: 34,
      billsec: 0,
      alarm: true,
      at: Date.parse('2026-12-07T03:47:05Z'),
    },
  );
  assert.equal(parseCdrRecord({ phone_number: 934890883, duration: 'x', alarm: 'maybe', date: 'nope' }), {
    phone_number: '934890883',
  });
  for (const bad of [null, 'x', {}, { phone_number: '' }, { phone_number: {} }, { phone_number: 'x'.repeat(65) }])
    assert.is(parseCdrRecord(bad), undefined);
});

test('cdrDisposition: disposition first, then hangup cause; anything else unknown', () => {
  const d = (disposition?: string, hangup_cause?: string) => cdrDisposition({ disposition, hangup_cause });
  assert.is(d('ANSWER'), 'answered');
  assert.is(d('NOANSWER'), 'no_answer');
  assert.is(d('NO ANSWER'), 'no_answer');
  assert.is(d('BUSY'), 'busy');
  assert.is(d('FAILED', 'UNALLOCATED_NUMBER'), 'failed');
  assert.is(d('CONGESTION'), 'failed');
  assert.is(d(undefined, 'USER_BUSY'), 'busy');
  assert.is(d('WHATEVER', 'NO_USER_RESPONSE'), 'no_answer');
  assert.is(d('WHATEVER'), 'unknown');
  assert.is(d(), 'unknown');
});

test('createEvent / createAlarm: POST the documented bodies as JSON with the Bearer token → the ids', async () => {
  const { c, data } = client((url) => {
    if (url === `${API}/event/`) return { status: 201, body: { id: 8, ...EVENT } };
    if (url === `${API}/alarm/`) return { status: 201, body: { url: `${API}/alarm/31/`, ...ALARM } };
    return { status: 404 };
  });
  assert.equal(await c.createEvent(EVENT), { id: 8 });
  assert.equal(await c.createAlarm(ALARM), { id: 31 });
  const [ev, al] = data();
  assert.is(ev.init.method, 'POST');
  assert.is(ev.init.headers.authorization, `Bearer ${TOKEN}`);
  assert.is(ev.init.headers['content-type'], 'application/json');
  assert.equal(JSON.parse(ev.init.body!), EVENT);
  assert.is(al.url, `${API}/alarm/`);
  assert.equal(JSON.parse(al.init.body!), ALARM);
  await c.stop();
});

test('create: a 2xx without an id is AntBotResponseError; 400 is final, 5xx retryable; 401 → fresh token once', async () => {
  let mode = 'noid';
  let refused = 0;
  const { c, data } = client((_url, init) => {
    if (mode === 'noid') return { status: 201, body: { detail: 'ok' } };
    if (mode === '400') return { status: 400, body: { event: ['This field is required.'] } };
    if (mode === '401' && refused++ === 0) return { status: 401 };
    if (mode === '401') return { status: 201, body: { id: 9, seenBody: init.body } };
    return { status: 503 };
  });
  assert.match(
    ((await rejects(c.createEvent(EVENT), AntBotResponseError)) as InstanceType<typeof AntBotResponseError>).reason,
    /no id/,
  );
  mode = '400';
  const e400 = (await rejects(c.createAlarm(ALARM), AntBotHttpError)) as InstanceType<typeof AntBotHttpError>;
  assert.equal([e400.status, e400.retryable, e400.operation, e400.service], [400, false, 'alarm', 'antbot']);
  assert.instance(e400, UpstreamHttpError);
  mode = '503';
  assert.is(
    ((await rejects(c.createEvent(EVENT), AntBotHttpError)) as InstanceType<typeof AntBotHttpError>).retryable,
    true,
  );
  mode = '401';
  const before = data().length;
  assert.equal(await c.createEvent(EVENT), { id: 9 });
  const retried = data().slice(before);
  assert.is(retried.length, 2);
  assert.equal(JSON.parse(retried[1].init.body!), EVENT);
  await c.stop();
});

test('a POST with no answer in time: AntBotTimeoutError (retryable), sent once, not retried by the client', async () => {
  const clock = new FakeClock();
  const { c, data } = client(() => new Promise(() => undefined), { clock, timeoutMs: 2000 });
  const p = rejects(c.createAlarm(ALARM), AntBotTimeoutError);
  await flush();
  await clock.advance(2000);
  const e = await p;
  assert.instance(e, UpstreamTimeoutError);
  assert.is((e as InstanceType<typeof AntBotTimeoutError>).retryable, true);
  assert.is(data().length, 1);
  await c.stop();
});

test('cdrReport: GET /cdr/ with phone_number, alarm=true, from_date; every page; rows without a number skipped', async () => {
  const q = { phone_number: '0934890883', alarm: true, from_date: '2026-12-07T03:47:00.000Z' };
  const { c, data, logs } = client((url) => {
    if (url.startsWith(`${API}/cdr/?`) && !url.includes('page='))
      return {
        status: 200,
        body: {
          count: 3,
          next: `${API}/cdr/?page=2&phone_number=0934890883`,
          previous: null,
          results: [{ phone_number: '0934890883', disposition: 'NOANSWER' }, { callid: 'no-number' }],
        },
      };
    if (url.includes('page=2'))
      return { status: 200, body: { results: [{ phone_number: '0934890883', disposition: 'BUSY' }] } };
    return { status: 404 };
  });
  const rows = await c.cdrReport(q);
  assert.equal(
    rows.map((r) => r.disposition),
    ['NOANSWER', 'BUSY'],
  );
  const first = new URL(data()[0].url);
  assert.is(first.pathname, '/rest-api/cdr/');
  assert.equal(Object.fromEntries(first.searchParams), {
    phone_number: '0934890883',
    alarm: 'true',
    from_date: '2026-12-07T03:47:00.000Z',
  });
  assert.is(data()[0].init.method, 'GET');
  assert.is(data().length, 2);
  assert.ok(logs.records.some((r) => r.op === 'cdr' && r.skipped === 1));
  assert.not.ok(logs.text().includes(TOKEN));
  assert.not.ok(logs.text().includes('0934890883'), 'the customer number stays out of the logs');
  await c.stop();
});

test('cdrReport: a foreign next link and a body that is not a list are AntBotResponseError', async () => {
  let mode = 'foreign';
  const { c } = client(() =>
    mode === 'foreign'
      ? { status: 200, body: { results: [], next: 'https://evil.example.test/rest-api/cdr/?page=2' } }
      : { status: 200, body: { detail: 'x' } },
  );
  const q = { phone_number: '0934890883', alarm: true };
  const foreign = (await rejects(c.cdrReport(q), AntBotResponseError)) as InstanceType<typeof AntBotResponseError>;
  assert.equal([foreign.operation, foreign.reason], ['cdr', 'next points to another host']);
  mode = 'object';
  await rejects(c.cdrReport(q), AntBotResponseError);
  await c.stop();
});

test('parseEvent / parseAlarm: an id is required; references as ids or hyperlinks; other fields if strings', () => {
  assert.equal(
    parseEvent({ id: 8, title: 'T', description: 'd', start: '2026-12-07T03:47:00Z', calendar: 7, end: 5 }),
    {
      id: 8,
      title: 'T',
      description: 'd',
      start: '2026-12-07T03:47:00Z',
      calendar: 7,
    },
  );
  assert.equal(parseEvent({ url: `${API}/event/9/`, calendar: `${API}/calendar/7/`, title: 3 }), {
    id: 9,
    calendar: 7,
  });
  assert.equal(parseAlarm({ id: '31', event: `${API}/event/8/`, alarm_phonenumber: '0934890883' }), {
    id: 31,
    event: 8,
    alarm_phonenumber: '0934890883',
  });
  for (const bad of [null, {}, { title: 'no id' }]) {
    assert.is(parseEvent(bad), undefined);
    assert.is(parseAlarm(bad), undefined);
  }
});

test('listEvents / listAlarms: GET with the filter, every page, filtered here too (a server may ignore it)', async () => {
  const { c, data } = client((url) => {
    if (url === `${API}/event/?calendar=7`)
      return {
        status: 200,
        body: {
          results: [
            { id: 8, description: 'antring-bridge recovery c1 attempt 1', calendar: 7 },
            { id: 9, description: 'other', calendar: 3 },
          ],
        },
      };
    if (url === `${API}/alarm/?event=8`)
      return { status: 200, body: [{ id: 31, event: 8 }, { id: 32, event: 9 }, { id: 33 }] };
    return { status: 404 };
  });
  assert.equal(
    (await c.listEvents({ calendar: 7 })).map((e) => e.id),
    [8],
  );
  assert.equal(await c.listAlarms({ event: 8 }), [{ id: 31, event: 8 }]);
  assert.equal(
    data().map((s) => s.init.method),
    ['GET', 'GET'],
  );
  await c.stop();
});

test.run();
