// The outbox handlers of the AntCRM targets over an AntCrmWriter: "antcrm.ticket" (POST /tickets → { ticketId }),
// "antcrm.lead" (POST /contacts → { leadId }) and "antcrm.wrapup" (writeback/wrapup-handler.ts, the only one).
// A call that ended before its contact lookup answered is enqueued at once all the same; its delivery resolves the
// contact when it runs (`resolveContact` on a ticket: the contact's id when found; `ifUnknown` on a lead: written
// only for a definite not_found, nothing when the CRM knows the number).
import type { AntCrmWriter, LeadInput, TicketInput } from '../antcrm/writer.js';
import type { Contact } from '../contract.js';
import { wrapupHandler } from '../writeback/wrapup-handler.js';
import { resultOf } from './crm-results.js';
import { type DeliveryHandler, giveUp, type Outbox, ok, retry } from './types.js';

export { resultOf, wrapupSummary } from './crm-results.js';
export { leadKey, ticketKey, wrapupKey } from './keys.js';

/** A ticket whose contact is resolved at delivery: the customer's national number. */
export type TicketDelivery = TicketInput & { resolveContact?: string };
/** A lead written only when the CRM definitely does not know the number. */
export type LeadDelivery = LeadInput & { ifUnknown?: boolean };

/** The contact lookup (the enricher's ContactDirectory: cached, single-flight). */
export type ContactLookup = (number: string) => Promise<{ status: string; contact: Contact | null }>;

/** Lookups that failed before a ticket is written without the contact's id. */
export const LOOKUP_TRIES = 3;

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function antCrmHandlers(
  writer: AntCrmWriter,
  outbox: Pick<Outbox, 'get'>,
  lookup?: ContactLookup,
): Record<'antcrm.ticket' | 'antcrm.lead' | 'antcrm.wrapup', DeliveryHandler> {
  return {
    'antcrm.ticket': async (a) => {
      if (!isObj(a.payload) || typeof a.payload.title !== 'string') return giveUp('unusable ticket payload');
      const { resolveContact, ...ticket } = a.payload as unknown as TicketDelivery;
      try {
        if (typeof resolveContact === 'string' && lookup) {
          const r = await lookup(resolveContact);
          if ((r.status === 'found' || r.status === 'multiple') && r.contact?.id) ticket.contact = { id: r.contact.id };
          else if (r.status !== 'not_found' && a.attempt < LOOKUP_TRIES) return retry(`contact lookup ${r.status}`);
        }
        return ok({ ticketId: (await writer.createTicket(ticket, a.signal)).ticketId });
      } catch (err) {
        return resultOf(err);
      }
    },
    'antcrm.lead': async (a) => {
      if (!isObj(a.payload) || typeof a.payload.customerIdApiRing !== 'string') return giveUp('unusable lead payload');
      const { ifUnknown, ...lead } = a.payload as unknown as LeadDelivery;
      try {
        if (ifUnknown === true) {
          if (!lookup) return giveUp('no contact lookup to decide the lead');
          const r = await lookup(lead.customerIdApiRing);
          if (r.status === 'found' || r.status === 'multiple') return ok({ known: true });
          if (r.status !== 'not_found') return retry(`contact lookup ${r.status}`);
        }
        return ok({ leadId: (await writer.createLead(lead, a.signal)).leadId });
      } catch (err) {
        return resultOf(err);
      }
    },
    'antcrm.wrapup': wrapupHandler(writer, outbox),
  };
}
