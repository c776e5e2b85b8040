// The live calls whose root is a customer's own leg (seen, inbound, no owner, not destroyed), by the customer's
// number: what an unlinked agent leg's CREATE is matched against (provisional.ts). Without it every such CREATE would
// scan every live call (20,000 at most: O(n) per event). Kept up to date after every event of a call (note), and on
// release (forget); a lookup checks each candidate again, so a stale entry is never an answer.
import type { Call } from './call.js';
import { firstOf } from './numbers.js';

/** The number a call is found by, when its root is a live customer leg. */
export function customerRootNumber(call: Call): string | undefined {
  const r = call.root;
  if (!r.seen || r.direction !== 'inbound' || r.ownerId !== undefined || r.agent !== undefined || r.end !== undefined) {
    return undefined;
  }
  return firstOf(r.callerIdNumber, r.from);
}

export class CustomerCallIndex {
  private readonly byNumber = new Map<string, Set<Call>>();
  private readonly numberOf = new Map<Call, string>();

  /** After an event of `call`: findable by its root's number while that is a live customer leg, else not. */
  note(call: Call): void {
    const number = customerRootNumber(call);
    const was = this.numberOf.get(call);
    if (was === number) return;
    if (was !== undefined) this.remove(call, was);
    if (number === undefined) return;
    this.numberOf.set(call, number);
    let set = this.byNumber.get(number);
    if (!set) {
      set = new Set();
      this.byNumber.set(number, set);
    }
    set.add(call);
  }

  /** The call is no longer live (released, or absorbed by a merge). */
  forget(call: Call): void {
    const was = this.numberOf.get(call);
    if (was !== undefined) this.remove(call, was);
  }

  /** The live customer calls of `number` (`isLive`: still one of the engine's live calls). */
  *candidates(number: string, isLive: (call: Call) => boolean): Iterable<Call> {
    const set = this.byNumber.get(number);
    if (!set) return;
    for (const call of [...set]) {
      if (isLive(call) && customerRootNumber(call) === number) yield call;
      else this.note(call);
    }
  }

  get size(): number {
    return this.numberOf.size;
  }

  private remove(call: Call, number: string): void {
    this.numberOf.delete(call);
    const set = this.byNumber.get(number);
    if (!set) return;
    set.delete(call);
    if (set.size === 0) this.byNumber.delete(number);
  }
}
