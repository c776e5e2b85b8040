// A node's presence in the cluster: a heartbeat key while it holds a lease (other holders take over its calls once
// it lapses) and at most one
// of N upstream lease slots (SET NX PX, renewed by compare-and-pexpire). Only lease holders subscribe upstream, so
// the AntRing account sees N subscriptions whatever the number of nodes (Kazoo limits sockets per account).
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import type { ClusterKeys } from './keys.js';

// Renew; a lease key that vanished (Redis restarted without persistence) is taken again rather than given up.
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface MembershipOptions {
  redis: Redis;
  keys: ClusterKeys;
  nodeId: string;
  /** Upstream lease slots (nodes holding the AntRing subscription). Default 2. */
  upstreamNodes?: number;
  /** Lease lifetime without renewal; default 5000 ms. */
  leaseTtlMs?: number;
  /** Heartbeat key lifetime; default 3000 ms. */
  heartbeatTtlMs?: number;
  /** Tick period (heartbeat, renewal, acquisition); default 1000 ms. */
  tickMs?: number;
  logger: Logger;
  /** This node got a lease: start the upstream subscription. */
  onAcquire: (slot: number) => void;
  /** This node lost (or gave back) its lease: stop the upstream subscription. */
  onRelease: (slot: number, why: string) => void;
  now?: () => number;
}

export class Membership {
  private slot: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private acquiring = true;
  private stopping: Promise<void> | undefined;
  /** No new lease before this (after Redis came back, the previous holders re-take their slots first). */
  private graceUntil = 0;
  private readyOnce = false;
  private readonly onReady = () => {
    if (this.readyOnce) this.graceUntil = this.now() + this.leaseTtlMs;
    this.readyOnce = true;
  };
  private readonly now: () => number;
  private readonly n: number;
  private readonly leaseTtlMs: number;
  private readonly hbTtlMs: number;

  constructor(private readonly o: MembershipOptions) {
    this.now = o.now ?? Date.now;
    this.n = Math.max(1, o.upstreamNodes ?? 2);
    this.leaseTtlMs = o.leaseTtlMs ?? 5000;
    this.hbTtlMs = o.heartbeatTtlMs ?? 3000;
  }

  start(): void {
    if (this.timer || this.stopping) return;
    if (this.o.redis.status === 'ready') this.readyOnce = true;
    this.o.redis.on('ready', this.onReady);
    this.timer = setInterval(() => void this.tick(), this.o.tickMs ?? 1000);
    this.timer.unref();
    void this.tick();
  }

  /** The upstream lease slot held, if any. */
  get upstreamSlot(): number | undefined {
    return this.slot;
  }

  /** Shutting down: take no new lease (the current one is given back by stop()). */
  stopAcquiring(): void {
    this.acquiring = false;
  }

  async tick(): Promise<void> {
    if (this.ticking || this.stopping) return;
    this.ticking = true;
    const { redis, keys, nodeId } = this.o;
    try {
      if (this.slot !== undefined) {
        const ok = Number(await redis.eval(RENEW, 1, keys.upstream(this.slot), nodeId, this.leaseTtlMs));
        if (ok !== 1) this.lose('lease taken by another node');
      }
      if (this.slot === undefined && this.acquiring && !this.stopping && this.now() >= this.graceUntil) {
        for (let s = 0; s < this.n; s++) {
          const r = await redis.set(keys.upstream(s), nodeId, 'PX', this.leaseTtlMs, 'NX');
          if (r === 'OK') {
            this.slot = s;
            this.o.logger.info({ node: nodeId, slot: s }, 'upstream lease acquired');
            this.o.onAcquire(s);
            break;
          }
        }
      }
      if (this.slot !== undefined) await redis.set(keys.node(nodeId), '1', 'PX', this.hbTtlMs);
    } catch (err) {
      // Redis unreachable: keep the lease and the subscription (nobody can take the lease without Redis either, and
      // the gate keeps the updates pending until Redis is back). If Redis comes back with the lease taken, the
      // next renewal says so and the subscription stops then.
      this.o.logger.warn({ err: errText(err), holding: this.slot !== undefined }, 'cluster membership tick failed');
    } finally {
      this.ticking = false;
    }
  }

  private lose(why: string): void {
    const s = this.slot;
    if (s === undefined) return;
    this.slot = undefined;
    this.o.logger.warn({ node: this.o.nodeId, slot: s, why }, 'upstream lease lost');
    this.o.onRelease(s, why);
    // No heartbeat without a lease: the other holders take over this node's calls at once.
    this.o.redis.del(this.o.keys.node(this.o.nodeId)).catch(() => undefined);
  }

  /** Give back the lease and the heartbeat (other nodes take over at once). Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= this.doStop());
  }

  private async doStop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.o.redis.off('ready', this.onReady);
    const s = this.slot;
    this.slot = undefined;
    if (s !== undefined) this.o.onRelease(s, 'stopping');
    try {
      if (s !== undefined) await this.o.redis.eval(RELEASE, 1, this.o.keys.upstream(s), this.o.nodeId);
      await this.o.redis.del(this.o.keys.node(this.o.nodeId));
    } catch (err) {
      this.o.logger.warn({ err: errText(err) }, 'could not give back the upstream lease (it expires by itself)');
    }
  }
}
