// The engine output the call-gate tests push (src/cluster/gate.ts): a call update of org `o`, and the upstream event
// creating the call's root leg (what a complete engine sees first).
import type { CallUpdate } from '../../src/calls/types.js';

export function gateUpdate(
  callId: string,
  state: CallUpdate['state'] = 'ringing',
  audience: CallUpdate['audience'] = { kind: 'call' },
): CallUpdate {
  return {
    audience,
    callId,
    org: 'o',
    state,
    direction: 'inbound',
    from: { number: '1' },
    to: { number: '2' },
    startedAt: '2026-01-01T00:00:00.000Z',
    receivedAt: 0,
  };
}

/** The CHANNEL_CREATE of the call's root leg (its leg id is the call id). */
export const createEvent = (msgId: string, callId: string) => ({ msgId, name: 'CHANNEL_CREATE', legId: callId });
