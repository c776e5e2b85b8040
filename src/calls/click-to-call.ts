// Click-to-call legs: the agent's pickup of a call the switch placed for them is not the customer answering.
import type { AgentRef } from '../contract.js';
import type { Call } from './call.js';
import type { Leg } from './leg.js';

/** Calls the bridge itself placed (click-to-call): the composition root wires it to the dial module. */
export interface PlacedCalls {
  /** Whether the bridge asked AntRing, shortly before `atMs`, to connect this agent with this number. With `legId`:
   *  one dial places one agent leg, so the first leg asking takes the dial and any other leg is not placed by it (the
   *  customer calling back while, or right after, the agent's click-to-call to them rings the agent on a leg of the
   *  customer's call: docs/call-model.md, joined at CREATE). */
  isPlaced(agentUsername: string, number: string, atMs: number, legId?: string): boolean;
}

/** Kazoo's click-to-call sets `Authorizing-Type: clicktocall` and a `c2c-` Call-ID; the bridge knows its own. */
export function isClickToCall(leg: Leg, agent: AgentRef, placed: PlacedCalls | undefined): boolean {
  if (leg.authorizingType?.toLowerCase() === 'clicktocall' || /^c2c-/i.test(leg.id)) return true;
  const number = leg.direction === 'outbound' ? leg.callerIdNumber : (leg.calleeIdNumber ?? leg.request);
  if (!placed || number === undefined) return false;
  try {
    return placed.isPlaced(agent.username, number, leg.createdAt, leg.id) === true;
  } catch {
    return false; // a narrow lookup; a failure only loses the click-to-call hint
  }
}

/**
 * AntRing's API click-to-call carries no Kazoo marker (the device leg's Authorizing-Type is `device`): the switch
 * placing a far leg (no Owner-ID, `outbound`, Other-Leg-Call-ID = the root) from an agent's rung root leg tells it.
 * True when this leg told it: the agent's pickup counted as an answer is then no answer (the caller rebuilds).
 */
export function noteFarLeg(call: Call, leg: Leg): boolean {
  const r = call.root;
  if (leg === r || leg.parentId !== r.id || leg.ownerId !== undefined || leg.direction !== 'outbound') return false;
  if (!r.seen || r.agent === undefined || r.direction !== 'outbound' || r.clickToCall !== false) return false;
  r.clickToCall = true;
  return true;
}
