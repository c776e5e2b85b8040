// Types of the fan-out. EnrichedUpdate is defined here, once: what enrich/enricher.ts hands to the publisher (and
// writeback/crm-status.ts adds `crm` to); fanout/ depends on no enricher module for it.

import type { CallUpdate } from '../calls/types.js';
import type { CallCrm, CallView, Contact, ContactStatus } from '../contract.js';

/** A CallUpdate after CRM enrichment (contact resolved, pending, or disabled). */
export type EnrichedUpdate = CallUpdate & {
  contact: Contact | null;
  contactStatus: ContactStatus;
  candidates?: Contact[];
  /** A later message of an ended call: the write-back's results (writeback/crm-status.ts). */
  crm?: CallCrm;
} & Pick<CallView, 'recovery' | 'recovers' | 'callback'>;

/** A value a sync (memory) or async (Redis) implementation may return. */
export type MaybePromise<T> = T | Promise<T>;
