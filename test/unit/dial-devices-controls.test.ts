// Usernames in DEVICES_FILE: control characters (C0, DEL, C1) are rejected; printable Unicode is kept.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DevicesFileError, parseDevices } from '../../src/dial/devices.js';
import { problemsOf as expectProblems } from '../helpers/problems.js';

const DEV = { sipUser: 'u1', sipPassword: 'p1' };
const problemsOf = (fn: () => unknown): string[] => expectProblems(DevicesFileError, fn);

for (const [label, ch] of [
  ['NUL', '\u0000'],
  ['TAB', '\t'],
  ['US (0x1f)', '\u001f'],
  ['DEL (0x7f)', '\u007f'],
  ['NEL (0x85, C1)', '\u0085'],
  ['CSI (0x9b, C1)', '\u009b'],
] as const) {
  test(`a username containing ${label} is rejected`, () => {
    const problems = problemsOf(() => parseDevices({ [`lan${ch}nguyen`]: DEV }));
    assert.is(problems.length, 1);
    assert.match(problems[0], /username must be 1 to \d+ characters/);
  });
}

test('printable usernames (dots, accents, non-Latin scripts) are accepted', () => {
  const d = parseDevices({ 'lan.nguyen': DEV, 'Nguyễn Văn A': DEV, 李雷: DEV, 'a b': DEV });
  assert.is(d.size, 4);
  assert.is(d.get('Nguyễn Văn A')?.sipUser, 'u1');
});

test.run();
