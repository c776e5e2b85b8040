// The single-node outbox's SQLite file: the better-sqlite3 API used, opening with the one-process lock, the schema,
// and the prepared statements (sqlite.ts SqliteStore runs them).
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import type { OutboxDurability } from './durability.js';
import { type DeliveryState, OutboxError } from './types.js';

/** The part of better-sqlite3's API used here (the package ships no types). */
export interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
export interface Database {
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

export interface Row {
  key: string;
  target: string;
  payload: string | null;
  state: DeliveryState;
  attempts: number;
  created_at: number;
  last_error: string | null;
  result: string | null;
}

export function openDatabase(file: string, durability: OutboxDurability): Database {
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

export type StatementName =
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
  | 'failures';

/** Every statement the store runs, prepared once. */
export function prepareStatements(db: Database): Record<StatementName, Statement> {
  const p = (s: string) => db.prepare(s);
  return {
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
    allDue: p(`UPDATE outbox SET next_at = MIN(next_at, MAX(?, created_at)), lease_until = 0 WHERE state = 'pending'`),
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
}
