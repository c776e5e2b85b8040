// The numbers of a recovery, over the shared table of written numbers (test/helpers/phone-cases.ts): the matching
// form (every writing of one customer number is one recovery; extensions and anything not dialable are no customer),
// the number as dialled in Vietnam (alarm_phonenumber), and the transfer-number match.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dialledInVietnam, recoveryNumber, sameTarget } from '../../src/recovery/numbers.js';
import { NUMBER_CASES } from '../helpers/phone-cases.js';

test('recoveryNumber: every accepted writing → the dial form; extensions and refused inputs → null', () => {
  let customers = 0;
  for (const c of NUMBER_CASES) {
    const extension = c.dial !== null && /^[0-9]{1,6}$/.test(c.dial);
    const expected = c.dial === null || extension ? null : c.dial;
    if (expected) customers++;
    assert.is(recoveryNumber(c.input), expected, `${c.what}: ${JSON.stringify(c.input)}`);
  }
  assert.ok(customers > 20, 'the table has customer numbers');
  for (const v of [undefined, '', '*97', '#21', 'sip:alice@acme', '1001']) assert.is(recoveryNumber(v), null);
});

test('dialledInVietnam: national form for Vietnamese numbers, 00 + country code for foreign ones', () => {
  assert.is(dialledInVietnam(recoveryNumber('+84 934 890 883')!), '0934890883');
  assert.is(dialledInVietnam(recoveryNumber('01693608879')!), '0393608879');
  assert.is(dialledInVietnam(recoveryNumber('(028) 7301 9555')!), '02873019555');
  assert.is(dialledInVietnam(recoveryNumber('+1 (415) 555-2671')!), '0014155552671');
});

test('sameTarget: a DID in any writing, or the same extension', () => {
  assert.ok(sameTarget('+84 28 7301 9555', '02873019555'));
  assert.ok(sameTarget('1001', '1001'));
  assert.not.ok(sameTarget('1001', '1002'));
  assert.not.ok(sameTarget('02873019555', '02873019556'));
  assert.not.ok(sameTarget(undefined, '1001'));
  assert.not.ok(sameTarget('abc', 'abc'), 'not a number: never the same target');
});

test.run();
