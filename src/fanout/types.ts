// Local structural types of the fan-out. EnrichedUpdate mirrors what enrich/enricher.ts hands to the publisher;
// it is declared here structurally so fanout/ does not depend on the enricher module.

import type { CallUpdate } from '../calls/types.js';
import type { CallCrm, Contact, ContactStatus } from '../contract.js';

/** A CallUpdate after CRM enrichment (contact resolved, pending, or disabled). */
export type EnrichedUpdate = CallUpdate & {
  contact: Contact | null;
  contactStatus: ContactStatus;
  candidates?: Contact[];
  /** A later message of an ended call: the write-back's results (writeback/crm-status.ts). */
  crm?: CallCrm;
};

/** A value a sync (memory) or async (Redis) implementation may return. */
export type MaybePromise<T> = T | Promise<T>;
