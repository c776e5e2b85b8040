// Outcome rules (docs/call-model.md section 4).
import type { CallDirection, CallOutcome } from '../contract.js';
import type { AgentTrack, Call } from './call.js';

const BUSY = new Set(['USER_BUSY', 'CALL_REJECTED']);
const MISSED = new Set(['NO_ANSWER', 'ORIGINATOR_CANCEL', 'NORMAL_CLEARING', 'NO_USER_RESPONSE']);

export function isBusyCause(cause: string | undefined): boolean {
  return cause !== undefined && BUSY.has(cause);
}

/** Outbound/internal calls not answered: by the far leg's cause. A missing cause counts as a normal hang-up. */
export function farOutcome(cause: string | undefined): 'busy' | 'missed' | 'failed' {
  if (cause === undefined) return 'missed';
  if (BUSY.has(cause)) return 'busy';
  if (MISSED.has(cause)) return 'missed';
  return 'failed';
}

/** The call view's outcome once it has ended. */
export function callOutcome(call: Call, direction: CallDirection): CallOutcome {
  if (call.answeredAt !== undefined) return 'answered';
  if (direction === 'inbound') {
    if (call.queueId !== undefined) return 'abandoned';
    if (call.agentLegs > 0) return call.agentLegsBusy === call.agentLegs ? 'busy' : 'missed';
    // A lone agent leg the switch rang (a call to the agent) that the agent refused.
    return call.root.agent !== undefined && isBusyCause(call.root.end?.cause) ? 'busy' : 'missed';
  }
  return farOutcome((call.farEnd ?? call.root.end)?.cause);
}

/** A callee-side agent's outcome once all of their legs have ended. */
export function agentOutcome(call: Call, track: AgentTrack): CallOutcome {
  if (track.answeredAt !== undefined) return 'answered';
  if (call.answeredAt !== undefined || track.loseRace) return 'answered_elsewhere';
  if (track.allBusy && track.legs > 0) return 'busy';
  return 'missed';
}
