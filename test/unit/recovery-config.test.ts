// §9.1: the callback settings from a tenant's `callbacks` object (the schema the tenants file imports) and from the
// environment: defaults, off unless enabled (on in demo mode), required fields when enabled, the transfer number
// (one, or per queue with `*`), every problem named by its field or variable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CallbacksConfigError,
  callbacksFromEnv,
  callbacksSchema,
  needsAntBot,
  tenantCallbacksSchema,
  transferNumberFor,
} from '../../src/recovery/config.js';
import { ALWAYS } from '../../src/recovery/hours.js';

const DEFAULT_SETTINGS = {
  delaySec: 300,
  hours: { text: '08:00-20:00', startMin: 480, endMin: 1200 },
  timeZone: 'Asia/Ho_Chi_Minh',
  maxAttempts: 2,
};
const ON = { enabled: true, calendar: 7, creator: 115, transferTo: '028 7301 9555' };

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.instance(e, CallbacksConfigError);
    return (e as CallbacksConfigError).problems;
  }
  assert.unreachable('expected CallbacksConfigError');
  return [];
}

test('tenant callbacks: {} is off with the defaults; enabled with the three required fields', () => {
  assert.equal(callbacksSchema().parse({}), { enabled: false, ...DEFAULT_SETTINGS });
  assert.equal(tenantCallbacksSchema.parse({}), { enabled: false, ...DEFAULT_SETTINGS });
  assert.is(tenantCallbacksSchema.optional().parse(undefined), undefined);
  const on = callbacksSchema().parse(ON);
  assert.equal(on, {
    enabled: true,
    ...DEFAULT_SETTINGS,
    calendar: 7,
    creator: 115,
    transferTo: { default: '02873019555', byQueue: {} },
  });
  assert.ok(needsAntBot(on));
  assert.not.ok(needsAntBot(callbacksSchema().parse({})));
  // Demo mode (or whoever passes enabledByDefault): on unless `enabled: false`.
  assert.is(callbacksSchema({ enabledByDefault: true }).parse(ON).enabled, true);
  assert.is(callbacksSchema({ enabledByDefault: true }).parse({ enabled: false }).enabled, false);
});

test('tenant callbacks: every field set; ids as digits; a per-queue transfer map with `*`', () => {
  const c = callbacksSchema().parse({
    enabled: true,
    delaySec: 30,
    hours: '00:00-24:00',
    timeZone: 'Asia/Bangkok',
    calendar: '7',
    creator: 'cal-user-1',
    transferTo: { q_sales: '+84 28 7301 9555', '*': '1001' },
    maxAttempts: 3,
  });
  assert.equal(c, {
    enabled: true,
    delaySec: 30,
    hours: ALWAYS,
    timeZone: 'Asia/Bangkok',
    maxAttempts: 3,
    calendar: 7,
    creator: 'cal-user-1',
    transferTo: { default: '1001', byQueue: { q_sales: '02873019555' } },
  });
  if (!c.enabled) throw new Error('enabled');
  assert.is(transferNumberFor(c.transferTo, 'q_sales'), '02873019555');
  assert.is(transferNumberFor(c.transferTo, 'q_other'), '1001');
  assert.is(transferNumberFor(c.transferTo, undefined), '1001');
});

test('tenant callbacks: problems are named by field (missing when enabled, ranges, hours, zone, unknown keys)', () => {
  const paths = (v: unknown) => {
    const r = callbacksSchema().safeParse(v);
    assert.not.ok(r.success, JSON.stringify(v));
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.equal(paths({ enabled: true }), [
    'calendar: required when callbacks are enabled',
    'creator: required when callbacks are enabled',
    'transferTo: required when callbacks are enabled',
  ]);
  assert.match(paths({ delaySec: 0 }).join(), /^delaySec: expected a whole number from 1 to 604800/);
  assert.match(paths({ delaySec: 1.5 }).join(), /^delaySec:/);
  assert.match(paths({ maxAttempts: 11 }).join(), /^maxAttempts: expected a whole number from 1 to 10/);
  assert.match(paths({ hours: '8-20' }).join(), /^hours: .*HH:MM-HH:MM/);
  assert.match(paths({ timeZone: 'Mars/Olympus' }).join(), /^timeZone: expected an IANA time zone/);
  assert.match(paths({ delay: 30 }).join(), /delay/, 'a typo is refused, not ignored');
  assert.ok(paths({ ...ON, transferTo: { q1: '1001' } }).some((p) => /needs a "\*" entry/.test(p)));
  assert.equal(paths({ ...ON, transferTo: 'reception' }), [
    'transferTo: expected a phone number or an extension (2–6 digits)',
  ]);
  assert.equal(paths({ ...ON, transferTo: { q1: 'x', '*': '1001' } }), [
    'transferTo.q1: expected a phone number or an extension (2–6 digits)',
  ]);
  assert.equal(paths({ ...ON, transferTo: ['1001'] }), [
    'transferTo: expected a number, or { "<queueId>": "…", "*": "…" }',
  ]);
  assert.ok(paths({ ...ON, calendar: 0 }).some((p) => /^calendar/.test(p)));
  assert.ok(paths({ ...ON, creator: 'a b' }).some((p) => /^creator/.test(p)));
});

test('environment: nothing set is off with the defaults; blank counts as unset', () => {
  assert.equal(callbacksFromEnv({}), { enabled: false, ...DEFAULT_SETTINGS });
  assert.equal(callbacksFromEnv({ CALLBACKS: ' ', CALLBACK_DELAY_S: '' }), { enabled: false, ...DEFAULT_SETTINGS });
});

test('environment: CALLBACKS=on with every variable; CALLBACK_TRANSFER_TO as JSON per queue', () => {
  const c = callbacksFromEnv({
    CALLBACKS: 'on',
    CALLBACK_DELAY_S: '120',
    CALLBACK_HOURS: '07:30-21:00',
    CALLBACK_TZ: 'Asia/Ho_Chi_Minh',
    ANTBOT_CALLBACK_CALENDAR: '7',
    ANTBOT_CALLBACK_CREATOR: '115',
    CALLBACK_TRANSFER_TO: '{ "q1": "0287 301 9555", "*": "1001" }',
    CALLBACK_MAX_ATTEMPTS: '3',
  });
  assert.equal(c, {
    enabled: true,
    delaySec: 120,
    hours: { text: '07:30-21:00', startMin: 450, endMin: 1260 },
    timeZone: 'Asia/Ho_Chi_Minh',
    maxAttempts: 3,
    calendar: 7,
    creator: 115,
    transferTo: { default: '1001', byQueue: { q1: '02873019555' } },
  });
  assert.is(callbacksFromEnv({ CALLBACKS: 'off', CALLBACK_DELAY_S: '5' }).delaySec, 5);
});

test('environment: demo mode is on by default and takes the demo defaults; the environment still wins', () => {
  const defaults = { calendar: '1', creator: '1', transferTo: '02873000000', delaySec: '30' };
  const demo = callbacksFromEnv({}, { demo: true, defaults });
  assert.is(demo.enabled, true);
  assert.is(demo.delaySec, 30);
  assert.is(callbacksFromEnv({ CALLBACK_DELAY_S: '45' }, { demo: true, defaults }).delaySec, 45);
  assert.is(callbacksFromEnv({ CALLBACKS: 'off' }, { demo: true, defaults }).enabled, false);
});

test('environment: each problem names its variable (and no value is needed to find it)', () => {
  assert.equal(
    problems(() => callbacksFromEnv({ CALLBACKS: 'on' })),
    [
      'ANTBOT_CALLBACK_CALENDAR: required when callbacks are enabled',
      'ANTBOT_CALLBACK_CREATOR: required when callbacks are enabled',
      'CALLBACK_TRANSFER_TO: required when callbacks are enabled',
    ],
  );
  const p = problems(() =>
    callbacksFromEnv({
      CALLBACKS: 'yes please',
      CALLBACK_DELAY_S: '0',
      CALLBACK_HOURS: '8h-20h',
      CALLBACK_TZ: 'Nowhere',
      CALLBACK_MAX_ATTEMPTS: 'two',
      CALLBACK_TRANSFER_TO: '{ "q1": ',
    }),
  );
  assert.equal(
    p.map((x) => x.split(':')[0]),
    ['CALLBACKS', 'CALLBACK_DELAY_S', 'CALLBACK_HOURS', 'CALLBACK_TZ', 'CALLBACK_MAX_ATTEMPTS', 'CALLBACK_TRANSFER_TO'],
  );
  assert.match(p[0], /expected on or off/);
  assert.match(p[5], /not JSON/);
});

test.run();
