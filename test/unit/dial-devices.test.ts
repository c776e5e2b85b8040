import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Device, DevicesFileError, loadDevicesFile, NO_DEVICES, parseDevices } from '../../src/dial/devices.js';
import { problemsOf as expectProblems } from '../helpers/problems.js';

const PASS = 'sip-s3cr3t-pw';

const problemsOf = (fn: () => unknown): string[] => expectProblems(DevicesFileError, fn);

test('a valid document: username → device; unknown usernames have none', () => {
  const d = parseDevices({
    'lan.nguyen': { sipUser: 'user_lan8001', sipPassword: PASS },
    'minh.tran': { sipUser: 'u2', sipPassword: 'p2', note: 'desk phone' },
  });
  assert.is(d.size, 2);
  assert.is(d.get('lan.nguyen')?.sipUser, 'user_lan8001');
  assert.is(d.get('lan.nguyen')?.sipPassword, PASS);
  assert.is(d.get('nobody'), undefined);
  assert.is(d.get('__proto__'), undefined);
  assert.is(d.get('toString'), undefined);
  assert.is(parseDevices({}).size, 0);
  assert.is(NO_DEVICES.get('lan.nguyen'), undefined);
});

test('a Device never serialises its password (JSON, util.inspect, string templates)', () => {
  const dev = new Device('user_lan8001', PASS);
  assert.is(dev.sipPassword, PASS);
  assert.not.ok(JSON.stringify(dev).includes(PASS));
  assert.not.ok(JSON.stringify({ dev }).includes(PASS));
  assert.not.ok(inspect(dev).includes(PASS));
  assert.not.ok(inspect({ nested: { dev } }, { depth: 5 }).includes(PASS));
  assert.not.ok(`${String(dev)}`.includes(PASS));
  assert.not.ok(Object.keys(dev).includes('sipPassword'));
  // What the AntRing client reads: both fields.
  const { sipUser, sipPassword } = dev;
  assert.equal({ sipUser, sipPassword }, { sipUser: 'user_lan8001', sipPassword: PASS });
});

test('not an object: one clear problem', () => {
  for (const doc of [null, [], [{ sipUser: 'a', sipPassword: 'b' }], 'x', 42, true]) {
    const p = problemsOf(() => parseDevices(doc));
    assert.is(p.length, 1);
    assert.match(p[0], /^DEVICES_FILE: must be a JSON object/);
  }
});

test('every bad entry is listed, by username and field, never with the password value', () => {
  const p = problemsOf(() =>
    parseDevices({
      ok: { sipUser: 'u', sipPassword: 'p' },
      'no.password': { sipUser: 'u' },
      'no.user': { sipPassword: PASS },
      'empty.user': { sipUser: '', sipPassword: PASS },
      spaces: { sipUser: 'has space', sipPassword: `${PASS} x` },
      numbers: { sipUser: 1234, sipPassword: 5678 },
      string: PASS,
      array: [PASS],
      '': { sipUser: 'u', sipPassword: PASS },
      ' padded ': { sipUser: 'u', sipPassword: PASS },
      'long.password': { sipUser: 'u', sipPassword: 'x'.repeat(300) },
    }),
  );
  const text = p.join('\n');
  assert.not.ok(text.includes(PASS), 'no password in the messages');
  assert.not.ok(text.includes('x'.repeat(300)));
  for (const expected of [
    '"no.password".sipPassword',
    '"no.user".sipUser',
    '"empty.user".sipUser',
    '"spaces".sipUser',
    '"spaces".sipPassword',
    '"numbers".sipUser',
    '"numbers".sipPassword',
    '"string": must be an object',
    '"array": must be an object',
    '"": the username',
    '" padded ": the username',
    '"long.password".sipPassword',
  ]) {
    assert.ok(text.includes(expected), `problem for ${expected} in:\n${text}`);
  }
  assert.not.ok(text.includes('"ok"'));
  assert.is(p.length, 12);
});

test('loadDevicesFile: reads and validates; unreadable, non-JSON and invalid files are DevicesFileError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dial-devices-'));
  try {
    const good = join(dir, 'good.json');
    writeFileSync(good, `\uFEFF${JSON.stringify({ 'lan.nguyen': { sipUser: 'user_lan8001', sipPassword: PASS } })}`);
    assert.is(loadDevicesFile(good).get('lan.nguyen')?.sipPassword, PASS);

    const missing = problemsOf(() => loadDevicesFile(join(dir, 'missing.json')));
    assert.match(missing[0], /cannot read .*missing\.json \(ENOENT\)/);

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, `{ "lan.nguyen": { "sipUser": "u", "sipPassword": "${PASS}" `);
    const notJson = problemsOf(() => loadDevicesFile(broken));
    assert.equal(notJson, [`DEVICES_FILE: ${broken} is not valid JSON`]);

    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ 'lan.nguyen': { sipUser: 'u' } }));
    const bad = problemsOf(() => loadDevicesFile(invalid));
    assert.equal(bad, [
      `DEVICES_FILE (${invalid}): "lan.nguyen".sipPassword: must be a non-empty string (at most 256 characters, no spaces)`,
    ]);

    const arr = join(dir, 'array.json');
    writeFileSync(arr, '[]');
    assert.match(problemsOf(() => loadDevicesFile(arr))[0], /must be a JSON object/);

    // A directory is unreadable as a file.
    assert.match(problemsOf(() => loadDevicesFile(dir))[0], /cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the error message joins the problems (one line each) for the start-up report', () => {
  try {
    parseDevices({ a: {}, b: {} });
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).name, 'DevicesFileError');
    assert.is((e as Error).message.split('\n').length, 4);
  }
});

test.run();
