// The numbers of a recovery: the matching form of a customer's number (one recovery per tenant and number, whatever
// way the number is written), the number as dialled in Vietnam (what AntBot calls), and the transfer-number match.
import { normalizeDialable, normalizePhone } from '../shared/phone.js';

/**
 * A customer's number in matching form (a Vietnamese number: its current national form, so `+84 93…`, `093…` and
 * a pre-2018 11-digit mobile are one; a foreign number: compact E.164), or null when it is not a customer number:
 * an extension, a feature code (`*97`), a SIP name, anything not dialable.
 */
export function recoveryNumber(raw: string | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const n = normalizeDialable(raw.trim());
  if (n === null || /^[0-9]{1,6}$/.test(n)) return null;
  return n;
}

/** `alarm_phonenumber`: a Vietnamese number in national form (`0934890883`), a foreign one with the `00` prefix. */
export function dialledInVietnam(number: string): string {
  const vn = normalizePhone(number);
  if (vn) return vn.national;
  return number.startsWith('+') ? `00${number.slice(1)}` : number;
}

/** Two written numbers are the same target (a DID in any form, or the same extension). */
export function sameTarget(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = normalizeDialable(a.trim());
  return x !== null && x === normalizeDialable(b.trim());
}
