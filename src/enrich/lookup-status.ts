// The CRM lookup statuses and results, defined once (pure): the list, its guard, the fixed results, and the one rule
// for a call with nothing to look up. The public contactStatus (src/contract.ts) is these plus 'pending'.
import type { Contact, ContactStatus } from '../contract.js';

/** What a contact lookup can settle as. */
export const LOOKUP_STATUSES = ['found', 'multiple', 'not_found', 'error', 'disabled'] as const;
export type LookupStatus = (typeof LOOKUP_STATUSES)[number];

// Compile-time: the list is exactly the contract's contactStatus without 'pending' (neither may drift).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SAME_AS_CONTRACT: Same<LookupStatus, Exclude<ContactStatus, 'pending'>> = true;
void SAME_AS_CONTRACT;

export interface LookupResult {
  status: LookupStatus;
  contact: Contact | null;
  /** All matches when status is 'multiple' (contact = the first). */
  candidates?: Contact[];
}

const STATUS_SET: ReadonlySet<unknown> = new Set<unknown>(LOOKUP_STATUSES);

export function isLookupStatus(v: unknown): v is LookupStatus {
  return STATUS_SET.has(v);
}

export const DISABLED_RESULT: LookupResult = Object.freeze({ status: 'disabled', contact: null }) as LookupResult;
export const NOT_FOUND_RESULT: LookupResult = Object.freeze({ status: 'not_found', contact: null }) as LookupResult;
export const ERROR_RESULT: LookupResult = Object.freeze({ status: 'error', contact: null }) as LookupResult;

/**
 * The result of a call with nothing to look up (an internal call, or a number that is not a phone number):
 * 'disabled' when the CRM is disabled, else 'not_found'. The directory and the enricher both use it.
 */
export function noLookupResult(crmEnabled: boolean): LookupResult {
  return crmEnabled ? NOT_FOUND_RESULT : DISABLED_RESULT;
}
