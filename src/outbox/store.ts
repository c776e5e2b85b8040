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
  /** Inserts when the key is new (true), else nothing (false). Durable when the promise resolves. */
  insert(key: string, target: string, payload: string): Promise<boolean>;
  /** Claims up to `limit` due pending deliveries for `leaseMs`; expired leases are due again. */
  claim(limit: number, leaseMs: number, token: string): Promise<ClaimBatch>;
  /** Records an attempt's outcome; false when the claim was lost (lease ended and taken over). */
  settle(c: Claimed, s: Settlement): Promise<boolean>;
  /** After a restart: every pending delivery (leased ones too) is due now. Returns how many. */
  makeAllDue(): Promise<number>;
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
