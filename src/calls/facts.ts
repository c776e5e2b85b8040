// What a call is, the same for every audience: direction, parties, DID, customer number, queue, start.
import type { AgentRef, CallDirection, Party, QueueRef } from '../contract.js';
import type { Call } from './call.js';
import { type Leg, poorName } from './leg.js';
import { firstOf, isExtension, isFeatureOrNonDialable, isInternalTarget, party } from './numbers.js';
import type { AgentDirectory } from './types.js';

export interface CallFacts {
  direction: CallDirection;
  from: Party;
  to: Party;
  did?: string;
  customerNumber?: string;
  queue?: QueueRef;
  startedAt: string;
}

/** The same few instants (a call's start, answer, end) are formatted again at every event of the call: remembered. */
const ISO_CACHE_MAX = 2048;
const isoCache = new Map<number, string>();

export function iso(ms: number): string {
  let s = isoCache.get(ms);
  if (s === undefined) {
    s = new Date(ms).toISOString();
    if (isoCache.size >= ISO_CACHE_MAX) isoCache.clear();
    isoCache.set(ms, s);
  }
  return s;
}

/** The caller name worth showing: not a SIP user name, not the number again. */
function callerName(leg: Leg): string | undefined {
  return poorName(leg.callerIdName, leg) ? undefined : leg.callerIdName;
}

/** The number at the other end of an agent's root leg. */
function farOfAgentRoot(root: Leg): Party {
  if (root.direction === 'outbound')
    return party(firstOf(root.callerIdNumber, root.otherLegCallerIdNumber), root.callerIdName);
  // Dialled from the device: what was dialled (Request / To carry feature codes like *97 as dialled).
  const dialled = firstOf(root.calleeIdNumber, root.request, root.to, root.otherLegDestinationNumber);
  const requested = firstOf(root.request, root.to);
  const number = requested !== undefined && isFeatureOrNonDialableStrict(requested) ? requested : dialled;
  return party(number, root.calleeIdName);
}

function isFeatureOrNonDialableStrict(n: string): boolean {
  return /^[*#]/.test(n.trim());
}

/** The agent's own extension (their first one), else the number of their leg. */
function agentParty(agent: AgentRef, leg: Leg): Party {
  const own = leg.direction === 'outbound' ? leg.calleeIdNumber : firstOf(leg.callerIdNumber, leg.from);
  return party(firstOf(agent.ext?.[0], own), agent.name);
}

/** Facts in one fixed shape (every key present, undefined when unknown): no spreads, one hidden class. */
function made(
  direction: CallDirection,
  from: Party,
  to: Party,
  did: string | undefined,
  customerNumber: string | undefined,
): CallFacts {
  return { direction, from, to, did, customerNumber, queue: undefined, startedAt: '' };
}

function core(call: Call, knownExtensions: { has(n: string): boolean }): CallFacts {
  const root = call.root;
  if (root.seen && root.agent && root.direction === 'outbound' && root.clickToCall !== true) {
    // An agent's leg the switch rang, not a click-to-call: a call TO the agent, from its Caller-ID-Number.
    const from = party(firstOf(root.callerIdNumber, root.otherLegCallerIdNumber), callerName(root));
    const to = agentParty(root.agent, root);
    if (isExtension(from.number, knownExtensions))
      return made('internal', from, { number: to.number }, undefined, undefined);
    const customer = from.number && !isFeatureOrNonDialable(from.number) ? from.number : undefined;
    return made('inbound', from, to, undefined, customer);
  }
  if (root.seen && root.agent) {
    const far = farOfAgentRoot(root);
    const from = agentParty(root.agent, root);
    if (isInternalTarget(far.number, knownExtensions)) {
      return made('internal', from, { number: far.number }, undefined, undefined);
    }
    return made('outbound', from, far, undefined, far.number ? far.number : undefined);
  }
  const fa = call.firstAgentLeg;
  if (!root.seen && fa) {
    // The root's own events are not seen yet: tell what we can from the agent leg that points at it.
    const from = party(firstOf(fa.callerIdNumber, fa.otherLegCallerIdNumber, fa.from), callerName(fa));
    const to = party(firstOf(fa.agent?.ext?.[0], fa.calleeIdNumber, fa.request, fa.to), fa.agent?.name);
    if (isExtension(from.number, knownExtensions))
      return made('internal', from, { number: to.number }, undefined, undefined);
    return made('inbound', from, to, undefined, from.number ? from.number : undefined);
  }
  const from = party(firstOf(root.callerIdNumber, root.from), callerName(root));
  const did = firstOf(root.calleeIdNumber, root.request, root.to);
  return made('inbound', from, { number: did ?? '' }, did ? did : undefined, from.number ? from.number : undefined);
}

/** What the call is, for every view of this emit. Its objects are fresh and never changed: views may share them. */
export function callFacts(
  call: Call,
  directory: AgentDirectory,
  knownExtensions: { has(n: string): boolean },
): CallFacts {
  const facts = core(call, knownExtensions);
  facts.startedAt = iso(call.root.seen ? call.root.createdAt : call.firstAt);
  if (call.queueId !== undefined) {
    const name = directory.queueName(call.queueId);
    facts.queue = name !== undefined ? { id: call.queueId, name } : { id: call.queueId };
  }
  return facts;
}
