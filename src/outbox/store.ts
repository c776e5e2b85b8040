// What a durable outbox keeps, behind one small interface; MemoryStore, SqliteStore and RedisStore implement it and
// DeliveryOutbox (outbox.ts) runs the worker over any of them. Leases make claiming safe across processes: a claimed
// delivery is invisible to other workers until it is settled or its lease ends (its holder died).
import type { DeliveryRecord, Json, OutboxStats } from './types.js';

export interface Claimed {
  key: string;
  target: string;
  payload: Json;
  /** This attempt's number (counted at claim time, so an attempt cut short by a crash still counts). */
  attempt: number;
  /** Age of the delivery at claim time, ms. */
  ageMs: number;
  /** Identifies this claim; settle() is refused once another claim took the delivery over. */
  token: string;
  /** keys.ts laneOf: the target whose concurrency this attempt counts against. */
  lane: string;
  /** Claims of this delivery that never settled (their process died in the attempt), this one's predecessors. */
  stalls: number;
}

/** Per-lane limits of one claim: no lane gets more than `perLane` attempts in flight (`busy` already are). */
export interface LaneLimits {
  perLane: number;
  busy: ReadonlyMap<string, number>;
}

/** Due rows scanned at most by one claim while it skips full lanes. */
export const CLAIM_SCAN_MAX = 2000;

/**
 * Picks, in the given (due) order, up to `limit` rows whose lane is not full; stops after CLAIM_SCAN_MAX rows.
 * The one rule of the memory and SQLite stores (the Redis script mirrors it).
 */
export function pickByLane<R>(
  rows: Iterable<R>,
  limit: number,
  laneOfRow: (r: R) => string,
  lanes?: LaneLimits,
): { row: R; lane: string }[] {
  const out: { row: R; lane: string }[] = [];
  const taken = new Map<string, number>();
  let scanned = 0;
  for (const row of rows) {
    if (out.length >= limit || ++scanned > CLAIM_SCAN_MAX) break;
    const lane = laneOfRow(row);
    const n = (lanes?.busy.get(lane) ?? 0) + (taken.get(lane) ?? 0);
    if (lanes && n >= lanes.perLane) continue;
    taken.set(lane, (taken.get(lane) ?? 0) + 1);
    out.push({ row, lane });
  }
  return out;
}

export type Settlement =
  | { state: 'delivered'; result?: Json }
  | { state: 'pending'; delayMs: number; error: string }
  | { state: 'failed'; error: string };

export interface ClaimBatch {
  claimed: Claimed[];
  /** Ms until the next pending delivery is due (or a lease ends), when known. */
  nextDueInMs?: number;
}

export interface OutboxStore {
  /** Inserts when the key is new (true), else nothing (false). Durable when the promise resolves. `notBefore`
   * (unix ms): a delayed job, not claimed before then (its age counts from then; makeAllDue/makeLaneDue keep it). */
  insert(key: string, target: string, payload: string, notBefore?: number): Promise<boolean>;
  /** Replaces the payload of a pending delivery whose lease is not running (true), else nothing (false). */
  replace(key: string, payload: string): Promise<boolean>;
  /** Claims up to `limit` due pending deliveries for `leaseMs` (none of a full lane); expired leases are due again. */
  claim(limit: number, leaseMs: number, token: string, lanes?: LaneLimits): Promise<ClaimBatch>;
  /** Records an attempt's outcome; false when the claim was lost (lease ended and taken over). */
  settle(c: Claimed, s: Settlement): Promise<boolean>;
  /** After a restart: every pending delivery (leased ones too) is due now; a lease ended so is still counted as a
   * stall when claimed. Returns how many. */
  makeAllDue(): Promise<number>;
  /** A target that is back (keys.ts laneOf): its deliveries waiting for a retry are due now. Returns how many. */
  makeLaneDue(lane: string): Promise<number>;
  /** Deletes delivered and failed records settled more than `retainMs` ago. */
  prune(retainMs: number): Promise<number>;
  get(key: string): Promise<DeliveryRecord | undefined>;
  stats(maxFailures: number): Promise<OutboxStats>;
  /** Releases what the store opened itself (a database file), not what it was given. */
  close(): Promise<void>;
}

/** A stored JSON text back to a value; unreadable text becomes null (and the handler decides). */
export function parseJson(text: string | null | undefined): Json | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return null;
  }
}

/** Error texts as stored and shown: one line, bounded. */
export function errorText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').slice(0, 300);
}
