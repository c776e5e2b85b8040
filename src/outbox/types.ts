// The durable outbox's public shapes: one `Outbox` interface (Memory, SQLite and Redis behind it), the delivery
// handlers registered per target kind, and the numbers GET /api/outbox and the Prometheus metrics show.
import { type CatalogueCode, CodedError } from '../shared/error-catalogue.js';

/** Target kinds; each has one handler. */
export type OutboxTarget = 'antcrm.ticket' | 'antcrm.lead' | 'antcrm.wrapup' | 'webhook';
export const OUTBOX_TARGETS: readonly OutboxTarget[] = ['antcrm.ticket', 'antcrm.lead', 'antcrm.wrapup', 'webhook'];

/** Any JSON value: payloads and results are stored as JSON text. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** What a handler answers: delivered (with an optional result kept on the record), try later, or never again. */
export type DeliveryResult =
  | { kind: 'ok'; result?: Json }
  | { kind: 'retry'; error: string }
  | { kind: 'give-up'; error: string };

export const ok = (result?: Json): DeliveryResult => (result === undefined ? { kind: 'ok' } : { kind: 'ok', result });
export const retry = (error: string): DeliveryResult => ({ kind: 'retry', error });
export const giveUp = (error: string): DeliveryResult => ({ kind: 'give-up', error });

export interface DeliveryAttempt {
  key: string;
  target: string;
  payload: Json;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted at the attempt timeout (10 s) or when the outbox stops. */
  signal: AbortSignal;
}

/** A handler must not throw (a throw is taken as `retry` with the error's name) and must honour `signal`. */
export type DeliveryHandler = (attempt: DeliveryAttempt) => Promise<DeliveryResult>;

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  key: string;
  target: string;
  state: DeliveryState;
  attempts: number;
  /** Unix ms the delivery was accepted. */
  createdAt: number;
  lastError?: string;
  /** The `ok` result of a delivered record. */
  result?: Json;
}

/** GET /api/outbox, exactly (bridge-contract §7.2). */
export interface OutboxStats {
  pending: number;
  delivered: number;
  failed: number;
  oldestPendingSec: number;
  failures: { key: string; target: string; attempts: number; lastError: string; since: string }[];
}

/** Monotonic counters of this process (Prometheus counters/gauges: depth comes from stats()). */
export interface OutboxCounters {
  enqueued: number;
  duplicates: number;
  attempts: number;
  delivered: number;
  retried: number;
  failed: number;
  /** Attempts per target kind. */
  attemptsByTarget: Record<string, number>;
}

/** Counters before anything happened. */
export function noCounters(): OutboxCounters {
  return { enqueued: 0, duplicates: 0, attempts: 0, delivered: 0, retried: 0, failed: 0, attemptsByTarget: {} };
}

/** Emitted after an attempt was recorded. `state: 'pending'` = will be retried. */
export interface SettledEvent {
  key: string;
  target: string;
  state: DeliveryState;
  attempts: number;
  error?: string;
  result?: Json;
}

export interface EnqueueOptions {
  /** Unix ms: the first attempt is not made before then. */
  notBefore?: number;
}

export interface Outbox {
  /** Accepts a delivery once per key; true when new, false for a key already known (any state). Durable on return.
   * `notBefore` (unix ms): a delayed job, first tried then (restarts and a target coming back do not advance it). */
  enqueue(key: string, target: OutboxTarget | string, payload: unknown, opts?: EnqueueOptions): Promise<boolean>;
  /** A later version of a delivery not sent yet: replaces the payload of a pending one that no attempt holds now
   * (true), else nothing (false: unknown, settled, or in flight). Durable on return. */
  replace(key: string, payload: unknown): Promise<boolean>;
  /** One handler per target kind; registering again replaces it. */
  handle(target: OutboxTarget | string, handler: DeliveryHandler): void;
  /** Called after every recorded attempt; returns an unsubscribe function. Listener errors are logged. */
  onSettled(listener: (e: SettledEvent) => void): () => void;
  get(key: string): Promise<DeliveryRecord | undefined>;
  stats(): Promise<OutboxStats>;
  counters(): OutboxCounters;
  /** Starts the delivery worker: pending deliveries (from before a restart too) are tried at once. Idempotent. */
  start(): Promise<void>;
  /** Stops the worker (in-flight attempts get a grace period, then are aborted), releases every timer. Idempotent. */
  stop(): Promise<void>;
}

/** The outbox's errors (codes OUTBOX_*, shared/error-catalogue.ts); by default its store is unavailable. */
export class OutboxError extends CodedError {
  override readonly name: string = 'OutboxError';
  constructor(message?: string, code: Extract<CatalogueCode, `OUTBOX_${string}`> = 'OUTBOX_STORE_UNAVAILABLE') {
    super(code, message);
  }
}

/** enqueue() after stop(), or a payload that is not JSON. */
export class OutboxStateError extends OutboxError {
  override readonly name = 'OutboxStateError';
  constructor(message?: string) {
    super(message, 'OUTBOX_STATE_INVALID');
  }
}
