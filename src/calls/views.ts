// The views of a call: the call view (admins, queue supervisors) and one view per agent.
import type { AgentRef, CallOutcome, CallState } from '../contract.js';
import type { AgentTrack, Call, View } from './call.js';
import type { CallFacts } from './facts.js';
import { iso } from './facts.js';
import type { LegEnd } from './leg.js';
import { agentOutcome, callOutcome } from './outcome.js';
import type { Audience, CallUpdate } from './types.js';

export const LOST_TRACK = 'BRIDGE_LOST_TRACK';

const RANK: Record<CallState, number> = { ringing: 0, answered: 1, ended: 2 };

export function stateRank(state: CallState): number {
  return RANK[state];
}

type Parts = Pick<
  View,
  'state' | 'agent' | 'answeredAt' | 'endedAt' | 'outcome' | 'hangupCause' | 'durationSec' | 'billingSec'
>;

// Views are built with only their defined keys, in one fixed order (no `delete`: an object that lost a property
// leaves V8's fast shape, and every spread and copy of it after that is slower).
export function copyAgent(a: AgentRef): AgentRef {
  const out: AgentRef = { username: a.username };
  if (a.id !== undefined) out.id = a.id;
  if (a.name !== undefined) out.name = a.name;
  if (a.ext !== undefined) out.ext = [...a.ext];
  return out;
}

/** A view of the call; it shares the facts' objects (fresh at each emit, never changed: toUpdate copies them). */
function view(audience: Audience, call: Call, org: string, facts: CallFacts, parts: Parts): View {
  const v: View = {
    audience,
    callId: call.id,
    org,
    state: parts.state,
    direction: facts.direction,
    from: facts.from,
    to: facts.to,
    startedAt: facts.startedAt,
  };
  if (facts.did !== undefined) v.did = facts.did;
  if (parts.agent !== undefined) v.agent = parts.agent;
  if (facts.queue !== undefined) v.queue = facts.queue;
  if (facts.customerNumber !== undefined) v.customerNumber = facts.customerNumber;
  if (parts.answeredAt !== undefined) v.answeredAt = parts.answeredAt;
  if (parts.endedAt !== undefined) v.endedAt = parts.endedAt;
  if (parts.outcome !== undefined) v.outcome = parts.outcome;
  if (parts.hangupCause !== undefined) v.hangupCause = parts.hangupCause;
  if (parts.durationSec !== undefined) v.durationSec = parts.durationSec;
  if (parts.billingSec !== undefined) v.billingSec = parts.billingSec;
  return v;
}

/** The parts of a view in one fixed shape (no spreads): an ended view has its end's parts and an outcome. */
function parts(
  state: CallState,
  agent: AgentRef | undefined,
  answeredAt: number | undefined,
  end: LegEnd | undefined,
  outcome: CallOutcome | undefined,
): Parts {
  return {
    state,
    agent: agent !== undefined ? copyAgent(agent) : undefined,
    answeredAt: answeredAt !== undefined ? iso(answeredAt) : undefined,
    endedAt: end !== undefined ? iso(end.at) : undefined,
    outcome,
    hangupCause: end?.cause,
    durationSec: end?.durationSec,
    billingSec: end?.billingSec,
  };
}

/** Usernames of every agent with a leg in the call (root first). */
export function agentsInvolved(call: Call): AgentRef[] {
  const out: AgentRef[] = [];
  if (call.root.agent) out.push(call.root.agent);
  for (const t of call.tracks.values()) if (t.agent.username !== call.root.agent?.username) out.push(t.agent);
  return out;
}

export function callEnded(call: Call): boolean {
  return call.root.end !== undefined || (!call.root.seen && call.openLegs === 0);
}

export function callView(call: Call, org: string, facts: CallFacts): View {
  const ended = callEnded(call);
  const answered = call.answeredAt !== undefined;
  const state: CallState = ended ? 'ended' : answered ? 'answered' : 'ringing';
  let agent: AgentRef | undefined;
  if (answered) {
    agent = call.answeredBy ?? call.root.agent;
  } else {
    // While ringing: the only agent involved. A queue call may still ring others, so it names none.
    const involved = agentsInvolved(call);
    if (involved.length === 1 && call.queueId === undefined) agent = involved[0];
  }
  const audience: Audience = call.queueId !== undefined ? { kind: 'call', queueId: call.queueId } : { kind: 'call' };
  return view(
    audience,
    call,
    org,
    facts,
    ended
      ? parts(state, agent, call.answeredAt, call.root.end ?? call.lastEnd, callOutcome(call, facts.direction))
      : parts(state, agent, call.answeredAt, undefined, undefined),
  );
}

/** The agent whose leg is the root follows the call view. */
export function rootAgentView(callView: View, agent: AgentRef): View {
  return { ...callView, audience: { kind: 'agent', username: agent.username }, agent: copyAgent(agent) };
}

/** The state of a callee-side agent's view: known without building the view. */
export function trackState(track: AgentTrack): CallState {
  return track.open <= 0 ? 'ended' : track.answeredAt !== undefined ? 'answered' : 'ringing';
}

/** An agent on the callee side follows their own legs (the furthest of them). */
export function trackView(call: Call, org: string, facts: CallFacts, track: AgentTrack): View {
  const state = trackState(track);
  return view(
    { kind: 'agent', username: track.agent.username },
    call,
    org,
    facts,
    state === 'ended'
      ? parts(state, track.agent, track.answeredAt, track.answeredEnd ?? track.lastEnd, agentOutcome(call, track))
      : parts(state, track.agent, track.answeredAt, undefined, undefined),
  );
}

/** What a view becomes when the engine forgets its call. */
export function lostTrackView(last: View, atMs: number): View {
  const v: View = { ...last, state: 'ended', endedAt: iso(atMs), hangupCause: LOST_TRACK };
  delete v.outcome;
  delete v.durationSec;
  delete v.billingSec;
  return v;
}

/** A view recomputed below the state already shown (facts corrected later): it keeps the shown state. */
export function heldView(v: View, shown: View): View {
  const held: View = { ...v, state: shown.state };
  if (shown.answeredAt !== undefined) held.answeredAt = shown.answeredAt;
  if (held.agent === undefined && shown.agent !== undefined) held.agent = copyAgent(shown.agent);
  return held;
}

export const MERGED = 'BRIDGE_MERGED';

/** What a shown view becomes when its call joins another one (legs linked late): ended, no outcome. */
export function mergedView(last: View, atMs: number, into: string): View {
  return { ...lostTrackView(last, atMs), hangupCause: MERGED, mergedInto: into };
}

/** A deep copy of the view (its nested objects are the engine's), as an update. Hand-written: structuredClone
 * was the engine's largest self time in the bench profile. */
export function toUpdate(v: View, receivedAt: number): CallUpdate {
  const u: CallUpdate = { ...v, audience: { ...v.audience }, from: { ...v.from }, to: { ...v.to }, receivedAt };
  if (v.agent) u.agent = copyAgent(v.agent);
  if (v.queue) u.queue = { ...v.queue };
  return u;
}

export function sameView(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  // Same defined keys (receivedAt aside) with the same values, without building key arrays.
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let na = 0;
  for (const k of Object.keys(ra)) {
    if (k === 'receivedAt' || ra[k] === undefined) continue;
    na++;
    if (!sameView(ra[k], rb[k])) return false;
  }
  let nb = 0;
  for (const k of Object.keys(rb)) if (k !== 'receivedAt' && rb[k] !== undefined) nb++;
  return na === nb;
}
