// The outbox handlers of the AntCRM targets over an AntCrmWriter: "antcrm.ticket" (POST /tickets → { ticketId }),
// "antcrm.lead" (POST /contacts → { leadId }), "antcrm.wrapup" (PUT /tickets on the call's ticket when the outbox
// already wrote one, else POST /tickets with the note). Retryable writer errors → retry, permanent ones → give-up.
import { AntCrmWriteError, type AntCrmWriter, type LeadInput, type TicketInput } from '../antcrm/writer.js';
import { type DeliveryHandler, type DeliveryResult, giveUp, type Outbox, ok, retry } from './types.js';

/** Payload of "antcrm.wrapup". `ticket` is the ticket to create when the call has none yet. */
export interface WrapupPayload {
  callId: string;
  note: string;
  disposition?: string;
  ticket: TicketInput;
}

export const ticketKey = (callId: string): string => `ticket:${callId}`;
export const leadKey = (number: string): string => `lead:${number}`;
export const wrapupKey = (callId: string): string => `wrapup:${callId}`;

/** The summary line a wrap-up adds. */
export function wrapupSummary(note: string, disposition?: string): string {
  return disposition ? `[${disposition}] ${note}` : note;
}

export function resultOf(err: unknown): DeliveryResult {
  if (err instanceof AntCrmWriteError) return err.retryable ? retry(err.message) : giveUp(err.message);
  return retry(err instanceof Error ? err.name : 'error');
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function antCrmHandlers(
  writer: AntCrmWriter,
  outbox: Pick<Outbox, 'get'>,
): Record<'antcrm.ticket' | 'antcrm.lead' | 'antcrm.wrapup', DeliveryHandler> {
  return {
    'antcrm.ticket': async (a) => {
      if (!isObj(a.payload) || typeof a.payload.title !== 'string') return giveUp('unusable ticket payload');
      try {
        return ok({ ticketId: (await writer.createTicket(a.payload as unknown as TicketInput, a.signal)).ticketId });
      } catch (err) {
        return resultOf(err);
      }
    },
    'antcrm.lead': async (a) => {
      if (!isObj(a.payload) || typeof a.payload.customerIdApiRing !== 'string') return giveUp('unusable lead payload');
      try {
        return ok({ leadId: (await writer.createLead(a.payload as unknown as LeadInput, a.signal)).leadId });
      } catch (err) {
        return resultOf(err);
      }
    },
    'antcrm.wrapup': async (a) => {
      const p = a.payload as Partial<WrapupPayload> | null;
      if (!isObj(p) || typeof p.callId !== 'string' || typeof p.note !== 'string' || !isObj(p.ticket))
        return giveUp('unusable wrapup payload');
      const summary = wrapupSummary(p.note, typeof p.disposition === 'string' ? p.disposition : undefined);
      try {
        const existing = await outbox.get(ticketKey(p.callId));
        if (existing?.state === 'pending') return retry('the call ticket is not written yet');
        const result = existing?.state === 'delivered' && isObj(existing.result) ? existing.result : undefined;
        const ticketId = typeof result?.ticketId === 'string' ? result.ticketId : undefined;
        if (ticketId) {
          const ticket = p.ticket as TicketInput;
          await writer.updateTicket({ TicketId: ticketId, summary: `${ticket.summary}\n${summary}` }, a.signal);
          return ok({ ticketId, updated: true });
        }
        const ticket = { ...(p.ticket as TicketInput) };
        ticket.summary = ticket.summary ? `${ticket.summary}\n${summary}` : summary;
        return ok({ ticketId: (await writer.createTicket(ticket, a.signal)).ticketId, updated: false });
      } catch (err) {
        return resultOf(err);
      }
    },
  };
}
