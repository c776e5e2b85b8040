// The table of written numbers (issue 10 item 12), shared by the normaliser's tests (shared-phone.test.ts), the dial
// service's (dial-numbers.test.ts) and the REST/socket paths' (integration/click-to-call.test.ts).
// `dial`: what click-to-call sends upstream (null = 422 invalid_number); `phone`: normalizePhone's national form
// (null = not a Vietnamese number), when it differs from `dial`.

export interface NumberCase {
  input: string;
  dial: string | null;
  phone?: string | null;
  what: string;
}

const accepted = (what: string, national: string, inputs: string[]): NumberCase[] =>
  inputs.map((input) => ({ input, dial: national, what }));
const refused = (what: string, inputs: string[], phone: string | null = null): NumberCase[] =>
  inputs.map((input) => ({ input, dial: null, phone, what }));

export const NUMBER_CASES: readonly NumberCase[] = [
  ...accepted('Vietnamese mobile, any common writing', '0934890883', [
    '0934890883',
    '+84934890883',
    '84934890883',
    '0084934890883',
    '+84 934 890 883',
    '(+84) 934 890 883',
    '(+84)934890883',
    '(84) 934 890 883',
    '+84 (0) 934 890 883',
    '+84 (0)934890883',
    '0934 890 883',
    '0934.890.883',
    '0934-890-883',
    '093-489-0883',
    '(093) 489 0883',
    '(0934) 890883',
    '0934 - 890 - 883',
    ' 0934890883 ',
    '00 84 934 890 883',
    '+84-934-890-883',
    '84.934.890.883',
  ]),
  ...accepted('legacy 11-digit mobile → its current form', '0393608879', [
    '01693608879',
    '0169 360 8879',
    '+84 169 360 8879',
  ]),
  ...accepted('landline', '02873019555', [
    '02873019555',
    '(028) 7301 9555',
    '(028)7301 9555',
    '+84 28 7301 9555',
    '028.7301.9555',
  ]),
  ...accepted('service number', '19001234', ['1900 1234', '1900-1234']),
  { input: '+1 (415) 555-2671', dial: '+14155552671', phone: null, what: 'foreign E.164' },
  { input: '+44 20 7183 8750', dial: '+442071838750', phone: null, what: 'foreign E.164' },
  { input: '101', dial: '101', phone: null, what: 'an extension, bare' },
  { input: '8001', dial: '8001', phone: null, what: 'an extension, bare' },

  ...refused('all zeros', [
    '00000000000000000000',
    '0000000000',
    '00000000000',
    '0',
    '00',
    '000',
    '000000',
    '+840000000000',
    '0084 0000 0000',
    '0'.repeat(33),
  ]),
  ...refused('a leading or trailing separator', [
    '-0934890883',
    '--0934890883',
    '.0934890883',
    '0934890883-',
    '0934890883.',
    '- 0934890883',
  ]),
  ...refused('doubled or misplaced punctuation', [
    '0934--890883',
    '0934..890883',
    '0934.-890883',
    '0934890883()',
    '()0934890883',
    '(0934890883',
    '0934)890883',
    '09(34)89(0883',
  ]),
  ...refused('a + anywhere but first', [
    '84+934890883',
    '++84934890883',
    '0934+890883',
    '+(84) 934 890 883',
    '+',
    '+84',
  ]),
  ...refused('extensions after a number', [
    '0934890883 ext 12',
    '0934890883 x12',
    '0934890883;ext=12',
    '0934890883,12',
    '0934890883#12',
    '0934890883 #12',
    '0934890883p12',
    '0934890883w12',
  ]),
  ...refused('letters', ['abc', '0934abc883', 'O934890883', '0x934890883', 'tel:0934890883', '1e10', 'undefined']),
  ...refused('too short', ['1', '+84 123', '093489088', '12-34', '0934 890 88']),
  ...refused('too long', [
    '09348908831',
    '093489088312',
    '09348908831234',
    '+84 934 890 883 1',
    '1'.repeat(40),
    '+1234567890123456',
  ]),
  ...refused('unicode digits', ['０９３４８９０８８３', '٠٩٣٤٨٩٠٨٨٣', '۰۹۳۴۸۹۰۸۸۳', '०९३४८९०८८३', '0934８90883']),
  ...refused('control characters and injections', [
    '0934890883\n0912345678',
    '0934890883\u0000',
    '0934890883; rm -rf /',
    "' OR 1=1 --",
    '$(reboot)',
    '../../etc/passwd',
  ]),
  ...refused('empty', ['', '   ']),
  ...refused('not in a Vietnamese range', ['0123456789', '0203456789', '0463608879']),
];
