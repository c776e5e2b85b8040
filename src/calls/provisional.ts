// An agent leg the switch rang, created without a link (docs/call-model.md section 4, "legs linked late"): it joins
// the one live customer call from its caller number at CREATE, provisionally; a later explicit link confirms it,
// or moves the leg to the call that link names. Pure: the engine's indexes are reached through the arguments.
import type { LegEvent } from '../signals/types.js';
import { type Call, rebuild } from './call.js';
import { isClickToCall, type PlacedCalls } from './click-to-call.js';
import { type Leg, placeholderLeg } from './leg.js';
import { type LinkFields, linkedIds } from './link.js';
import { firstOf } from './numbers.js';
import type { AgentDirectory, CallUpdate } from './types.js';
import { mergedView, toUpdate } from './views.js';

/**
 * The call an unlinked agent leg's CREATE joins: an `outbound` CREATE with an Owner-ID of a known agent, no link (or
 * only its own Call-ID), not a click-to-call, whose Caller-ID-Number is the number of exactly one live customer call.
 */
export function provisionalCall(
  event: LegEvent,
  at: number,
  /** The live calls whose root is a customer leg with this number (customer-index.ts). */
  customerCalls: (number: string) => Iterable<Call>,
  directory: AgentDirectory,
  placed: PlacedCalls | undefined,
): Call | undefined {
  if (event.name !== 'CHANNEL_CREATE' || event.direction !== 'outbound' || linkedIds(event).length > 0)
    return undefined;
  const number = firstOf(typeof event.callerIdNumber === 'string' ? event.callerIdNumber : undefined);
  const ownerId = typeof event.ownerId === 'string' && event.ownerId !== '' ? event.ownerId : undefined;
  if (number === undefined || ownerId === undefined) return undefined;
  const agent = directory.agentByOwnerId(ownerId);
  if (agent === undefined) return undefined;
  const probe: Leg = {
    ...placeholderLeg(event.legId, at),
    direction: 'outbound',
    callerIdNumber: number,
    ...(typeof event.authorizingType === 'string' ? { authorizingType: event.authorizingType } : {}),
  };
  if (isClickToCall(probe, agent, placed)) return undefined;
  let found: Call | undefined;
  for (const call of customerCalls(number)) {
    if (found !== undefined) return undefined; // two candidates: no guess
    found = call;
  }
  return found;
}

/**
 * A CREATE that an engine which saw every earlier event may put into a call started before it, while an engine started
 * after that call's first event (a hot standby that took a lease mid-stream) makes it the root of a call of its own,
 * under another callId: a leg created with a link to another leg, or an agent's leg the switch rang created without
 * one (what provisionalCall may join). The cluster gate lets the holders whose engines started earlier publish such a
 * call (cluster/gate-claim.ts).
 */
export function mayJoinEarlierCall(
  event: Partial<LinkFields> & { name?: string; direction?: string; ownerId?: string },
): boolean {
  if (event.name !== 'CHANNEL_CREATE' || typeof event.legId !== 'string') return false;
  if (linkedIds({ ...event, legId: event.legId }).length > 0) return true;
  return event.direction === 'outbound' && typeof event.ownerId === 'string' && event.ownerId !== '';
}

/** What moving a provisional leg needs of the engine. */
export interface MoveIndex {
  /** The leg now belongs to `into` (index updated, `into` just updated at `at`). */
  moved(legId: string, into: Call, at: number): void;
  /** Emits `call`'s views that changed (the call the leg left). */
  refresh(call: Call, receivedAt: number, out: CallUpdate[]): void;
}

/**
 * A provisional leg's explicit link names a leg of another live call: the leg leaves its call for that one. Its
 * agent's view on the call it left (when no other leg of that agent stays there) ends with BRIDGE_MERGED, no outcome,
 * `mergedInto` = the call it joined; the call it left is recomputed without it.
 */
export function moveLeg(
  index: MoveIndex,
  from: Call,
  leg: Leg,
  into: Call,
  at: number,
  receivedAt: number,
  out: CallUpdate[],
): void {
  leg.provisional = false;
  from.legs.delete(leg.id);
  rebuild(from, from.root);
  const username = leg.agent?.username;
  if (username !== undefined && !from.tracks.has(username) && from.root.agent?.username !== username) {
    const key = `agent:${username}`;
    const last = from.emitted.get(key);
    if (last !== undefined && last.state !== 'ended') {
      const v = mergedView(last, at, into.id);
      from.emitted.set(key, v);
      out.push(toUpdate(v, receivedAt));
    }
  }
  into.legs.set(leg.id, leg);
  rebuild(into, into.root);
  index.moved(leg.id, into, at);
  index.refresh(from, receivedAt, out);
}
