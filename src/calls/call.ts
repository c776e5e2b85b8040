// A call: the legs joined together, with the running facts the views are computed from.
// Facts that decide outcomes are kept on the call (sticky), so old destroyed legs can be dropped.
import type { AgentRef } from '../contract.js';
import { type Leg, type LegEnd, placeholderLeg } from './leg.js';
import { isBusyCause } from './outcome.js';
import type { CallUpdate } from './types.js';

/** An update without the receive time: what an audience sees. */
export type View = Omit<CallUpdate, 'receivedAt'>;

/** One agent on the callee side (rung by a queue, callee of an internal call), over all of their legs. */
export interface AgentTrack {
  agent: AgentRef;
  legs: number;
  /** Legs not destroyed yet. */
  open: number;
  answeredAt?: number;
  answeredLegId?: string;
  answeredEnd?: LegEnd;
  lastEnd?: LegEnd;
  /** Every destroyed leg ended USER_BUSY / CALL_REJECTED. */
  allBusy: boolean;
  loseRace: boolean;
}

export interface Call {
  /** The call's callId: the root leg's id, or, after two calls merged, the id of the one shown first. */
  readonly id: string;
  /** The first leg of the call (may change when calls linked late merge). */
  root: Leg;
  /** Order in which the call was first shown to an audience (merges keep the one shown first). */
  shownOrder?: number;
  readonly legs: Map<string, Leg>;
  /** Earliest known leg start (ms). */
  firstAt: number;
  lastEventAt: number;
  /** Seen legs not destroyed. */
  openLegs: number;
  /** First answer of a non-root leg. */
  answeredAt?: number;
  answeredBy?: AgentRef;
  queueId?: string;
  /** The first non-root agent leg (tells what the call is while the root is still unseen). */
  firstAgentLeg?: Leg;
  agentLegs: number;
  agentLegsBusy: number;
  /** The last destroyed non-root leg. */
  farEnd?: LegEnd;
  /** The last destroyed leg. */
  lastEnd?: LegEnd;
  /** Callee-side agents by username, in the order they joined. */
  readonly tracks: Map<string, AgentTrack>;
  /** The last view emitted per audience key ('call', 'agent:<username>'). */
  readonly emitted: Map<string, View>;
  /** The facts of legs dropped from `legs` (maxLegsPerCall): a rebuild starts from them. */
  residue?: Residue;
}

/** The running facts of dropped legs (all destroyed, none a root): a call without legs of its own. */
export type Residue = Pick<
  Call,
  | 'firstAt'
  | 'answeredAt'
  | 'answeredBy'
  | 'queueId'
  | 'firstAgentLeg'
  | 'agentLegs'
  | 'agentLegsBusy'
  | 'farEnd'
  | 'lastEnd'
  | 'tracks'
>;

export function newCall(rootId: string, at: number): Call {
  const root = placeholderLeg(rootId, at);
  return {
    id: rootId,
    root,
    legs: new Map([[rootId, root]]),
    firstAt: at,
    lastEventAt: at,
    openLegs: 0,
    agentLegs: 0,
    agentLegsBusy: 0,
    tracks: new Map(),
    emitted: new Map(),
  };
}

function later(a: LegEnd | undefined, b: LegEnd): LegEnd {
  return a === undefined || b.at >= a.at ? b : a;
}

/** The leg's own events are now known (a new leg, or a placeholder whose first event arrived). */
export function seeLeg(call: Call, leg: Leg, createdAt: number): void {
  if (leg.seen) return;
  leg.seen = true;
  leg.createdAt = createdAt;
  if (leg.end === undefined) call.openLegs++;
  if (createdAt < call.firstAt) call.firstAt = createdAt;
}

/** Ties the leg to its agent; a non-root agent leg gets (or joins) its agent's track. */
export function setAgent(call: Call, leg: Leg, agent: AgentRef): void {
  if (leg.agent !== undefined) return;
  leg.agent = agent;
  noteQueue(call, leg);
  if (leg === call.root) return;
  call.firstAgentLeg ??= leg;
  call.agentLegs++;
  let track = call.tracks.get(agent.username);
  if (track === undefined) {
    track = { agent, legs: 0, open: 0, allBusy: true, loseRace: false };
    call.tracks.set(agent.username, track);
  }
  track.legs++;
  if (leg.end === undefined) track.open++;
  if (leg.answeredAt !== undefined) answerTrack(track, leg, leg.answeredAt);
}

/** The queue comes from the first agent leg that carries a Queue-ID. */
export function noteQueue(call: Call, leg: Leg): void {
  if (call.queueId === undefined && leg.agent !== undefined && leg.queueId !== undefined) call.queueId = leg.queueId;
}

function emptyResidue(firstAt: number): Residue {
  return { firstAt, agentLegs: 0, agentLegsBusy: 0, tracks: new Map() };
}

function addTrack(into: Map<string, AgentTrack>, t: AgentTrack): void {
  const m = into.get(t.agent.username);
  if (m === undefined) {
    into.set(t.agent.username, { ...t });
    return;
  }
  m.legs += t.legs;
  m.open += t.open;
  if (t.answeredAt !== undefined && (m.answeredAt === undefined || t.answeredAt < m.answeredAt))
    m.answeredAt = t.answeredAt;
  if (m.answeredLegId === undefined) {
    m.answeredLegId = t.answeredLegId;
    m.answeredEnd = t.answeredEnd;
  }
  if (t.lastEnd !== undefined) m.lastEnd = later(m.lastEnd, t.lastEnd);
  m.allBusy &&= t.allBusy;
  m.loseRace ||= t.loseRace;
}

/** Adds the facts of `from` to those of `into` (the facts of two disjoint sets of legs). */
function addFacts(into: Residue, from: Residue): void {
  if (from.firstAt < into.firstAt) into.firstAt = from.firstAt;
  if (from.answeredAt !== undefined && (into.answeredAt === undefined || from.answeredAt < into.answeredAt))
    into.answeredAt = from.answeredAt;
  into.answeredBy ??= from.answeredBy;
  into.queueId ??= from.queueId;
  if (
    from.firstAgentLeg !== undefined &&
    (into.firstAgentLeg === undefined || from.firstAgentLeg.createdAt < into.firstAgentLeg.createdAt)
  ) {
    into.firstAgentLeg = from.firstAgentLeg;
  }
  into.agentLegs += from.agentLegs;
  into.agentLegsBusy += from.agentLegsBusy;
  if (from.farEnd !== undefined) into.farEnd = later(into.farEnd, from.farEnd);
  if (from.lastEnd !== undefined) into.lastEnd = later(into.lastEnd, from.lastEnd);
  for (const t of from.tracks.values()) addTrack(into.tracks, t);
}

/**
 * Drops a destroyed non-root leg from the call; what it contributed to the call's facts is kept in the
 * call's residue, so a later rebuild (legs linked late) does not lose it.
 */
export function dropLeg(call: Call, leg: Leg): void {
  if (!call.legs.delete(leg.id)) return;
  const scratch = newCall('', leg.createdAt);
  const copy: Leg = { ...leg, seen: false, agent: undefined, answeredAt: undefined, end: undefined };
  scratch.legs.set(copy.id, copy);
  if (leg.seen) seeLeg(scratch, copy, leg.createdAt);
  if (leg.agent) setAgent(scratch, copy, leg.agent);
  noteQueue(scratch, copy);
  if (leg.answeredAt !== undefined) answerLeg(scratch, copy, leg.answeredAt);
  if (leg.end !== undefined) destroyLeg(scratch, copy, leg.end);
  call.residue ??= emptyResidue(scratch.firstAt);
  addFacts(call.residue, scratch);
}

/** `gone`'s legs joined `keep`: so do the facts of the legs `gone` had dropped. */
export function foldResidue(keep: Call, gone: Call): void {
  if (gone.residue === undefined) return;
  keep.residue ??= emptyResidue(gone.residue.firstAt);
  addFacts(keep.residue, gone.residue);
}

function answerTrack(track: AgentTrack, leg: Leg, at: number): void {
  if (track.answeredAt === undefined || at < track.answeredAt) track.answeredAt = at;
  track.answeredLegId ??= leg.id;
}

export function answerLeg(call: Call, leg: Leg, at: number): void {
  if (leg.answeredAt !== undefined || leg.end !== undefined) return;
  leg.answeredAt = at;
  if (leg === call.root) return; // the IVR answering the customer's leg does not answer the call
  if (call.answeredAt === undefined || at < call.answeredAt) call.answeredAt = at;
  call.answeredBy ??= leg.agent;
  const track = leg.agent ? call.tracks.get(leg.agent.username) : undefined;
  if (track) answerTrack(track, leg, at);
}

/** An agent's answer on the root leg that counts (agent's own dial-out answered, or billed): answers the call. */
export function countRootAnswer(call: Call, at: number): void {
  if (call.answeredAt === undefined || at < call.answeredAt) call.answeredAt = at;
  call.answeredBy ??= call.root.agent;
}

/**
 * Recomputes every running fact of the call from its legs, with `root` as the root leg (legs linked late
 * joined the call, or its root changed). Legs keep their own state; the call's facts are replayed from them.
 */
export function rebuild(call: Call, root: Leg): void {
  call.root = root;
  call.openLegs = 0;
  call.answeredAt = undefined;
  call.answeredBy = undefined;
  call.queueId = undefined;
  call.firstAgentLeg = undefined;
  call.agentLegs = 0;
  call.agentLegsBusy = 0;
  call.farEnd = undefined;
  call.lastEnd = undefined;
  call.tracks.clear();
  const legs = [...call.legs.values()].sort((a, b) => (a === root ? -1 : b === root ? 1 : a.createdAt - b.createdAt));
  const saved = legs.map((l) => ({ leg: l, seen: l.seen, agent: l.agent, answeredAt: l.answeredAt, end: l.end }));
  call.firstAt = Math.min(...legs.map((l) => l.createdAt));
  if (call.residue !== undefined) addFacts(call, call.residue);
  for (const s of saved) {
    s.leg.seen = false;
    s.leg.agent = undefined;
    s.leg.answeredAt = undefined;
    s.leg.end = undefined;
  }
  for (const s of saved) {
    if (s.seen) seeLeg(call, s.leg, s.leg.createdAt);
    if (s.agent) setAgent(call, s.leg, s.agent);
    noteQueue(call, s.leg);
  }
  for (const s of saved) if (s.answeredAt !== undefined) answerLeg(call, s.leg, s.answeredAt);
  for (const s of saved.filter((x) => x.end !== undefined).sort((a, b) => a.end!.at - b.end!.at))
    destroyLeg(call, s.leg, s.end!);
}

export function destroyLeg(call: Call, leg: Leg, end: LegEnd): void {
  if (leg.end !== undefined) return;
  leg.end = end;
  if (leg.seen) call.openLegs--;
  call.lastEnd = later(call.lastEnd, end);
  if (leg === call.root) return;
  call.farEnd = later(call.farEnd, end);
  const track = leg.agent ? call.tracks.get(leg.agent.username) : undefined;
  if (!track) return;
  track.open--;
  track.lastEnd = later(track.lastEnd, end);
  if (leg.id === track.answeredLegId) track.answeredEnd = end;
  if (isBusyCause(end.cause)) call.agentLegsBusy++;
  else track.allBusy = false;
  if (end.cause === 'LOSE_RACE') track.loseRace = true;
}
