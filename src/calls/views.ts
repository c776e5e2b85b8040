// The views of a call: the call view (admins, queue supervisors) and one view per agent.
import type { AgentRef, CallState } from '../contract.js';
import type { Audience, CallUpdate } from './types.js';
import type { AgentTrack, Call, View } from './call.js';
import type { CallFacts } from './facts.js';
import type { LegEnd } from './leg.js';
import { iso } from './facts.js';
import { agentOutcome, callOutcome } from './outcome.js';

export const LOST_TRACK = 'BRIDGE_LOST_TRACK';

const RANK: Record<CallState, number> = { ringing: 0, answered: 1, ended: 2 };

export function stateRank(state: CallState): number {
  return RANK[state];
}

type Parts = Pick<View, 'state' | 'agent' | 'answeredAt' | 'endedAt' | 'outcome' | 'hangupCause' | 'durationSec' | 'billingSec'>;

function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

export function copyAgent(a: AgentRef): AgentRef {
  return compact({ username: a.username, id: a.id, name: a.name, ext: a.ext ? [...a.ext] : undefined });
}

function view(audience: Audience, call: Call, org: string, facts: CallFacts, parts: Parts): View {
  return compact({
    audience,
    callId: call.id,
    org,
    state: parts.state,
    direction: facts.direction,
    from: { ...facts.from },
    to: { ...facts.to },
    did: facts.did,
    agent: parts.agent,
    queue: facts.queue ? { ...facts.queue } : undefined,
    customerNumber: facts.customerNumber,
    startedAt: facts.startedAt,
    answeredAt: parts.answeredAt,
    endedAt: parts.endedAt,
    outcome: parts.outcome,
    hangupCause: parts.hangupCause,
    durationSec: parts.durationSec,
    billingSec: parts.billingSec,
  });
}

function endParts(end: LegEnd | undefined): Pick<Parts, 'endedAt' | 'hangupCause' | 'durationSec' | 'billingSec'> {
  if (!end) return {};
  return { endedAt: iso(end.at), hangupCause: end.cause, durationSec: end.durationSec, billingSec: end.billingSec };
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
  return view(audience, call, org, facts, {
    state,
    agent: agent ? copyAgent(agent) : undefined,
    answeredAt: answered ? iso(call.answeredAt!) : undefined,
    ...(ended ? { ...endParts(call.root.end ?? call.lastEnd), outcome: callOutcome(call, facts.direction) } : {}),
  });
}

/** The agent whose leg is the root follows the call view. */
export function rootAgentView(callView: View, agent: AgentRef): View {
  return { ...callView, audience: { kind: 'agent', username: agent.username }, agent: copyAgent(agent) };
}

/** An agent on the callee side follows their own legs (the furthest of them). */
export function trackView(call: Call, org: string, facts: CallFacts, track: AgentTrack): View {
  const ended = track.open <= 0;
  const answered = track.answeredAt !== undefined;
  const state: CallState = ended ? 'ended' : answered ? 'answered' : 'ringing';
  return view({ kind: 'agent', username: track.agent.username }, call, org, facts, {
    state,
    agent: copyAgent(track.agent),
    answeredAt: answered ? iso(track.answeredAt!) : undefined,
    ...(ended ? { ...endParts(track.answeredEnd ?? track.lastEnd), outcome: agentOutcome(call, track) } : {}),
  });
}

/** What a view becomes when the engine forgets its call. */
export function lostTrackView(last: View, atMs: number): View {
  const v: View = { ...last, state: 'ended', endedAt: iso(atMs), hangupCause: LOST_TRACK };
  delete v.outcome;
  delete v.durationSec;
  delete v.billingSec;
  return v;
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
  const ka = Object.keys(a).filter((k) => k !== 'receivedAt' && (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => k !== 'receivedAt' && (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameView((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
