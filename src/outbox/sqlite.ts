// The single-node outbox: one SQLite file in DATA_DIR (better-sqlite3, loaded only when used), WAL journal. By
// default synchronous=NORMAL: an enqueue that returned is in the WAL and survives a crash of the process (SIGKILL);
// the last ones may be lost if the machine itself loses power. `durability: 'power'` (synchronous=FULL) survives that
// too, at the price of an fsync per write on the event loop (measured: it slowed pops; docs/deploy.md). The file is
// locked for one process (a second one on the same DATA_DIR fails with DataDirLockedError); claims are leases, so a
// restart tries again what the dead process had in flight.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
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
import { type DeliveryRecord, type DeliveryState, OutboxError, type OutboxStats } from './types.js';

/** The part of better-sqlite3's API used here (the package ships no types). */
interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
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
  constructor(message?: string) {
    super(message, 'OUTBOX_STORE_UNAVAILABLE');
  }
}

/** A second process on a DATA_DIR that a live one uses: the bridge exits 1 with this message. */
export class DataDirLockedError extends OutboxError {
  override readonly name = 'DataDirLockedError';
  constructor(message?: string) {
    super(message, 'OUTBOX_DATA_DIR_LOCKED');
  }
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
  stalls INTEGER NOT NULL DEFAULT 0,
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
  // One process per file: an exclusive lock taken now and held while the connection is open; the OS releases it when
  // the process dies (SIGKILL too). So the leases found at start are all of a dead process (makeAllDue may end them).
  const db = new Ctor(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY')
      throw new DataDirLockedError(
        `DATA_DIR ${dirname(file)} is in use by another running bridge (${basename(file)} is locked): one process per DATA_DIR`,
      );
    throw err;
  }
  db.pragma(durability === 'power' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  db.exec(SCHEMA);
  // Files of an older version: the stall count (issue 15 item 7).
  const cols = db.prepare('PRAGMA table_info(outbox)').all() as { name: string }[];
  if (!cols.some((c) => c.name === 'stalls'))
    db.exec('ALTER TABLE outbox ADD COLUMN stalls INTEGER NOT NULL DEFAULT 0');
  return db;
}

export class SqliteStore implements OutboxStore {
  private readonly db: Database;
  private closed = false;
  private readonly q: Record<
    | 'insert'
    | 'replace'
    | 'due'
    | 'lease'
    | 'next'
    | 'get'
    | 'delivered'
    | 'failed'
    | 'retry'
    | 'allDue'
    | 'waiting'
    | 'dueNow'
    | 'prune'
    | 'counts'
    | 'oldest'
    | 'failures',
    Statement
  >;
  private readonly claimTx: {
    immediate(limit: number, leaseMs: number, token: string, now: number, lanes?: LaneLimits): Claimed[];
  };

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
      replace: p(`UPDATE outbox SET payload = ? WHERE key = ? AND state = 'pending' AND lease_until <= ?`),
      due: p(
        `SELECT key, target, payload, attempts, created_at, lease_token, stalls FROM outbox WHERE state = 'pending' AND next_at <= ? AND lease_until <= ? ORDER BY next_at`,
      ),
      lease: p(
        `UPDATE outbox SET attempts = attempts + 1, stalls = stalls + ?, lease_until = ?, lease_token = ? WHERE key = ?`,
      ),
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
      // A delayed job (created_at in the future: enqueue's notBefore) keeps its time.
      allDue: p(
        `UPDATE outbox SET next_at = MIN(next_at, MAX(?, created_at)), lease_until = 0 WHERE state = 'pending'`,
      ),
      waiting: p(
        `SELECT key, target FROM outbox WHERE state = 'pending' AND next_at > ? AND lease_until <= ? AND created_at <= ?`,
      ),
      dueNow: p(`UPDATE outbox SET next_at = ? WHERE key = ? AND state = 'pending'`),
      prune: p(`DELETE FROM outbox WHERE state != 'pending' AND settled_at < ?`),
      counts: p(`SELECT state, COUNT(*) AS n FROM outbox GROUP BY state`),
      oldest: p(`SELECT MIN(created_at) AS at FROM outbox WHERE state = 'pending'`),
      failures: p(
        `SELECT key, target, attempts, last_error, created_at FROM outbox WHERE state = 'failed' ORDER BY settled_at DESC LIMIT ?`,
      ),
    };
    this.claimTx = this.db.transaction(
      (limit: number, leaseMs: number, token: string, now: number, lanes?: LaneLimits) => {
        const rows = this.q.due.iterate(now, now) as IterableIterator<
          Pick<Row, 'key' | 'target' | 'payload' | 'attempts' | 'created_at'> & {
            lease_token: string | null;
            stalls: number;
          }
        >;
        const picked = pickByLane(rows, limit, (r) => laneOf(r.target, r.key), lanes);
        if (typeof rows.return === 'function') rows.return();
        return picked.map(({ row: r, lane }) => {
          const stalled = r.lease_token === null ? 0 : 1; // the last claim never settled
          this.q.lease.run(stalled, now + leaseMs, token, r.key);
          return {
            key: r.key,
            target: r.target,
            payload: parseJson(r.payload) ?? null,
            attempt: r.attempts + 1,
            ageMs: now - r.created_at,
            token,
            lane,
            stalls: r.stalls + stalled,
          };
        });
      },
    );
  }

  async insert(key: string, target: string, payload: string, notBefore?: number): Promise<boolean> {
    const now = Math.max(this.clock.now(), notBefore ?? 0);
    return this.q.insert.run(key, target, payload, now, now).changes === 1;
  }

  async replace(key: string, payload: string): Promise<boolean> {
    return this.q.replace.run(payload, key, this.clock.now()).changes === 1;
  }

  async claim(limit: number, leaseMs: number, token: string, lanes?: LaneLimits): Promise<ClaimBatch> {
    const now = this.clock.now();
    const claimed = this.claimTx.immediate(Math.max(0, limit), leaseMs, token, now, lanes);
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

  async makeLaneDue(lane: string): Promise<number> {
    const now = this.clock.now();
    const rows = this.q.waiting.all(now, now, now) as { key: string; target: string }[];
    const keys = rows.filter((r) => laneOf(r.target, r.key) === lane).map((r) => r.key);
    this.db
      .transaction(() => {
        for (const k of keys) this.q.dueNow.run(now, k);
      })
      .immediate();
    return keys.length;
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
