// The single-node outbox: one SQLite file in DATA_DIR (better-sqlite3, loaded only when used), WAL journal. By
// default synchronous=NORMAL: an enqueue that returned is in the WAL and survives a crash of the process (SIGKILL);
// the last ones may be lost if the machine itself loses power. `durability: 'power'` (synchronous=FULL) survives that
// too, at the price of an fsync per write on the event loop (measured: it slowed pops; docs/deploy.md). The file is
// locked for one process (a second one on the same DATA_DIR fails with DataDirLockedError); claims are leases, so a
// restart tries again what the dead process had in flight. The file itself (lock, schema, statements): sqlite-db.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import type { OutboxDurability } from './durability.js';
import { laneOf } from './keys.js';
import { DeliveryOutbox, type OutboxWorkerOptions } from './outbox.js';
import {
  type Database,
  OUTBOX_DB_FILE,
  openDatabase,
  prepareStatements,
  type Row,
  type Statement,
  type StatementName,
} from './sqlite-db.js';
import {
  type ClaimBatch,
  type Claimed,
  type LaneLimits,
  type OutboxStore,
  parseJson,
  pickByLane,
  type Settlement,
} from './store.js';
import type { DeliveryRecord, OutboxStats } from './types.js';

export { DataDirLockedError, OUTBOX_DB_FILE, OutboxStoreError } from './sqlite-db.js';

export class SqliteStore implements OutboxStore {
  private readonly db: Database;
  private closed = false;
  private readonly q: Record<StatementName, Statement>;
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
    this.q = prepareStatements(this.db);
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
