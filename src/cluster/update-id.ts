// The cluster-wide id of one update, the same on every upstream holder (their engines get the same events in the same
// order): the gate's done marks and pending updates are keyed by it.

/** The upstream event, as far as the gate needs it. */
export interface GateEvent {
  msgId?: string;
  name?: string;
  legId?: string;
}

/** Kazoo's Msg-ID is the event's microsecond timestamp, and two legs' events can share it (legs hanging up at one
 *  instant): an event is its Msg-ID with its leg and name, as the engine dedupes deliveries; then the update's index in
 *  the engine's output for it. Undefined without a Msg-ID (the gate counts per call instead). */
export function updateId(event: GateEvent, index: number): string | undefined {
  if (!event.msgId) return undefined;
  return `${event.msgId}:${event.legId ?? ''}:${event.name ?? ''}:${index}`;
}
