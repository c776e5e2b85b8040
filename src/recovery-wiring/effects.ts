// What a closed recovery causes outside (contract §9.3): the `call.recovered` webhook (the recovering call's admin
// view, with `recovers`) and, with tickets write-back on, `PUT /tickets` on each missed call's AntCRM ticket
// (a summary line saying how and when). Both are outbox deliveries: retried, never lost, never doubled.
import type { AntCrmWriter } from '../antcrm/writer.js';
import type { CallView } from '../contract.js';
import type { Logger } from '../log.js';
import { resultOf } from '../outbox/crm-results.js';
import { ticketKey } from '../outbox/keys.js';
import type { DeliveryHandler, Outbox } from '../outbox/types.js';
import { giveUp, ok, retry } from '../outbox/types.js';
import type { Recovery } from '../recovery/types.js';
import { recoveryView } from '../recovery/view.js';
import { localHHmm } from '../recovery/zoned.js';
import { recoveredDeliveries } from '../webhooks/events.js';

export const TICKET_UPDATE_TARGET = 'antcrm.recovery';
export const ticketUpdateKey = (recoveryId: string, callId: string) => `recovery:${recoveryId}:ticket:${callId}`;

export interface TicketUpdateDelivery {
  callId: string;
  summary: string;
}

/** The ticket's summary line: how and when (tenant time zone). */
export function recoverySummary(r: Recovery, timeZone: string): string {
  if (r.status === 'recovered') {
    const how =
      r.by === 'callback'
        ? 'AntBot callback'
        : r.by === 'outbound'
          ? 'an agent calling back'
          : 'the customer calling again';
    return `Missed call recovered by ${how} at ${localHHmm(r.recoveredAt ?? r.closedAt ?? 0, timeZone)} (call ${r.recoveredCallId ?? '?'}).`;
  }
  return `Missed call unreached after ${r.attempts} AntBot callback attempt(s), closed at ${localHHmm(r.closedAt ?? 0, timeZone)}.`;
}

/** PUT /tickets once the call's own ticket is written (its TicketId is that delivery's result). */
export function ticketUpdateHandler(writer: AntCrmWriter, outbox: Pick<Outbox, 'get'>): DeliveryHandler {
  return async (a) => {
    const p = a.payload as Partial<TicketUpdateDelivery> | null;
    if (!p || typeof p.callId !== 'string' || typeof p.summary !== 'string') return giveUp('unusable payload');
    const ticket = await outbox.get(ticketKey(p.callId));
    if (!ticket) return giveUp('the missed call has no ticket');
    if (ticket.state === 'pending') return retry('the ticket is not written yet');
    const res = ticket.result as { ticketId?: unknown } | undefined;
    if (ticket.state === 'failed' || typeof res?.ticketId !== 'string') return giveUp('the ticket was not written');
    try {
      await writer.updateTicket({ TicketId: res.ticketId, summary: p.summary }, a.signal);
      return ok({ ticketId: res.ticketId });
    } catch (err) {
      return resultOf(err);
    }
  };
}

export interface ClosedEffectsOptions {
  outbox: Pick<Outbox, 'enqueue'>;
  webhooks: { urls: readonly string[]; on: boolean };
  tickets: boolean;
  timeZone: string;
  logger: Logger;
}

/** onClosed of the service: enqueues the webhook and the ticket updates. */
export function closedEffects(o: ClosedEffectsOptions): (r: Recovery, view: CallView | undefined) => void {
  const enqueue = (key: string, target: string, payload: unknown) =>
    o.outbox
      .enqueue(key, target, payload)
      .catch((err: unknown) =>
        o.logger.error({ key, err: err instanceof Error ? err.name : 'error' }, 'recovery effect not enqueued'),
      );
  return (r, view) => {
    if (r.status === 'recovered' && view && o.webhooks.on && o.webhooks.urls.length) {
      const data: CallView = {
        ...view,
        recovers: r.missed.map((m) => m.callId),
        ...(r.by === 'callback' ? { callback: true as const } : {}),
      };
      for (const d of recoveredDeliveries(data, o.webhooks.urls)) void enqueue(d.key, 'webhook', d.payload);
    }
    if (o.tickets) {
      const summary = recoverySummary(r, o.timeZone);
      for (const m of r.missed)
        void enqueue(ticketUpdateKey(r.id, m.callId), TICKET_UPDATE_TARGET, { callId: m.callId, summary });
    }
    o.logger.info({ recovery: r.id, ...recoveryView(r) }, 'recovery closed');
  };
}
