// The CRM lookup statuses and results, defined once (pure): the list, its guard, the fixed results, and the one rule
// for a call with nothing to look up. The public contactStatus (src/contract.ts) is these plus 'pending'.
import { CONTACT_STATUSES, type Contact, type ContactStatus } from '../contract.js';

/** What a contact lookup can settle as: the contract's statuses but 'pending' (a pop sent before the CRM answered). */
export type LookupStatus = Exclude<ContactStatus, 'pending'>;
export const LOOKUP_STATUSES: readonly LookupStatus[] = CONTACT_STATUSES.filter(
  (s): s is LookupStatus => s !== 'pending',
);

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
