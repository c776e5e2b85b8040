// The cluster-wide id of one update, the same on every upstream holder (their engines get the same events in the same
// order): the gate's done marks and pending updates are keyed by it.

/** The upstream event, as far as the gate needs it (a LegEvent is one): its id, and what tells whether its leg may
 *  belong to a call started before an engine did (calls/provisional.ts mayJoinEarlierCall). */
export interface GateEvent {
  msgId?: string;
  name?: string;
  legId?: string;
  direction?: string;
  ownerId?: string;
  otherLegId?: string;
  bridgeId?: string;
  bridgeBLegId?: string;
}

/** Kazoo's Msg-ID is the event's microsecond timestamp, and two legs' events can share it (legs hanging up at one
 *  instant): an event is its Msg-ID with its leg and name, as the engine dedupes deliveries; then the call, and the
 *  update's index among that call's updates in the engine's output for the event. With the callId in it, a holder
 *  whose engine put the event in another call (one started mid-stream) never marks the real call's update done; with
 *  the index per call, updates of other calls in the same output do not shift it. Undefined without a Msg-ID (the
 *  gate counts per call instead). */
export function updateId(event: GateEvent, callId: string, index: number): string | undefined {
  if (!event.msgId) return undefined;
  return `${event.msgId}:${event.legId ?? ''}:${event.name ?? ''}:${callId}:${index}`;
}
