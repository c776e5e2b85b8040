// The calls the bridge itself placed (click-to-call): who asked AntRing to connect which agent with which number,
// and when. The call engine asks it (calls/click-to-call.ts PlacedCalls) so that the agent picking up the first
// leg of such a call is not taken for the customer answering. Bounded, in memory; in cluster mode each record is
// shared with the other nodes (fanout/placed-sharing.ts), so the upstream holders know a dial placed through any
// node. Beside it the engine reads Kazoo's own markers (Authorizing-Type `clicktocall`, a `c2c-` Call-ID) and the
// far leg the switch creates (docs/call-model.md).

import type { PlacedCalls } from '../calls/click-to-call.js';
import { type Clock, systemClock } from '../clock.js';
import { normalizePhone } from '../shared/phone.js';

export interface PlacedCallsOptions {
  clock?: Clock;
  /** How long after the request its legs may still appear. Default 60 s. */
  windowMs?: number;
  /** Entries kept at most (the oldest go first). Default 5,000. */
  maxEntries?: number;
}

/** Leg times come from the switch's clock: a leg may be stamped a little before the bridge sent the request. */
const CLOCK_SKEW_MS = 5_000;

/** One form of a number for comparison: national for Vietnamese numbers, else its digits. */
function comparable(number: string): string {
  return normalizePhone(number)?.national ?? number.replace(/[^0-9]/g, '');
}

export class PlacedCallsRegistry implements PlacedCalls {
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly maxEntries: number;
  /** `${agent}\n${number}` → when the bridge asked AntRing (ms) and the leg that took the dial, oldest first. */
  private readonly placed = new Map<string, { at: number; legId?: string }>();
  private readonly listeners = new Set<(agent: string, number: string) => void>();

  constructor(o: PlacedCallsOptions = {}) {
    this.clock = o.clock ?? systemClock;
    this.windowMs = o.windowMs ?? 60_000;
    this.maxEntries = Math.max(1, o.maxEntries ?? 5_000);
  }

  /** The bridge is about to ask AntRing to connect `agent` with `number`. */
  record(agent: string, number: string): void {
    this.remember(agent, number);
    for (const l of this.listeners) l(agent, number);
  }

  /** Told by another node (cluster mode): recorded here, not passed on. */
  remember(agent: string, number: string): void {
    const key = `${agent}\n${comparable(number)}`;
    this.placed.delete(key);
    this.placed.set(key, { at: this.clock.now() });
    while (this.placed.size > this.maxEntries) this.placed.delete(this.placed.keys().next().value as string);
  }

  isPlaced(agentUsername: string, number: string, atMs: number, legId?: string): boolean {
    const p = this.placed.get(`${agentUsername}\n${comparable(number)}`);
    if (p === undefined || atMs < p.at - CLOCK_SKEW_MS || atMs > p.at + this.windowMs) return false;
    if (legId === undefined) return true;
    // One dial, one agent leg: the first leg asked about takes it (every holder's engine sees the legs in one order).
    p.legId ??= legId;
    return p.legId === legId;
  }

  /** Cluster mode: every dial recorded here is also told to the other nodes. Returns the unsubscribe. */
  onRecord(listener: (agent: string, number: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.placed.size;
  }
}
