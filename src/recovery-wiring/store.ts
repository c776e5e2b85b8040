// Where a tenant's recoveries are kept across restarts (issue 18): the recovery records themselves (one per tenant
// and missed number, keyed by id). The AntBot work they cause runs as delayed outbox jobs (jobs.ts); this store is
// what those jobs read and write. Memory (tests, demo), SQLite in DATA_DIR (one node), Redis (cluster).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Recovery } from '../recovery/types.js';

export interface RecoveryStore {
  /** Every kept recovery (active ones and those closed in the last days). */
  load(): Promise<Recovery[]>;
  /** The current record (another node may have written it). */
  get(id: string): Promise<Recovery | undefined>;
  /** Writes `r` when the stored record's revision is still `expectedRev` (0: none stored), true; false when another
   * writer (another node) got there first. Durable when the promise resolves. */
  put(r: Recovery, expectedRev: number): Promise<boolean>;
  /** Forgets recoveries closed before `before` (unix ms). */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}

const revOf = (r: Recovery | undefined) => r?.rev ?? 0;
const closedBefore = (r: Recovery, before: number) => r.closedAt !== undefined && r.closedAt < before;

function parse(text: string): Recovery | undefined {
  try {
    const r = JSON.parse(text) as Recovery;
    return r && typeof r.id === 'string' && typeof r.number === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

export class MemoryRecoveryStore implements RecoveryStore {
  private readonly rows = new Map<string, string>();
  async load(): Promise<Recovery[]> {
    return [...this.rows.values()].map(parse).filter((r): r is Recovery => r !== undefined);
  }
  async get(id: string): Promise<Recovery | undefined> {
    const t = this.rows.get(id);
    return t === undefined ? undefined : parse(t);
  }
  async put(r: Recovery, expectedRev: number): Promise<boolean> {
    if (revOf(await this.get(r.id)) !== expectedRev) return false;
    this.rows.set(r.id, JSON.stringify(r));
    return true;
  }
  async prune(before: number): Promise<number> {
    let n = 0;
    for (const r of await this.load()) if (closedBefore(r, before) && this.rows.delete(r.id)) n++;
    return n;
  }
  async close(): Promise<void> {}
}

interface Db {
  prepare(sql: string): { run(...a: unknown[]): { changes: number }; all(...a: unknown[]): unknown[] };
  exec(sql: string): void;
  pragma(s: string): unknown;
  close(): void;
}

export const RECOVERY_DB_FILE = 'recoveries.sqlite';

/** One SQLite file in DATA_DIR (next to the outbox's), synchronous writes. */
export class SqliteRecoveryStore implements RecoveryStore {
  private readonly db: Db;
  private closed = false;
  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    const Ctor = createRequire(import.meta.url)('better-sqlite3') as new (f: string) => Db;
    this.db = new Ctor(join(dataDir, RECOVERY_DB_FILE));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS recoveries (id TEXT PRIMARY KEY, body TEXT NOT NULL, closed_at INTEGER)');
  }
  async load(): Promise<Recovery[]> {
    const rows = this.db.prepare('SELECT body FROM recoveries').all() as { body: string }[];
    return rows.map((x) => parse(x.body)).filter((r): r is Recovery => r !== undefined);
  }
  async get(id: string): Promise<Recovery | undefined> {
    const row = this.db.prepare('SELECT body FROM recoveries WHERE id = ?').all(id)[0] as { body: string } | undefined;
    return row ? parse(row.body) : undefined;
  }
  async put(r: Recovery, expectedRev: number): Promise<boolean> {
    // One process per DATA_DIR (the outbox's lock): read and write are not interleaved with another writer.
    if (revOf(await this.get(r.id)) !== expectedRev) return false;
    this.db
      .prepare('INSERT OR REPLACE INTO recoveries (id, body, closed_at) VALUES (?, ?, ?)')
      .run(r.id, JSON.stringify(r), r.closedAt ?? null);
    return true;
  }
  async prune(before: number): Promise<number> {
    return this.db.prepare('DELETE FROM recoveries WHERE closed_at IS NOT NULL AND closed_at < ?').run(before).changes;
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

// KEYS: the hash. ARGV: id, body, expected revision, new revision, the change channel. Compare-and-set on the stored
// body's `rev` (0: none); a write tells every node on the channel (`<id> <rev>`), in the same step.
const PUT_LUA = `local cur = redis.call('HGET', KEYS[1], ARGV[1])
local rev = 0
if cur then
  local ok, o = pcall(cjson.decode, cur)
  if ok and type(o) == 'table' and tonumber(o.rev) then rev = tonumber(o.rev) end
end
if rev ~= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[5], ARGV[1] .. ' ' .. ARGV[4])
return 1`;

/** A change notice of the Redis store: the recovery's id and its new revision. */
export function parseRecoveryNotice(message: string): { id: string; rev: number } | undefined {
  const i = message.lastIndexOf(' ');
  const rev = Number(message.slice(i + 1));
  return i > 0 && Number.isInteger(rev) && rev > 0 ? { id: message.slice(0, i), rev } : undefined;
}

/** Cluster: one Redis hash per tenant (`<prefix>recoveries`), field = recovery id; each write is announced on
 *  `channel` (parseRecoveryNotice). */
export class RedisRecoveryStore implements RecoveryStore {
  private readonly key: string;
  readonly channel: string;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}recoveries`;
    this.channel = `${prefix}recoveries:changed`;
  }
  async load(): Promise<Recovery[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.values(all)
      .map(parse)
      .filter((r): r is Recovery => r !== undefined);
  }
  async get(id: string): Promise<Recovery | undefined> {
    const t = await this.redis.hget(this.key, id);
    return t === null ? undefined : parse(t);
  }
  async put(r: Recovery, expectedRev: number): Promise<boolean> {
    const done = await this.redis.eval(
      PUT_LUA,
      1,
      this.key,
      r.id,
      JSON.stringify(r),
      expectedRev,
      r.rev ?? expectedRev + 1,
      this.channel,
    );
    return Number(done) === 1;
  }
  async prune(before: number): Promise<number> {
    const gone = (await this.load()).filter((r) => closedBefore(r, before)).map((r) => r.id);
    return gone.length ? this.redis.hdel(this.key, ...gone) : 0;
  }
  async close(): Promise<void> {}
}
