// The outbox handler of "antcrm.wrapup" (the only one; outbox/crm-handlers.ts registers it): the n-th wrap-up of a call
// (`wrapup:<callId>` for the first, `wrapup:<callId>:<n>` after) updates the call's ticket with PUT /tickets when one
// exists (the missed-call ticket, or the one an earlier wrap-up created), else creates it with the note. It waits
// (retry) while the call's ticket or an earlier wrap-up is still pending (also when the ticket id is already known: an
// earlier note's PUT may be in flight on another node), so one call never gets two tickets and the last note lands
// last; one that a later wrap-up followed before it was written is superseded (writes nothing: the later one has the
// last note).
import type { AntCrmWriter, TicketInput } from '../antcrm/writer.js';
import { resultOf, wrapupSummary } from '../outbox/crm-results.js';
import { ticketKey, wrapupKey } from '../outbox/keys.js';
import { type DeliveryHandler, giveUp, type Json, type Outbox, ok, retry } from '../outbox/types.js';

export interface WrapupDelivery {
  callId: string;
  note: string;
  disposition?: string;
  /** The ticket to create when the call has none yet. */
  ticket: TicketInput;
  /** 1 for the call's first wrap-up. */
  n: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function ticketIdOf(result: Json | undefined): string | undefined {
  return isObj(result) && typeof result.ticketId === 'string' && result.ticketId ? result.ticketId : undefined;
}

export function wrapupHandler(
  writer: Pick<AntCrmWriter, 'createTicket' | 'updateTicket'>,
  outbox: Pick<Outbox, 'get'>,
): DeliveryHandler {
  return async (a) => {
    const p = a.payload as Partial<WrapupDelivery> | null;
    if (!isObj(p) || typeof p.callId !== 'string' || typeof p.note !== 'string' || !isObj(p.ticket))
      return giveUp('unusable wrapup payload');
    const n = typeof p.n === 'number' && Number.isInteger(p.n) && p.n >= 1 ? p.n : 1;
    const ticket = p.ticket as TicketInput;
    const summary = `${ticket.summary ? `${ticket.summary}\n` : ''}${wrapupSummary(p.note, typeof p.disposition === 'string' ? p.disposition : undefined)}`;
    try {
      // A later wrap-up came while this one was being tried (wrapup.ts replaces only one not in flight): it carries
      // the last note, so this one writes nothing more.
      if (await outbox.get(wrapupKey(p.callId, n + 1))) return ok({ superseded: true });
      const own = await outbox.get(ticketKey(p.callId));
      if (own?.state === 'pending') return retry('the call ticket is not written yet');
      let ticketId = own?.state === 'delivered' ? ticketIdOf(own.result) : undefined;
      // Every earlier one must be done even when the ticket is known: a PUT of an older note may be in flight on
      // another node (a superseded one in between does not wait for it), and the last note must land last.
      for (let i = n - 1; i >= 1; i--) {
        const earlier = await outbox.get(wrapupKey(p.callId, i));
        if (earlier?.state === 'pending') return retry('an earlier wrap-up is not written yet');
        if (!ticketId && earlier?.state === 'delivered') ticketId = ticketIdOf(earlier.result);
      }
      if (ticketId) {
        await writer.updateTicket({ TicketId: ticketId, summary }, a.signal);
        return ok({ ticketId, updated: true });
      }
      return ok({ ticketId: (await writer.createTicket({ ...ticket, summary }, a.signal)).ticketId, updated: false });
    } catch (err) {
      return resultOf(err);
    }
  };
}
