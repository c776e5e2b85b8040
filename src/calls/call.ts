// A call: the legs joined together, with the running facts the views are computed from.
// Facts that decide outcomes are kept on the call (sticky), so old destroyed legs can be dropped.
import type { AgentRef } from '../contract.js';
import type { CallUpdate } from './types.js';
import { placeholderLeg, type Leg, type LegEnd } from './leg.js';
import { isBusyCause } from './outcome.js';

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
  /** The root leg's id: the call's callId. */
  readonly id: string;
  readonly root: Leg;
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
}

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
