// Exactly-once publishing across hot-standby nodes. Every upstream holder feeds every event to its own (deterministic)
// CallEngine and hands the updates here. Per call, one node owns the publishing (claimed in Redis on the call's first
// event, atomically with a Lua script); the other holders keep the updates pending until the owner marks them done.
// When the owner's heartbeat key lapses (the node died or lost Redis), the next holder to look takes the call over and
// publishes, in order, every pending update not marked done, then the call's later updates.
// Round trips: the owner claims again only once its trust lapses (gate-trust.ts: its heartbeat live without a gap since
// the claim); a standby reads its owners' heartbeats once per tick and claims (take-over, or pruning what is done)
// only a call whose owner's heartbeat lapsed or whose oldest pending update is `standbyPruneMs` old.
// Update ids are deterministic across nodes (update-id.ts). A call whose root leg may belong to a call this engine did
// not see begin is claimed first by the holder whose engine started first (gate-claim.ts).
// This file: the calls tracked (bounded), the lease term, and when a call is re-checked (on a push, or by the tick);
// one call's step (prune, claim, take over, publish in order) is in gate-publish.ts.
import { mayJoinEarlierCall } from '../calls/provisional.js';
import type { CallUpdate } from '../calls/types.js';
import { errText } from '../shared/errors.js';
import { dropTerm, writeTerm } from './gate-claim.js';
import type { CallGateOptions, CallGateStats, TaggedUpdate } from './gate-options.js';
import { type GateCounters, GatePublisher } from './gate-publish.js';
import { newSlot, type Slot } from './gate-slot.js';
import { type GateTickable, GateTicker } from './gate-ticker.js';
import { OwnerTrust } from './gate-trust.js';
import { type GateEvent, updateId } from './update-id.js';

export type { CallGateOptions, CallGateStats, TaggedUpdate };
export { type GateEvent, updateId };

export class CallGate implements GateTickable {
  private readonly calls = new Map<string, Slot>();
  /** Legs whose CHANNEL_CREATE this engine saw (bounded, oldest first): a call is complete when its root leg is here.
   *  The value: that CREATE may be of a call started before the engine (mayJoinEarlierCall). */
  private readonly createdLegs = new Map<string, boolean>();
  /** When this node's current lease term (and its engine) started. */
  private termStart = 0;
  private readonly now: () => number;
  private readonly ownerTtlMs: number;
  private readonly doneTtlMs: number;
  private readonly maxPending: number;
  private readonly maxAgeMs: number;
  private readonly maxCalls: number;
  private readonly trust: OwnerTrust;
  private readonly standbyPruneMs: number;
  /** A check of the owners' heartbeats is on its way (tick). */
  private checkingOwners = false;
  /** The process-wide ticker (or the gate's own, without `o.ticker`): ticks this gate only while it tracks calls. */
  private readonly ticker: GateTicker;
  private readonly ownTicker: boolean;
  private started = false;
  private stopped = false;
  /** The term's lifetime in Redis (renewed with the lease hold: term()). */
  private readonly termTtlMs: number;
  /** This node holds an upstream lease (only then does it claim calls). */
  private active = false;
  private readonly counters: GateCounters = { forwarded: 0, skippedDone: 0, takeovers: 0, dropped: 0, deferred: 0 };
  /** One call's publishing step: prune, claim, take over, publish in order (gate-publish.ts). */
  private readonly publisher: GatePublisher;

  constructor(private readonly o: CallGateOptions) {
    this.now = o.now ?? Date.now;
    this.ownerTtlMs = o.ownerTtlMs ?? 3_600_000;
    this.doneTtlMs = o.doneTtlMs ?? 120_000;
    this.maxPending = Math.max(1, o.maxPendingPerCall ?? 500);
    this.maxAgeMs = o.maxPendingAgeMs ?? this.doneTtlMs;
    this.maxCalls = Math.max(1, o.maxCalls ?? 50_000);
    this.trust = new OwnerTrust({
      heartbeatTtlMs: o.heartbeatTtlMs,
      trustMs: Math.max(0, Math.min(o.ownerTrustMs ?? o.heartbeatTtlMs / 2, (o.heartbeatTtlMs * 2) / 3)),
      now: this.now,
    });
    this.standbyPruneMs = Math.max(0, o.standbyPruneMs ?? 5000);
    this.termTtlMs = Math.max(10 * o.heartbeatTtlMs, 60_000);
    this.ownTicker = !o.ticker;
    this.ticker = o.ticker ?? new GateTicker(o.tickMs !== undefined ? { tickMs: o.tickMs } : {});
    this.publisher = new GatePublisher({
      o,
      trust: this.trust,
      counters: this.counters,
      ownerTtlMs: this.ownerTtlMs,
      doneTtlMs: this.doneTtlMs,
      now: () => this.now(),
      stopped: () => this.stopped,
      active: () => this.active,
      termStart: () => this.termStart,
    });
  }

  /** From now on the calls tracked are re-checked periodically (by the ticker, only while there are some). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    if (this.calls.size) this.ticker.wake(this);
  }

  stop(): void {
    this.stopped = true;
    if (this.ownTicker) this.ticker.close();
    else this.ticker.forget(this);
    this.calls.clear();
    this.createdLegs.clear();
  }

  /** The lease came or went: forget every call (a new engine starts from scratch). */
  setActive(active: boolean): void {
    const was = this.active;
    this.active = active;
    this.trust.reset();
    this.calls.clear();
    this.createdLegs.clear();
    if (active) {
      this.termStart = this.now();
      this.writeTerm();
    } else if (was) {
      dropTerm(this.o.redis, this.o.keys, this.o.nodeId).catch((err: unknown) => {
        this.o.logger.debug({ err: errText(err) }, 'could not drop the lease term');
      });
    }
  }

  /** This node's heartbeat was renewed by a command sent at `sentAt` (tenant-leases.ts, with the hold): the heartbeat
   *  lives until at least sentAt + heartbeatTtlMs, and no call of this node can be taken over before it lapses. */
  heartbeat(sentAt: number): void {
    if (this.active) this.trust.heartbeat(sentAt);
  }

  stats(): CallGateStats {
    let pending = 0;
    for (const s of this.calls.values()) pending += s.pending.length;
    return { calls: this.calls.size, pending, ...this.counters };
  }

  /** The updates one upstream event produced (engine output, in order); `event` undefined = the engine's sweep. */
  push(event: GateEvent | undefined, updates: CallUpdate[]): void {
    if (this.stopped || !this.active) return;
    if (event?.name === 'CHANNEL_CREATE' && event.legId) {
      this.createdLegs.set(event.legId, mayJoinEarlierCall(event));
      if (this.createdLegs.size > this.maxCalls * 4)
        this.createdLegs.delete(this.createdLegs.keys().next().value as string);
    }
    const touched = new Set<Slot>();
    const perCall = new Map<string, number>();
    for (const u of updates) {
      const s = this.slot(u.callId);
      if (s.counter === 0 && this.createdLegs.has(u.callId)) {
        s.complete = true;
        s.deferNew = this.createdLegs.get(u.callId) === true;
      }
      s.counter++;
      const index = perCall.get(u.callId) ?? 0;
      perCall.set(u.callId, index + 1);
      const id = (event && updateId(event, u.callId, index)) ?? `${u.callId}:c${s.counter}`;
      s.pending.push({ id, update: { ...u, clusterUpdateId: id }, at: this.now() });
      if (s.pending.length > this.maxPending) {
        s.pending.shift();
        this.counters.dropped++;
      }
      s.lastAt = this.now();
      touched.add(s);
    }
    if (touched.size && this.started) this.ticker.wake(this);
    // A call another node owns is re-checked by the tick, not on every event.
    for (const s of touched) if (s.owner !== 'other' && s.complete) void this.process(s);
  }

  /** The publisher emitted this update (in this tick: its broadcast is held for the end of the tick): mark it done
   *  for the other holders, in the broadcast's Redis script (`marks`). */
  published(u: { clusterUpdateId?: string }): void {
    const id = u.clusterUpdateId;
    if (!id || this.stopped) return;
    const key = this.o.keys.done(id);
    (this.o.marks?.mark(key, this.doneTtlMs) ?? this.o.redis.set(key, '1', 'PX', this.doneTtlMs)).catch(
      (err: unknown) => {
        this.o.logger.warn({ err: errText(err) }, 'could not mark an update done');
      },
    );
  }

  private slot(callId: string): Slot {
    let s = this.calls.get(callId);
    if (s) {
      this.calls.delete(callId);
      this.calls.set(callId, s);
      return s;
    }
    s = newSlot(callId, this.now());
    this.calls.set(callId, s);
    while (this.calls.size > this.maxCalls) {
      const [k, old] = this.calls.entries().next().value as [string, Slot];
      this.counters.dropped += old.pending.length;
      this.calls.delete(k);
    }
    return s;
  }

  private process(s: Slot): Promise<void> {
    return this.publisher.process(s);
  }

  /** This holder's term while it holds: written on activation, then renewed in the lease hold's own round trip
   *  (tenant-leases.ts), so an idle gate needs no tick and no command of its own to keep it. */
  term(): { since: number; ttlMs: number } | undefined {
    return this.active && !this.stopped ? { since: this.termStart, ttlMs: this.termTtlMs } : undefined;
  }

  private writeTerm(): void {
    writeTerm(this.o.redis, this.o.keys, this.o.nodeId, this.termStart, this.termTtlMs).catch((err: unknown) => {
      this.o.logger.debug({ err: errText(err) }, 'could not write the lease term');
    });
  }

  /** The periodic work (GateTicker): re-check the calls with pending updates, drop stale ones, forget finished
   *  calls. Answers whether calls are still tracked (otherwise the ticker drops this gate until the next push). */
  tick(): boolean {
    if (this.stopped) return false;
    const now = this.now();
    const byOwner = new Map<string, Slot[]>();
    for (const s of [...this.calls.values()]) {
      const before = s.pending.length;
      s.pending = s.pending.filter((e) => now - e.at <= this.maxAgeMs);
      this.counters.dropped += before - s.pending.length;
      if (s.pending.length) {
        // Another live node owns it: nothing to take over, and pruning what it marked done can wait.
        const owner = s.owner === 'other' && s.complete ? s.ownerId : undefined;
        if (owner && now - (s.pending[0]?.at ?? now) < this.standbyPruneMs) {
          const list = byOwner.get(owner);
          if (list) list.push(s);
          else byOwner.set(owner, [s]);
        } else void this.process(s);
      } else if (!s.running && now - s.lastAt > (s.ended ? this.doneTtlMs / 2 : this.maxAgeMs * 10)) {
        this.calls.delete(s.callId);
      }
    }
    if (byOwner.size) void this.recheckIfOwnerDied(byOwner);
    return this.calls.size > 0;
  }

  /** One command per tick for the calls other nodes own: their owners' heartbeats. A call whose owner's heartbeat
   *  lapsed is claimed (take-over: the pending updates not marked done, in order); the others wait. */
  private async recheckIfOwnerDied(byOwner: Map<string, Slot[]>): Promise<void> {
    if (this.checkingOwners) return;
    this.checkingOwners = true;
    const owners = [...byOwner.keys()];
    try {
      const alive = await this.o.redis.mget(owners.map((id) => `${this.o.keys.nodePrefix()}${id}`));
      owners.forEach((id, i) => {
        if (alive[i] === null) for (const s of byOwner.get(id) ?? []) void this.process(s);
      });
    } catch (err) {
      this.o.logger.debug({ err: errText(err) }, 'call gate: could not read the owners’ heartbeats');
    } finally {
      this.checkingOwners = false;
    }
  }
}
