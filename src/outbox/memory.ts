// The outbox in memory (unit tests, and a bridge that accepts losing pending deliveries on restart): the same
// semantics as the SQLite and Redis stores (idempotent insert, leases, retention) on an injectable clock.
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import { laneOf } from './keys.js';
import { DeliveryOutbox, type OutboxWorkerOptions } from './outbox.js';
import {
  type ClaimBatch,
  type Claimed,
  type LaneLimits,
  type OutboxStore,
  parseJson,
  pickByLane,
  type Settlement,
} from './store.js';
import type { DeliveryRecord, DeliveryState, OutboxStats } from './types.js';

interface Row {
  key: string;
  target: string;
  payload: string;
  state: DeliveryState;
  attempts: number;
  createdAt: number;
  nextAt: number;
  leaseUntil: number;
  leaseToken?: string;
  stalls: number;
  lastError?: string;
  settledAt?: number;
  result?: string;
}

export class MemoryStore implements OutboxStore {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly clock: Clock = systemClock) {}

  async insert(key: string, target: string, payload: string, notBefore?: number): Promise<boolean> {
    if (this.rows.has(key)) return false;
    const now = Math.max(this.clock.now(), notBefore ?? 0);
    this.rows.set(key, {
      key,
      target,
      payload,
      state: 'pending',
      attempts: 0,
      createdAt: now,
      nextAt: now,
      leaseUntil: 0,
      stalls: 0,
    });
    return true;
  }

  async replace(key: string, payload: string): Promise<boolean> {
    const r = this.rows.get(key);
    if (r?.state !== 'pending' || r.leaseUntil > this.clock.now()) return false;
    r.payload = payload;
    return true;
  }

  async claim(limit: number, leaseMs: number, token: string, lanes?: LaneLimits): Promise<ClaimBatch> {
    const now = this.clock.now();
    const due = [...this.rows.values()]
      .filter((r) => r.state === 'pending' && r.nextAt <= now && r.leaseUntil <= now)
      .sort((a, b) => a.nextAt - b.nextAt);
    const picked = pickByLane(due, Math.max(0, limit), (r) => laneOf(r.target, r.key), lanes);
    const claimed: Claimed[] = picked.map(({ row: r, lane }) => {
      r.attempts++;
      if (r.leaseToken !== undefined) r.stalls++; // the last claim never settled
      r.leaseUntil = now + leaseMs;
      r.leaseToken = token;
      return {
        key: r.key,
        target: r.target,
        payload: parseJson(r.payload) ?? null,
        attempt: r.attempts,
        ageMs: now - r.createdAt,
        token,
        lane,
        stalls: r.stalls,
      };
    });
    let next: number | undefined;
    for (const r of this.rows.values()) {
      if (r.state !== 'pending') continue;
      const at = Math.max(r.nextAt, r.leaseUntil);
      if (next === undefined || at < next) next = at;
    }
    return next === undefined ? { claimed } : { claimed, nextDueInMs: Math.max(0, next - now) };
  }

  async settle(c: Claimed, s: Settlement): Promise<boolean> {
    const r = this.rows.get(c.key);
    if (r?.state !== 'pending' || r.leaseToken !== c.token) return false;
    const now = this.clock.now();
    r.leaseUntil = 0;
    r.leaseToken = undefined;
    if (s.state === 'pending') {
      r.nextAt = now + s.delayMs;
      r.lastError = s.error;
      return true;
    }
    r.state = s.state;
    r.settledAt = now;
    if (s.state === 'failed') r.lastError = s.error;
    else if (s.result !== undefined) r.result = JSON.stringify(s.result);
    return true;
  }

  async makeLaneDue(lane: string): Promise<number> {
    const now = this.clock.now();
    let n = 0;
    for (const r of this.rows.values()) {
      if (r.state !== 'pending' || r.nextAt <= now || r.leaseUntil > now || laneOf(r.target, r.key) !== lane) continue;
      if (r.createdAt > now) continue; // a delayed job, not a retry
      r.nextAt = now;
      n++;
    }
    return n;
  }

  async makeAllDue(): Promise<number> {
    const now = this.clock.now();
    let n = 0;
    for (const r of this.rows.values()) {
      if (r.state !== 'pending') continue;
      r.nextAt = Math.min(r.nextAt, Math.max(now, r.createdAt)); // a delayed job keeps its time
      r.leaseUntil = 0;
      n++;
    }
    return n;
  }

  async prune(retainMs: number): Promise<number> {
    const before = this.clock.now() - retainMs;
    let n = 0;
    for (const [k, r] of this.rows)
      if (r.state !== 'pending' && (r.settledAt ?? 0) < before && this.rows.delete(k)) n++;
    return n;
  }

  async get(key: string): Promise<DeliveryRecord | undefined> {
    const r = this.rows.get(key);
    if (!r) return undefined;
    const rec: DeliveryRecord = {
      key: r.key,
      target: r.target,
      state: r.state,
      attempts: r.attempts,
      createdAt: r.createdAt,
    };
    if (r.lastError !== undefined) rec.lastError = r.lastError;
    const result = parseJson(r.result);
    if (result !== undefined) rec.result = result;
    return rec;
  }

  async stats(maxFailures: number): Promise<OutboxStats> {
    const now = this.clock.now();
    const s: OutboxStats = { pending: 0, delivered: 0, failed: 0, oldestPendingSec: 0, failures: [] };
    let oldest: number | undefined;
    const failed: Row[] = [];
    for (const r of this.rows.values()) {
      s[r.state]++;
      if (r.state === 'pending' && (oldest === undefined || r.createdAt < oldest)) oldest = r.createdAt;
      if (r.state === 'failed') failed.push(r);
    }
    if (oldest !== undefined) s.oldestPendingSec = Math.max(0, Math.floor((now - oldest) / 1000));
    failed.sort((a, b) => (b.settledAt ?? 0) - (a.settledAt ?? 0));
    s.failures = failed.slice(0, maxFailures).map((r) => ({
      key: r.key,
      target: r.target,
      attempts: r.attempts,
      lastError: r.lastError ?? '',
      since: new Date(r.createdAt).toISOString(),
    }));
    return s;
  }

  async close(): Promise<void> {}
}

export interface MemoryOutboxOptions extends OutboxWorkerOptions {
  clock?: Clock;
}

export class MemoryOutbox extends DeliveryOutbox {
  constructor(o: MemoryOutboxOptions & { logger: Logger }) {
    super(new MemoryStore(o.clock), o);
  }
}
