// Phone-number helpers of the call engine: the is-extension test and building a Party.
import type { Party } from '../contract.js';

const EXTENSION = /^\d{1,6}$/;

/** An internal extension: at most 6 digits, or the extension of a known agent. */
export function isExtension(number: string | undefined, knownExtensions?: { has(n: string): boolean }): boolean {
  if (!number) return false;
  const n = number.trim();
  if (EXTENSION.test(n)) return true;
  return knownExtensions?.has(n) ?? false;
}

/** A feature code (`*97`, `#21`) or anything that is not a dialable number (letters, SIP user names). */
export function isFeatureOrNonDialable(number: string | undefined): boolean {
  if (!number) return false;
  const n = number.trim().replace(/[\s().-]/g, '');
  if (n === '') return false;
  return /^[*#]/.test(n) || !/^\+?\d+$/.test(n);
}

/** Internal target: an extension, a feature code or a non-dialable target (no CRM lookup, not outbound). */
export function isInternalTarget(number: string | undefined, knownExtensions?: { has(n: string): boolean }): boolean {
  return isExtension(number, knownExtensions) || isFeatureOrNonDialable(number);
}

/** `v` trimmed, when it is a non-empty string. */
function filled(v: string | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t !== '' ? t : undefined;
}

/** The first argument that is a non-empty string, trimmed (fixed arity: no array per call, it runs per view). */
export function firstOf(a: string | undefined, b?: string, c?: string, d?: string): string | undefined {
  return filled(a) ?? filled(b) ?? filled(c) ?? filled(d);
}

/** A Party; the name is kept only when it says more than the number. */
export function party(number: string | undefined, name?: string): Party {
  const num = firstOf(number) ?? '';
  const nm = firstOf(name);
  return nm !== undefined && nm !== num ? { number: num, name: nm } : { number: num };
}
