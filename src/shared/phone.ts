// Vietnamese phone numbers (pure): one national form per number, its E.164 form, and the pre-2018 11-digit
// form of a mobile number whose prefix was moved (a CRM may hold either). Also what click-to-call may dial.

export type PhoneKind = 'mobile' | 'landline' | 'other';

export interface NormalizedPhone {
  /** National form, current numbering plan: `0393608879`, `02873019555`. */
  national: string;
  /** `+84393608879`. */
  e164: string;
  /** The pre-2018 11-digit national form of a mobile number whose prefix was moved: `01693608879`. */
  legacy?: string;
  kind: PhoneKind;
}

/**
 * The 2018 move of 11-digit mobile prefixes to 10 digits (old 4-digit prefix → new 3-digit prefix;
 * the 7 digits after the prefix stay). Every family: Viettel, MobiFone, VinaPhone, Vietnamobile, Gmobile.
 */
export const LEGACY_MOBILE_PREFIXES: Readonly<Record<string, string>> = Object.freeze({
  // Viettel
  '0162': '032',
  '0163': '033',
  '0164': '034',
  '0165': '035',
  '0166': '036',
  '0167': '037',
  '0168': '038',
  '0169': '039',
  // MobiFone
  '0120': '070',
  '0121': '079',
  '0122': '077',
  '0126': '076',
  '0128': '078',
  // VinaPhone
  '0123': '083',
  '0124': '084',
  '0125': '085',
  '0127': '081',
  '0129': '082',
  // Vietnamobile
  '0186': '056',
  '0188': '058',
  // Gmobile
  '0199': '059',
});

/** New 3-digit prefix → old 4-digit prefix. */
const CURRENT_TO_LEGACY: ReadonlyMap<string, string> = new Map(
  Object.entries(LEGACY_MOBILE_PREFIXES).map(([legacy, current]) => [current, legacy]),
);

/** 3-digit prefixes of 10-digit mobile numbers in use (all carriers, including the moved ones). */
const MOBILE_PREFIXES: ReadonlySet<string> = new Set([
  '032',
  '033',
  '034',
  '035',
  '036',
  '037',
  '038',
  '039', // Viettel (moved)
  '052',
  '055',
  '056',
  '058',
  '059', // Vietnamobile, Reddi, Gmobile
  '070',
  '076',
  '077',
  '078',
  '079', // MobiFone (moved)
  '081',
  '082',
  '083',
  '084',
  '085',
  '086',
  '087',
  '088',
  '089',
  '090',
  '091',
  '092',
  '093',
  '094',
  '095',
  '096',
  '097',
  '098',
  '099',
]);

/** 1800/1900 service numbers: 8 or 10 digits, no trunk prefix. */
const SERVICE = /^1[89]00(?:[0-9]{4}|[0-9]{6})$/;
const MAX_INPUT = 64;

// How a number may be written: ASCII digit groups separated by spaces, or by one dot or dash (spaces around it
// allowed); a group may be in parentheses; a `+` only first (`+84 …`, `(+84) …`). Nothing before the first digit
// group or after the last one: `-0934890883`, `0934890883.`, `0934--890883`, `(0934890883` are not numbers.
// Every repetition starts with a separator or `(`, so matching is linear.
const SP = '[ \\t\\u00a0]';
const SEP = `(?:${SP}+|${SP}*[.\\-]${SP}*)`;
const FIRST = '(?:\\+?[0-9]+|\\(\\+?[0-9]+\\)[0-9]*)';
const NEXT = `(?:${SEP}[0-9]+|${SEP}?\\([0-9]+\\)[0-9]*)`;
const WRITTEN = new RegExp(`^${FIRST}${NEXT}*$`);

/** The digits (and a leading `+`) of a number written as WRITTEN allows (surrounding whitespace trimmed), or null. */
export function compactNumber(input: string): string | null {
  if (typeof input !== 'string' || input.length > MAX_INPUT) return null;
  const s = input.trim();
  if (!WRITTEN.test(s)) return null;
  return s.replace(/[^0-9+]/g, '');
}

/**
 * Any common way of writing a Vietnamese number → its normalised forms, or null when it is not one.
 * Accepts `0…`, `84…`, `+84…`, `0084…`, `+84 (0)…`, `(+84) …`, with spaces, dots, dashes, parentheses between digit
 * groups (compactNumber); rejects anything else (a leading minus, letters, extensions, non-ASCII digits).
 * Old 11-digit mobile numbers come back in their new 10-digit form (with `legacy` set).
 */
export function normalizePhone(input: string): NormalizedPhone | null {
  const s = compactNumber(input);
  if (s === null) return null;
  const plus = s.startsWith('+');
  const digits = plus ? s.slice(1) : s;
  if (!/^[0-9]+$/.test(digits)) return null;

  let national: string;
  if (plus) {
    if (!digits.startsWith('84')) return null;
    national = fromSubscriber(digits.slice(2));
  } else if (digits.startsWith('0084')) {
    national = fromSubscriber(digits.slice(4));
  } else if (digits.startsWith('84') && digits.length >= 10 && digits.length <= 13) {
    national = fromSubscriber(digits.slice(2));
  } else {
    national = digits;
  }
  return classify(national);
}

/** The digits after the country code → national form (`(0)` trunk digit tolerated). */
function fromSubscriber(rest: string): string {
  if (rest.startsWith('0') || SERVICE.test(rest)) return rest;
  return `0${rest}`;
}

function classify(national: string): NormalizedPhone | null {
  if (SERVICE.test(national)) return { national, e164: `+84${national}`, kind: 'other' };
  if (!national.startsWith('0')) return null;
  if (national.length === 10) {
    const prefix = national.slice(0, 3);
    if (MOBILE_PREFIXES.has(prefix)) {
      const old = CURRENT_TO_LEGACY.get(prefix);
      return make(national, 'mobile', old ? old + national.slice(3) : undefined);
    }
    // A well-formed 10-digit number in a range not (yet) known as mobile.
    if ('35789'.includes(national[1])) return make(national, 'other');
    return null;
  }
  if (national.length === 11) {
    if (national[1] === '2') return make(national, 'landline');
    const current = LEGACY_MOBILE_PREFIXES[national.slice(0, 4)];
    if (current) return make(current + national.slice(4), 'mobile', national);
    return null;
  }
  return null;
}

function make(national: string, kind: PhoneKind, legacy?: string): NormalizedPhone {
  const p: NormalizedPhone = { national, e164: `+84${national.slice(1)}`, kind };
  if (legacy) p.legacy = legacy;
  return p;
}

/** The distinct national forms a CRM may hold for this number: the current form first, then the legacy one. */
export function lookupForms(p: NormalizedPhone): string[] {
  return p.legacy && p.legacy !== p.national ? [p.national, p.legacy] : [p.national];
}

/** An internal extension: 1 to 6 ASCII digits, nothing else. */
export function isExtension(s: string): boolean {
  return typeof s === 'string' && /^[0-9]{1,6}$/.test(s);
}

const DIALABLE_CHARS = /^[0-9 .\-()+]+$/;
const E164_FOREIGN = /^\+[1-9][0-9]{6,14}$/;
const MAX_DIALABLE = 32;

/**
 * What click-to-call may dial, in the form to send upstream, or null:
 * a Vietnamese number → its national form (`0393608879`); a foreign E.164 number `+<country><digits>`
 * (at most 15 digits) → compact `+…`; an extension (2–6 digits, written bare) → as is. Anything else
 * (letters, control characters, tabs, `;`, `/`, a leading minus, over-long input, `+84` numbers that are not
 * valid, all zeros: not even an extension) → null.
 */
export function normalizeDialable(input: string): string | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_DIALABLE) return null;
  if (!DIALABLE_CHARS.test(input) || !/[1-9]/.test(input)) return null;
  if (/^[0-9]{2,6}$/.test(input)) return input;
  const vn = normalizePhone(input);
  if (vn) return vn.national;
  const compact = compactNumber(input);
  if (compact && E164_FOREIGN.test(compact) && !compact.startsWith('+84')) return compact;
  return null;
}
