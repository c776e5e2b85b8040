// One tenant's upstream holding on this node (contract §8.5). Which nodes should hold it is decided by the node
// (cluster/node.ts: rendezvous hashing over the live nodes, tenants/hrw.ts); this object acts on it at each tick:
// - assigned and not holding: take the hold (start the subscription);
// - holding: renew the hold and the heartbeat the gate watches (a dead holder's calls are taken over when it lapses);
// - holding but no longer assigned: make before break. Give the hold back only once every assigned node holds, and
//   once this engine has no live call (or after `handoverMs`): a node that joined mid-call cannot publish the calls it
//   did not see start, so the old holders publish them to the end.
// The holders are a sorted set per tenant, scored by when each hold lapses (Redis time), so every node can list them.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import type { ClusterKeys } from './keys.js';

// KEYS[1] holders, KEYS[2] this node's heartbeat for the tenant, KEYS[3] the gate's terms hash. ARGV: '1' hold /
// '0' give back / '' read, node id, hold ttl, heartbeat ttl, this node's gate term ('' none), its ttl. Returns the
// live holders. The term rides on the renewal: no round trip of its own, and no gate tick needed to keep it.
const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[1] == '1' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 4)
  if ARGV[5] ~= '' then
    redis.call('HSET', KEYS[3], ARGV[2], ARGV[5])
    redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[6]))
  end
elseif ARGV[1] == '0' then
  redis.call('ZREM', KEYS[1], ARGV[2])
  redis.call('DEL', KEYS[2])
end
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

export interface TenantLeasesOptions {
  redis: Redis;
  keys: ClusterKeys;
  nodeId: string;
  org: string;
  /** A hold's lifetime without renewal. */
  leaseTtlMs: number;
  /** The tenant heartbeat's lifetime (the gate takes over a holder's calls once it lapses). */
  heartbeatTtlMs: number;
  /** A node no longer assigned gives the hold back after this even with live calls; default 30 000 ms. */
  handoverMs?: number;
  logger: Logger;
  onAcquire(): void;
  onRelease(why: string): void;
  /** Live calls in this node's engine (a holder leaving waits for them). */
  busy?(): boolean;
  /** The gate's term while it is active (gate.ts term()): renewed with each hold. */
  term?(): { since: number; ttlMs: number } | undefined;
  /** A hold renewed this node's heartbeat; `sentAt`: when its command was sent (gate.ts heartbeat()). */
  heartbeat?(sentAt: number): void;
  now?: () => number;
}

/** What the node tells each tenant at a tick. */
export interface LeaseTick {
  /** The nodes that should hold this tenant, best-ranked first. */
  assigned: readonly string[];
  /** Right after Redis came back: keep what is held, take and give back nothing (the holders re-register first). */
  grace: boolean;
}

export class TenantLeases {
  private holding = false;
  private acquiring = true;
  private leavingSince: number | undefined;
  private seenHolders: string[] = [];
  private assigned: readonly string[] = [];
  private stopping?: Promise<void>;
  private readonly now: () => number;

  constructor(private readonly o: TenantLeasesOptions) {
    this.now = o.now ?? Date.now;
  }

  get holds(): boolean {
    return this.holding;
  }

  /** The holders seen at the last tick (GET /api/tenants). */
  holders(): string[] {
    return [...this.seenHolders];
  }

  /** The first of the assigned nodes polls the dashboard for everyone (every node computes the same). */
  leads(): boolean {
    return this.assigned[0] === this.o.nodeId;
  }

  stopAcquiring(): void {
    this.acquiring = false;
  }

  async tick(t: LeaseTick): Promise<void> {
    if (this.stopping) return;
    this.assigned = t.assigned;
    const { nodeId } = this.o;
    const wanted = this.acquiring && t.assigned.includes(nodeId);
    try {
      if (this.holding) {
        if (!wanted && !t.grace && this.mayLeave(t.assigned)) {
          await this.hold('0');
          this.lose('not assigned');
          return;
        }
        if (wanted) this.leavingSince = undefined;
        await this.hold('1');
        return;
      }
      if (wanted && !t.grace) {
        await this.hold('1');
        this.holding = true;
        this.leavingSince = undefined;
        this.o.logger.info({ node: nodeId, org: this.o.org }, 'upstream lease acquired');
        this.o.onAcquire();
        return;
      }
      await this.hold('');
    } catch (err) {
      // Redis unreachable: keep what is held (the gate keeps the updates pending until Redis is back).
      this.o.logger.warn({ err: errText(err), holding: this.holding }, 'tenant lease tick failed');
    }
  }

  /** Give the hold back (others take over at once). Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      if (!this.holding) return;
      this.lose('stopping');
      await this.hold('0').catch((err: unknown) =>
        this.o.logger.warn({ err: errText(err) }, 'could not give back the upstream hold (it lapses by itself)'),
      );
    })());
  }

  private mayLeave(assigned: readonly string[]): boolean {
    const others = assigned.filter((n) => n !== this.o.nodeId);
    if (!others.every((n) => this.seenHolders.includes(n))) return false;
    this.leavingSince ??= this.now();
    return !this.o.busy?.() || this.now() - this.leavingSince >= (this.o.handoverMs ?? 30_000);
  }

  private async hold(op: '1' | '0' | ''): Promise<void> {
    const { redis, keys, nodeId } = this.o;
    const term = op === '1' ? this.o.term?.() : undefined;
    const sentAt = this.now();
    const r = (await redis.eval(
      HOLD,
      3,
      keys.holders(),
      keys.node(nodeId),
      keys.terms(),
      op,
      nodeId,
      this.o.leaseTtlMs,
      this.o.heartbeatTtlMs,
      term ? String(term.since) : '',
      term ? term.ttlMs : 0,
    )) as string[];
    this.seenHolders = Array.isArray(r) ? r.map(String).sort() : [];
    if (op === '1') this.o.heartbeat?.(sentAt);
  }

  private lose(why: string): void {
    if (!this.holding) return;
    this.holding = false;
    this.leavingSince = undefined;
    this.o.logger.info({ node: this.o.nodeId, org: this.o.org, why }, 'upstream lease lost');
    this.o.onRelease(why);
  }
}
