// Call engine building blocks: bounded set, extension test, parties, cause → outcome.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BoundedSet } from '../../src/calls/bounded-set.js';
import { firstOf, isExtension, party } from '../../src/calls/numbers.js';
import { farOutcome, isBusyCause } from '../../src/calls/outcome.js';
import { sameView } from '../../src/calls/views.js';

const parts = suite('calls: parts');

parts('BoundedSet forgets the oldest entries first and never grows past its capacity', () => {
  const s = new BoundedSet(3);
  for (const k of ['a', 'b', 'c', 'a', 'd']) s.add(k);
  assert.equal(s.size, 3);
  assert.not.ok(s.has('a'));
  assert.ok(s.has('b') && s.has('c') && s.has('d'));
  s.add('e');
  assert.not.ok(s.has('b'));
  const none = new BoundedSet(0);
  none.add('x');
  assert.not.ok(none.has('x'));
});

parts('isExtension: at most 6 digits, or a known agent extension', () => {
  assert.ok(isExtension('8001'));
  assert.ok(isExtension(' 123456 '));
  assert.not.ok(isExtension('1234567'));
  assert.not.ok(isExtension('0934890883'));
  assert.not.ok(isExtension('+8001'));
  assert.not.ok(isExtension(''));
  assert.not.ok(isExtension(undefined));
  assert.ok(isExtension('80010001', new Set(['80010001'])));
});

parts('party keeps a name only when it says more than the number', () => {
  assert.equal(party('0934890883', '0934890883'), { number: '0934890883' });
  assert.equal(party('0934890883', ' '), { number: '0934890883' });
  assert.equal(party('0934890883', 'Nguyen Van A'), { number: '0934890883', name: 'Nguyen Van A' });
  assert.equal(party(undefined), { number: '' });
  assert.equal(firstOf(undefined, '', ' x '), 'x');
});

parts('far-leg cause → outcome', () => {
  assert.equal(farOutcome('USER_BUSY'), 'busy');
  assert.equal(farOutcome('CALL_REJECTED'), 'busy');
  for (const c of ['NO_ANSWER', 'ORIGINATOR_CANCEL', 'NORMAL_CLEARING', 'NO_USER_RESPONSE'])
    assert.equal(farOutcome(c), 'missed');
  assert.equal(farOutcome('UNALLOCATED_NUMBER'), 'failed');
  assert.equal(farOutcome(undefined), 'missed');
  assert.ok(isBusyCause('USER_BUSY'));
  assert.not.ok(isBusyCause('LOSE_RACE'));
});

parts('BoundedSet.addNew: true when added, false when there already; forgets the oldest like add', () => {
  const s = new BoundedSet(2);
  assert.equal(
    ['a', 'a', 'b', 'c', 'a', 'c'].map((k) => s.addNew(k)),
    [true, false, true, true, true, false],
  );
  assert.equal(s.size, 2);
  assert.ok(s.has('c') && s.has('a') && !s.has('b'));
  const none = new BoundedSet(0);
  assert.ok(none.addNew('x') && none.addNew('x'));
  assert.is(none.size, 0);
});

parts('sameView ignores receivedAt and undefined keys, compares nested values', () => {
  assert.ok(
    sameView({ a: 1, b: { c: [1, 2] }, receivedAt: 1 }, { a: 1, b: { c: [1, 2] }, receivedAt: 2, d: undefined }),
  );
  assert.not.ok(sameView({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] } }));
  assert.not.ok(sameView({ a: 1 }, { a: 1, b: 2 }));
});

parts.run();
