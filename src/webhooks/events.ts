// Which admin views become webhooks (bridge-contract §7.2): one per state change of a call — `call.ringing` on its
// first ringing view, `call.answered`, `call.ended` — carrying that view; later views of the same state are not sent.
// Pure, bounded memory of the last state sent per call.
import { DEFAULT_WEBHOOK_EVENTS as CONFIG_DEFAULT_EVENTS } from '../config-types.js';
import type { CallState, CallView } from '../contract.js';
import { endpointId, type WebhookPayload, webhookKeyOf } from './sender.js';

export type WebhookEventType = `call.${CallState}` | 'call.recovered';
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventType[] = CONFIG_DEFAULT_EVENTS;

export class WebhookEventFilter {
  private readonly last = new Map<string, CallState>();

  constructor(private readonly o: { events?: readonly string[]; maxCalls?: number } = {}) {}

  /** The event type this admin view should be sent as, or undefined (same state as before, or not wanted). */
  eventFor(view: Pick<CallView, 'callId' | 'state'>): WebhookEventType | undefined {
    const prev = this.last.get(view.callId);
    if (prev === view.state) return undefined;
    this.last.delete(view.callId);
    this.last.set(view.callId, view.state);
    const max = Math.max(1, this.o.maxCalls ?? 10_000);
    for (const k of this.last.keys()) {
      if (this.last.size <= max) break;
      this.last.delete(k);
    }
    const type = `call.${view.state}` as WebhookEventType;
    return (this.o.events ?? DEFAULT_WEBHOOK_EVENTS).includes(type) ? type : undefined;
  }
}

/** The outbox entries (key + payload) of one view to every endpoint. */
export function webhookDeliveries(
  type: WebhookEventType,
  view: CallView,
  urls: readonly string[],
  at: Date = new Date(),
): { key: string; payload: WebhookPayload }[] {
  const body = JSON.stringify({ type, timestamp: at.toISOString(), data: view });
  return urls.map((url) => ({ key: webhookKeyOf(view.id, url), payload: { url, id: view.id, body } }));
}

/** `call.recovered` (contract §9.3): the recovering call's admin view, to every endpoint (its own key and id, apart
 *  from the view's `call.answered`). */
export function recoveredDeliveries(
  view: CallView,
  urls: readonly string[],
  at: Date = new Date(),
): { key: string; payload: WebhookPayload }[] {
  const id = `${view.id}:recovered`;
  const body = JSON.stringify({ type: 'call.recovered', timestamp: at.toISOString(), data: view });
  return urls.map((url) => ({ key: webhookKeyOf(id, url), payload: { url, id, body } }));
}

export { endpointId };
