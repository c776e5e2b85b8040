import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  isExtension,
  LEGACY_MOBILE_PREFIXES,
  lookupForms,
  normalizeDialable,
  normalizePhone,
} from '../../src/shared/phone.js';
import { NUMBER_CASES } from '../helpers/phone-cases.js';

const Legacy = suite('phone: 2018 prefix move');

const EXPECTED_TABLE: Record<string, string> = {
  '0162': '032',
  '0163': '033',
  '0164': '034',
  '0165': '035',
  '0166': '036',
  '0167': '037',
  '0168': '038',
  '0169': '039',
  '0120': '070',
  '0121': '079',
  '0122': '077',
  '0126': '076',
  '0128': '078',
  '0123': '083',
  '0124': '084',
  '0125': '085',
  '0127': '081',
  '0129': '082',
  '0186': '056',
  '0188': '058',
  '0199': '059',
};

Legacy('the exported table is the full table of every family', () => {
  assert.equal({ ...LEGACY_MOBILE_PREFIXES }, EXPECTED_TABLE);
  assert.is(Object.keys(LEGACY_MOBILE_PREFIXES).length, 21);
});

for (const [oldPrefix, newPrefix] of Object.entries(EXPECTED_TABLE)) {
  Legacy(`${oldPrefix}xxxxxxx → ${newPrefix}xxxxxxx and back`, () => {
    const old = `${oldPrefix}3608879`;
    const current = `${newPrefix}3608879`;
    const fromOld = normalizePhone(old);
    assert.equal(fromOld, { national: current, e164: `+84${current.slice(1)}`, legacy: old, kind: 'mobile' });
    const fromNew = normalizePhone(current);
    assert.equal(fromNew, fromOld);
    assert.equal(lookupForms(fromNew!), [current, old]);
    // International form of the old number too.
    assert.is(normalizePhone(`+84${old.slice(1)}`)?.national, current);
  });
}

Legacy('the sample numbers of the seed documents', () => {
  assert.equal(normalizePhone('01693608879'), {
    national: '0393608879',
    e164: '+84393608879',
    legacy: '01693608879',
    kind: 'mobile',
  });
  assert.equal(normalizePhone('0934890883'), { national: '0934890883', e164: '+84934890883', kind: 'mobile' });
  assert.equal(lookupForms(normalizePhone('0934890883')!), ['0934890883']);
});

Legacy('an 11-digit 01xx number outside the table is not a number', () => {
  for (const s of ['01303608879', '01613608879', '01703608879', '01893608879', '01983608879']) {
    assert.is(normalizePhone(s), null, s);
  }
});

const Formats = suite('phone: formats');

const SAME = [
  '0393608879',
  '+84393608879',
  '84393608879',
  '0084393608879',
  '+84 393 608 879',
  '84-393-608-879',
  '0393.608.879',
  '(039) 360-8879',
  '+84 (0) 393 608 879',
  '  0393 608 879  ',
  '+841693608879',
  '841693608879',
  '0084 169 360 8879',
  '0169.360.8879',
];
for (const s of SAME) {
  Formats(`"${s}" → 0393608879`, () => {
    const p = normalizePhone(s);
    assert.ok(p, s);
    assert.is(p!.national, '0393608879');
    assert.is(p!.e164, '+84393608879');
    assert.is(p!.legacy, '01693608879');
    assert.is(p!.kind, 'mobile');
  });
}

Formats('landlines stay as they are', () => {
  assert.equal(normalizePhone('(028) 7301 9555'), { national: '02873019555', e164: '+842873019555', kind: 'landline' });
  assert.equal(normalizePhone('02873019555'), { national: '02873019555', e164: '+842873019555', kind: 'landline' });
  assert.equal(normalizePhone('+84 24 3826 1234'), {
    national: '02438261234',
    e164: '+842438261234',
    kind: 'landline',
  });
  assert.equal(lookupForms(normalizePhone('02873019555')!), ['02873019555']);
});

Formats('other 10-digit mobiles have no legacy form', () => {
  for (const s of ['0912345678', '0868123456', '0888123456', '0523456789', '0553456789', '0993456789']) {
    const p = normalizePhone(s);
    assert.equal(p, { national: s, e164: `+84${s.slice(1)}`, kind: 'mobile' }, s);
  }
});

Formats('well-formed numbers outside known ranges and service numbers are "other"', () => {
  assert.equal(normalizePhone('0501234567'), { national: '0501234567', e164: '+84501234567', kind: 'other' });
  assert.equal(normalizePhone('1900 1234'), { national: '19001234', e164: '+8419001234', kind: 'other' });
  assert.equal(normalizePhone('1800-588-888'), { national: '1800588888', e164: '+841800588888', kind: 'other' });
});

const Garbage = suite('phone: garbage');

const BAD = [
  '',
  '   ',
  'abc',
  '0393608879a',
  'O393608879',
  '0x393608879',
  '0393 608 87',
  '039360887',
  '03936088790',
  '039360887912',
  '+1 415 555 2671',
  '+',
  '++84393608879',
  '84+393608879',
  '0393608879;',
  '0393/608/879',
  '０３９３６０８８７９',
  '٠٣٩٣٦٠٨٨٧٩',
  '0123456789',
  '0203456789',
  '0463608879',
  '1234',
  '12345678901234567890',
  '0'.repeat(80),
  '0393608879\u0000',
  '+84',
  '0084',
  'undefined',
  'null',
];
for (const s of BAD) {
  Garbage(`${JSON.stringify(s)} → null`, () => {
    assert.is(normalizePhone(s), null);
  });
}

Garbage('non-strings → null', () => {
  assert.is(normalizePhone(undefined as unknown as string), null);
  assert.is(normalizePhone(393608879 as unknown as string), null);
});

const Ext = suite('phone: extensions');

Ext('isExtension: 1 to 6 ASCII digits', () => {
  for (const s of ['1', '10', '101', '1001', '123456']) assert.ok(isExtension(s), s);
  for (const s of ['', '1234567', '10a', ' 101', '101 ', '١٠١', '+101', '10.1']) assert.not.ok(isExtension(s), s);
});

const Dial = suite('phone: normalizeDialable');

const DIAL: [string, string | null][] = [
  ['0934890883', '0934890883'],
  ['+84 934 890 883', '0934890883'],
  ['0084934890883', '0934890883'],
  ['01693608879', '0393608879'],
  ['(028) 7301 9555', '02873019555'],
  ['+14155552671', '+14155552671'],
  ['+1 (415) 555-2671', '+14155552671'],
  ['+442071838750', '+442071838750'],
  ['+123456789012345', '+123456789012345'],
  ['+1234567890123456', null],
  ['+0123456789', null],
  ['+84123', null],
  ['101', '101'],
  ['10', '10'],
  ['123456', '123456'],
  ['1', null],
  ['1234567', null],
  ['12-34', null],
  ['0934890883; DROP', null],
  ['0934890883\n', null],
  ['0934890883\r\n', null],
  ['\t0934890883', null],
  ['../', null],
  ['../../etc/passwd', null],
  ['0934890883&x=1', null],
  ['sip:0934890883@pbx', null],
  ['0934890883'.repeat(4), null],
  ['0'.repeat(33), null],
  ['', null],
  ['+', null],
  ['abc', null],
  ['０９３４８９０８８３', null],
];
for (const [input, expected] of DIAL) {
  Dial(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
    assert.is(normalizeDialable(input), expected);
  });
}

const Table = suite('phone: the written-numbers table (normalizePhone and normalizeDialable)');

for (const c of NUMBER_CASES) {
  const phone = c.phone === undefined ? c.dial : c.phone;
  Table(
    `${c.what}: ${JSON.stringify(c.input.slice(0, 40))} → dial ${JSON.stringify(c.dial)}, phone ${JSON.stringify(phone)}`,
    () => {
      assert.is(normalizeDialable(c.input), c.dial);
      const p = normalizePhone(c.input);
      assert.is(p ? p.national : null, phone);
      if (p) assert.is(p.e164, `+84${p.national.replace(/^0/, '')}`);
    },
  );
}

Table('the table covers every family of input the issue names', () => {
  const families = new Set(NUMBER_CASES.map((c) => c.what));
  assert.ok(families.size >= 15, `${families.size} families`);
  assert.ok(NUMBER_CASES.length >= 100, `${NUMBER_CASES.length} cases`);
  for (const input of ['00000000000000000000', '-0934890883', '(+84) 934 890 883']) {
    assert.ok(
      NUMBER_CASES.some((c) => c.input === input),
      input,
    );
  }
});

Table('matching stays linear on long adversarial input', () => {
  const inputs = ['0 '.repeat(32), '0-'.repeat(32), '(0)'.repeat(21), `${'1 '.repeat(31)}x`, `${'(1)'.repeat(20)}(`];
  const t0 = performance.now();
  for (let i = 0; i < 2000; i++) for (const s of inputs) normalizePhone(s);
  assert.ok(performance.now() - t0 < 1000, 'fast');
});

Legacy.run();
Formats.run();
Garbage.run();
Ext.run();
Dial.run();
Table.run();
