// The engine's de-duplication test, field by field: whether the view last shown to an audience is still the view it
// would be shown now. The same answer as the generic sameView (views.ts: defined keys, deep, receivedAt aside) for
// views, without walking key lists: it runs for every audience of a call at every event.
import type { AgentRef, Party, QueueRef } from '../contract.js';
import type { View } from './call.js';
import type { Audience } from './types.js';

/**
 * The keys sameShownView compares, per type: the compile fails here when a view (CallUpdate) or one of its parts
 * gains a key, until it is added here and compared below.
 */
export const COMPARED_KEYS = {
  view: {
    audience: true,
    callId: true,
    org: true,
    state: true,
    direction: true,
    from: true,
    to: true,
    did: true,
    agent: true,
    queue: true,
    customerNumber: true,
    startedAt: true,
    answeredAt: true,
    endedAt: true,
    outcome: true,
    hangupCause: true,
    mergedInto: true,
    durationSec: true,
    billingSec: true,
    clusterUpdateId: true,
  } satisfies Record<keyof View, true>,
  audience: { kind: true, username: true, queueId: true } satisfies Record<
    keyof Extract<Audience, { kind: 'agent' }> | keyof Extract<Audience, { kind: 'call' }>,
    true
  >,
  party: { number: true, name: true } satisfies Record<keyof Party, true>,
  agent: { username: true, id: true, name: true, ext: true } satisfies Record<keyof AgentRef, true>,
  queue: { id: true, name: true } satisfies Record<keyof QueueRef, true>,
};

function sameAudience(a: Audience, b: Audience): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    a.kind === b.kind &&
    (a as { username?: string }).username === (b as { username?: string }).username &&
    (a as { queueId?: string }).queueId === (b as { queueId?: string }).queueId
  );
}

function sameParty(a: Party | undefined, b: Party | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.number === b.number && a.name === b.name;
}

function sameExt(a: string[] | undefined, b: string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameAgent(a: AgentRef | undefined, b: AgentRef | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.username === b.username && a.id === b.id && a.name === b.name && sameExt(a.ext, b.ext);
}

function sameQueue(a: QueueRef | undefined, b: QueueRef | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.id === b.id && a.name === b.name;
}

/** Two views the same for their audience (every key of COMPARED_KEYS; an undefined value is an absent key). */
export function sameShownView(a: View, b: View): boolean {
  return (
    a === b ||
    (a.state === b.state &&
      a.callId === b.callId &&
      a.org === b.org &&
      a.direction === b.direction &&
      a.startedAt === b.startedAt &&
      a.did === b.did &&
      a.customerNumber === b.customerNumber &&
      a.answeredAt === b.answeredAt &&
      a.endedAt === b.endedAt &&
      a.outcome === b.outcome &&
      a.hangupCause === b.hangupCause &&
      a.mergedInto === b.mergedInto &&
      a.durationSec === b.durationSec &&
      a.billingSec === b.billingSec &&
      a.clusterUpdateId === b.clusterUpdateId &&
      sameAudience(a.audience, b.audience) &&
      sameParty(a.from, b.from) &&
      sameParty(a.to, b.to) &&
      sameAgent(a.agent, b.agent) &&
      sameQueue(a.queue, b.queue))
  );
}
