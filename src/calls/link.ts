// Legs linked late (docs/call-model.md): links that appear after a leg's first event join calls together or
// change a call's root; and when an agent's answer on the root leg answers the call. Pure: the engine's
// indexes are reached only through LinkIndex.
import type { LegEvent } from '../signals/types.js';
import { type Call, countRootAnswer, foldResidue, rebuild } from './call.js';
import type { Leg } from './leg.js';
import { type MoveIndex, moveLeg } from './provisional.js';
import type { CallUpdate } from './types.js';
import { mergedView, toUpdate } from './views.js';

/** What linking needs of the engine's indexes. */
export interface LinkIndex extends MoveIndex {
  /** The live call a leg belongs to. */
  callOf(legId: string): Call | undefined;
  /** Whether the leg belonged to a call already released (its events are ignored). */
  isEnded(legId: string): boolean;
  /** Adds a placeholder leg to the call; undefined when the call is full. */
  addLeg(call: Call, legId: string, at: number): Leg | undefined;
  /** `gone`'s legs now belong to `keep` (rebuilt, just updated at `at`); `gone` is no longer a live call. */
  absorbed(keep: Call, gone: Call, at: number): void;
}

function linkId(id: unknown, self: string): id is string {
  return typeof id === 'string' && id !== '' && id !== self;
}

/** The fields of an event that link its leg to others. */
export type LinkFields = Pick<LegEvent, 'legId' | 'otherLegId' | 'bridgeId' | 'bridgeBLegId'>;

/** The legs an event points at: Other-Leg-Call-ID, Bridge-ID, Bridge-B-Unique-ID (in that order). */
export function linkedIds(event: LinkFields): string[] {
  const ids: string[] = [];
  if (linkId(event.otherLegId, event.legId)) ids.push(event.otherLegId);
  if (linkId(event.bridgeId, event.legId)) ids.push(event.bridgeId);
  if (linkId(event.bridgeBLegId, event.legId)) ids.push(event.bridgeBLegId);
  return ids;
}

/**
 * Links that appear after a leg's first event (ANSWER / BRIDGE: Other-Leg-Call-ID, Bridge-ID, Bridge-B-Unique-ID):
 * a leg of another live call → the two calls merge; a leg not seen, from the root when it is an agent's leg the
 * switch rang (not a click-to-call) → that leg is the caller, and becomes the root. Returns the call the leg is in.
 */
export function linkLate(
  index: LinkIndex,
  call: Call,
  leg: Leg,
  event: LegEvent,
  at: number,
  receivedAt: number,
  out: CallUpdate[],
): Call {
  for (const id of linkedIds(event)) {
    if (call.legs.has(id)) {
      leg.provisional = false; // the guess at CREATE was right
      continue;
    }
    const other = index.callOf(id);
    if (other !== undefined && other !== call && leg.provisional === true && leg !== call.root) {
      moveLeg(index, call, leg, other, at, receivedAt, out);
      call = other;
    } else if (other !== undefined && other !== call) {
      call = merge(index, call, other, at, receivedAt, out);
    } else if (other === undefined && !index.isEnded(id) && leg === call.root && isRungRoot(call)) {
      const caller = index.addLeg(call, id, call.root.createdAt);
      if (caller) rebuild(call, caller);
    }
  }
  return call;
}

function isRungRoot(call: Call): boolean {
  const r = call.root;
  return r.seen && r.agent !== undefined && r.direction === 'outbound' && r.clickToCall !== true;
}

/** The caller's side of two roots: an inbound leg (a customer calling, an agent dialling) over an outbound one. */
function trueRoot(a: Leg, b: Leg): Leg {
  const callerSide = (l: Leg) => !l.seen || l.direction === 'inbound';
  if (callerSide(a) !== callerSide(b)) return callerSide(a) ? a : b;
  return b.createdAt < a.createdAt ? b : a;
}

/**
 * Two live calls are one. The call shown first keeps its callId (what clients already see); the other one's
 * shown views end with hangupCause BRIDGE_MERGED and no outcome (never a phantom missed call).
 */
function merge(index: LinkIndex, a: Call, b: Call, at: number, receivedAt: number, out: CallUpdate[]): Call {
  const root = trueRoot(a.root, b.root);
  let keep: Call;
  if (a.shownOrder !== undefined || b.shownOrder !== undefined) {
    keep = b.shownOrder === undefined || (a.shownOrder !== undefined && a.shownOrder < b.shownOrder) ? a : b;
  } else {
    keep = b.legs.has(root.id) ? b : a;
  }
  const gone = keep === a ? b : a;
  for (const [id, l] of gone.legs) keep.legs.set(id, l);
  foldResidue(keep, gone);
  for (const last of gone.emitted.values()) {
    if (last.state !== 'ended') out.push(toUpdate(mergedView(last, at, keep.id), receivedAt));
  }
  if (gone.lastEventAt > keep.lastEventAt) keep.lastEventAt = gone.lastEventAt;
  rebuild(keep, root);
  index.absorbed(keep, gone, at);
  return keep;
}

/**
 * An agent's answer on the root leg counts when it connects the agent with the other party. Derived from the legs
 * (idempotent): called before every emit, also after a rebuild.
 */
export function settleRoot(call: Call): void {
  const r = call.root;
  if (r.agent === undefined || r.answeredAt === undefined || r.clickToCall === true) return;
  // Dialled from the device: FreeSWITCH answers the caller's leg when the far end answers.
  if (r.direction === 'inbound') countRootAnswer(call, r.answeredAt);
  // An agent's leg the switch rang for a caller whose leg is not seen (not a click-to-call): the agent picking up
  // is the agent talking with the caller, at that ANSWER (issue 15).
  else if (r.direction === 'outbound') countRootAnswer(call, r.answeredAt);
  // Direction unknown: alone in its call and billed, the agent talked with the other party.
  else if (call.legs.size === 1 && (r.end?.billingSec ?? 0) > 0) countRootAnswer(call, r.answeredAt);
}
