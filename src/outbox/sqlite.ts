// The single-node outbox: one SQLite file in DATA_DIR (better-sqlite3, loaded only when used), WAL journal. By
// default synchronous=NORMAL: an enqueue that returned is in the WAL and survives a crash of the process (SIGKILL);
// the last ones may be lost if the machine itself loses power. `durability: 'power'` (synchronous=FULL) survives that
// too, at the price of an fsync per write on the event loop (measured: it slowed pops; docs/deploy.md). Claims are
// leases in one IMMEDIATE transaction, so even two processes on one file never claim one delivery at once.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import { DeliveryOutbox, type OutboxWorkerOptions } from './outbox.js';
import { type ClaimBatch, type Claimed, type OutboxStore, parseJson, type Settlement } from './store.js';
import { type DeliveryRecord, type DeliveryState, OutboxError, type OutboxStats } from './types.js';

/** The part of better-sqlite3's API used here (the package ships no types). */
interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface Database {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): void;
  prepare(source: string): Statement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): { immediate(...args: A): R };
  close(): void;
}
type DatabaseCtor = new (file: string, options?: { timeout?: number }) => Database;

export class OutboxStoreError extends OutboxError {
  override readonly name = 'OutboxStoreError';
}

export const OUTBOX_DB_FILE = 'outbox.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  key TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  payload TEXT,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  lease_token TEXT,
  last_error TEXT,
  settled_at INTEGER,
  result TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_at);
CREATE INDEX IF NOT EXISTS outbox_settled ON outbox (state, settled_at);`;

interface Row {
  key: string;
  target: string;
  payload: string | null;
  state: DeliveryState;
  attempts: number;
  created_at: number;
  last_error: string | null;
  result: string | null;
}

import type { OutboxDurability } from './durability.js';

function openDatabase(file: string, durability: OutboxDurability): Database {
  let Ctor: DatabaseCtor;
  try {
    Ctor = createRequire(import.meta.url)('better-sqlite3') as DatabaseCtor;
  } catch (err) {
    throw new OutboxStoreError(`better-sqlite3 cannot be loaded (${err instanceof Error ? err.name : 'error'})`);
  }
  const db = new Ctor(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma(durability === 'power' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  db.exec(SCHEMA);
  return db;
}

export class SqliteStore implements OutboxStore {
  private readonly db: Database;
  private closed = false;
  private readonly q: Record<
    | 'insert'
    | 'due'
    | 'lease'
    | 'next'
    | 'get'
    | 'delivered'
    | 'failed'
    | 'retry'
    | 'allDue'
    | 'prune'
    | 'counts'
    | 'oldest'
    | 'failures',
    Statement
  >;
  private readonly claimTx: { immediate(limit: number, leaseMs: number, token: string, now: number): Claimed[] };

  /** `file`: a path, or ':memory:'. */
  constructor(
    file: string,
    private readonly clock: Clock = systemClock,
    durability: OutboxDurability = 'process',
  ) {
    this.db = openDatabase(file, durability);
    const p = (s: string) => this.db.prepare(s);
    this.q = {
      insert: p(
        `INSERT OR IGNORE INTO outbox (key, target, payload, state, created_at, next_at) VALUES (?, ?, ?, 'pending', ?, ?)`,
      ),
      due: p(
        `SELECT key, target, payload, attempts, created_at FROM outbox WHERE state = 'pending' AND next_at <= ? AND lease_until <= ? ORDER BY next_at LIMIT ?`,
      ),
      lease: p(`UPDATE outbox SET attempts = attempts + 1, lease_until = ?, lease_token = ? WHERE key = ?`),
      next: p(`SELECT MIN(MAX(next_at, lease_until)) AS at FROM outbox WHERE state = 'pending'`),
      get: p(`SELECT key, target, payload, state, attempts, created_at, last_error, result FROM outbox WHERE key = ?`),
      delivered: p(
        `UPDATE outbox SET state = 'delivered', payload = NULL, lease_until = 0, lease_token = NULL, settled_at = ?, result = ? WHERE key = ? AND state = 'pending' AND lease_token = ?`,
      ),
      failed: p(
        `UPDATE outbox SET state = 'failed', lease_until = 0, lease_token = NULL, settled_at = ?, last_error = ? WHERE key = ? AND state = 'pending' AND lease_token = ?`,
      ),
      retry: p(
        `UPDATE outbox SET next_at = ?, lease_until = 0, lease_token = NULL, last_error = ? WHERE key = ? AND state = 'pending' AND lease_token = ?`,
      ),
      allDue: p(
        `UPDATE outbox SET next_at = MIN(next_at, ?), lease_until = 0, lease_token = NULL WHERE state = 'pending'`,
      ),
      prune: p(`DELETE FROM outbox WHERE state != 'pending' AND settled_at < ?`),
      counts: p(`SELECT state, COUNT(*) AS n FROM outbox GROUP BY state`),
      oldest: p(`SELECT MIN(created_at) AS at FROM outbox WHERE state = 'pending'`),
      failures: p(
        `SELECT key, target, attempts, last_error, created_at FROM outbox WHERE state = 'failed' ORDER BY settled_at DESC LIMIT ?`,
      ),
    };
    this.claimTx = this.db.transaction((limit: number, leaseMs: number, token: string, now: number) => {
      const rows = this.q.due.all(now, now, limit) as Pick<
        Row,
        'key' | 'target' | 'payload' | 'attempts' | 'created_at'
      >[];
      return rows.map((r) => {
        this.q.lease.run(now + leaseMs, token, r.key);
        return {
          key: r.key,
          target: r.target,
          payload: parseJson(r.payload) ?? null,
          attempt: r.attempts + 1,
          ageMs: now - r.created_at,
          token,
        };
      });
    });
  }

  async insert(key: string, target: string, payload: string): Promise<boolean> {
    const now = this.clock.now();
    return this.q.insert.run(key, target, payload, now, now).changes === 1;
  }

  async claim(limit: number, leaseMs: number, token: string): Promise<ClaimBatch> {
    const now = this.clock.now();
    const claimed = this.claimTx.immediate(Math.max(0, limit), leaseMs, token, now);
    const at = (this.q.next.get() as { at: number | null } | undefined)?.at;
    return typeof at === 'number' ? { claimed, nextDueInMs: Math.max(0, at - now) } : { claimed };
  }

  async settle(c: Claimed, s: Settlement): Promise<boolean> {
    if (this.closed) return false;
    const now = this.clock.now();
    const r =
      s.state === 'delivered'
        ? this.q.delivered.run(now, s.result === undefined ? null : JSON.stringify(s.result), c.key, c.token)
        : s.state === 'failed'
          ? this.q.failed.run(now, s.error, c.key, c.token)
          : this.q.retry.run(now + s.delayMs, s.error, c.key, c.token);
    return r.changes === 1;
  }

  async makeAllDue(): Promise<number> {
    return this.q.allDue.run(this.clock.now()).changes;
  }

  async prune(retainMs: number): Promise<number> {
    return this.q.prune.run(this.clock.now() - retainMs).changes;
  }

  async get(key: string): Promise<DeliveryRecord | undefined> {
    const r = this.q.get.get(key) as Row | undefined;
    if (!r) return undefined;
    const rec: DeliveryRecord = {
      key: r.key,
      target: r.target,
      state: r.state,
      attempts: r.attempts,
      createdAt: r.created_at,
    };
    if (r.last_error !== null) rec.lastError = r.last_error;
    const result = parseJson(r.result);
    if (result !== undefined) rec.result = result;
    return rec;
  }

  async stats(maxFailures: number): Promise<OutboxStats> {
    const s: OutboxStats = { pending: 0, delivered: 0, failed: 0, oldestPendingSec: 0, failures: [] };
    for (const { state, n } of this.q.counts.all() as { state: string; n: number }[]) {
      if (state === 'pending' || state === 'delivered' || state === 'failed') s[state] = n;
    }
    const oldest = (this.q.oldest.get() as { at: number | null } | undefined)?.at;
    if (typeof oldest === 'number') s.oldestPendingSec = Math.max(0, Math.floor((this.clock.now() - oldest) / 1000));
    s.failures = (
      this.q.failures.all(maxFailures) as {
        key: string;
        target: string;
        attempts: number;
        last_error: string | null;
        created_at: number;
      }[]
    ).map((r) => ({
      key: r.key,
      target: r.target,
      attempts: r.attempts,
      lastError: r.last_error ?? '',
      since: new Date(r.created_at).toISOString(),
    }));
    return s;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

export interface SqliteOutboxOptions extends OutboxWorkerOptions {
  /** DATA_DIR: created when missing; the database is `<dataDir>/outbox.sqlite`. */
  dataDir: string;
  /** Default 'process' (survives SIGKILL); 'power' survives a power loss too (an fsync per write). */
  durability?: OutboxDurability;
  clock?: Clock;
  logger: Logger;
}

export class SqliteOutbox extends DeliveryOutbox {
  constructor(o: SqliteOutboxOptions) {
    mkdirSync(o.dataDir, { recursive: true });
    super(new SqliteStore(join(o.dataDir, OUTBOX_DB_FILE), o.clock, o.durability), o);
  }
}
