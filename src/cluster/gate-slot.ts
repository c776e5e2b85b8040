// What the call gate (gate.ts) keeps per call: the updates not yet published or marked done, and what it knows of
// the call's ownership.
import type { TaggedUpdate } from './gate-options.js';
import type { OwnedCall } from './gate-trust.js';

export interface Entry {
  id: string;
  update: TaggedUpdate;
  at: number;
}

export interface Slot extends OwnedCall {
  callId: string;
  pending: Entry[];
  running: boolean;
  again: boolean;
  /** The owner key was shortened after the call ended (once: no claim has lengthened it since). */
  shortened: boolean;
  /** The owner a lost claim named ('' or undefined: none yet, e.g. deferred to an older holder). */
  ownerId?: string;
  counter: number;
  lastAt: number;
  ended: boolean;
  /** This engine saw the call's root leg created: only then may this node publish the call (a partial engine, e.g.
   *  on a node that subscribed mid-call, would publish phantom calls or repeat states). */
  complete: boolean;
  /** Its root leg's CREATE may be of a call this engine did not see begin: claimed `new` only by the live holder
   *  whose engine started first (gate-claim.ts). */
  deferNew: boolean;
}

export function newSlot(callId: string, now: number): Slot {
  return {
    callId,
    pending: [],
    running: false,
    again: false,
    owner: 'unknown',
    claimedAt: 0,
    keySetAt: 0,
    keyTtlMs: 0,
    shortened: false,
    counter: 0,
    lastAt: now,
    ended: false,
    complete: false,
    deferNew: false,
  };
}
