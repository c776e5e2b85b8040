// One call's publishing step in the call gate (gate.ts runs it on a push or a tick): a standby without the call's
// root leg only prunes what the owner marked done; an owner it trusts (gate-trust.ts) publishes at once; otherwise it
// claims the call (gate-claim.ts, one round trip with the pending updates' done marks) and, on a won claim (new,
// mine, or a take-over from an owner whose heartbeat lapsed), publishes in order every pending update not marked
// done. Once the call ended, its owner key is shortened to the done marks' lifetime.
import { errText } from '../shared/errors.js';
import { CLAIM } from './gate-claim.js';
import type { CallGateOptions, CallGateStats } from './gate-options.js';
import type { Entry, Slot } from './gate-slot.js';
import type { OwnerTrust } from './gate-trust.js';

/** The gate's running counts (its stats() without the calls and pending figures). */
export type GateCounters = Omit<CallGateStats, 'calls' | 'pending'>;

/** What the publishing step reads of its gate. */
export interface GatePublishContext {
  o: CallGateOptions;
  trust: OwnerTrust;
  counters: GateCounters;
  ownerTtlMs: number;
  doneTtlMs: number;
  now: () => number;
  stopped: () => boolean;
  active: () => boolean;
  /** When this node's current lease term (and its engine) started. */
  termStart: () => number;
}

export class GatePublisher {
  constructor(private readonly c: GatePublishContext) {}

  async process(s: Slot): Promise<void> {
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    const { redis, keys, nodeId } = this.c.o;
    try {
      do {
        s.again = false;
        if (!s.pending.length || this.c.stopped() || !this.c.active()) break;
        if (!s.complete) {
          // Standby only: prune what the owner marked done; never claim.
          const snapshot = s.pending.slice();
          const done = await redis.mget(snapshot.map((e) => keys.done(e.id)));
          const doneIds = new Set(snapshot.filter((_, i) => done[i] !== null).map((e) => e.id));
          s.pending = s.pending.filter((e) => !doneIds.has(e.id));
          break;
        }
        if (this.c.trust.trusts(s)) {
          // Nobody takes a call over from a live heartbeat, and ours was written moments ago (by the claim or the
          // lease hold) and outlives the trust by the time the broadcast needs. Published in order, as after a claim
          // answering 'mine'.
          this.forwardAll(s, s.pending.splice(0));
          await this.shortenAfterEnd(s);
          continue;
        }
        // The done marks are read with the claim unless this node already owns the call (it published them itself).
        const snapshot = s.owner === 'me' ? [] : s.pending.slice();
        const sentAt = this.c.now();
        const r = (await redis.eval(
          CLAIM,
          1 + snapshot.length,
          keys.owner(s.callId),
          ...snapshot.map((e) => keys.done(e.id)),
          nodeId,
          this.c.ownerTtlMs,
          keys.nodePrefix(),
          this.c.o.heartbeatTtlMs,
          s.deferNew ? '1' : '0',
          keys.terms(),
          this.c.termStart(),
        )) as [number, string, ...number[]];
        const doneIds = new Set(snapshot.filter((_, i) => Number(r[i + 2]) === 1).map((e) => e.id));
        if (Number(r[0]) === 1) {
          const wasMine = s.owner === 'me';
          let batch = s.pending.splice(0);
          if (!wasMine && batch.length) {
            const before = batch.length;
            // Updates pushed while the claim was on its way were not in the snapshot: read their marks too.
            const known = new Set(snapshot.map((e) => e.id));
            const late = batch.filter((e) => !known.has(e.id));
            const lateDone = late.length ? await redis.mget(late.map((e) => keys.done(e.id))) : [];
            late.forEach((e, i) => {
              if (lateDone[i] !== null) doneIds.add(e.id);
            });
            batch = batch.filter((e) => !doneIds.has(e.id));
            this.c.counters.skippedDone += before - batch.length;
          }
          if (r[1] === 'takeover') {
            this.c.counters.takeovers++;
            this.c.o.logger.info({ callId: s.callId, republish: batch.length }, 'took over a call');
          }
          s.owner = 'me';
          s.ownerId = nodeId;
          s.claimedAt = s.keySetAt = sentAt;
          s.keyTtlMs = this.c.ownerTtlMs;
          s.shortened = false;
          this.c.trust.heartbeat(sentAt);
          if (this.c.stopped() || !this.c.active()) break;
          this.forwardAll(s, batch);
          await this.shortenAfterEnd(s);
        } else {
          if (r[1] === '') this.c.counters.deferred++;
          s.owner = 'other';
          s.ownerId = r[1] || undefined;
          s.pending = s.pending.filter((e) => !doneIds.has(e.id));
          for (const e of snapshot)
            if (doneIds.has(e.id) && e.update.audience.kind === 'call' && e.update.state === 'ended') s.ended = true;
          break;
        }
      } while (s.again || (s.owner === 'me' && s.pending.length > 0));
    } catch (err) {
      this.c.o.logger.debug(
        { callId: s.callId, err: errText(err) },
        'call gate: redis unavailable; updates kept pending',
      );
    } finally {
      s.running = false;
    }
  }

  /** Once the call ended, its owner key lives only as long as the done marks (once; a later claim lengthens it). */
  private async shortenAfterEnd(s: Slot): Promise<void> {
    if (!s.ended || s.shortened) return;
    const ttl = Math.min(this.c.ownerTtlMs, this.c.doneTtlMs);
    const at = this.c.now();
    await this.c.o.redis.pexpire(this.c.o.keys.owner(s.callId), ttl);
    s.shortened = true;
    s.keySetAt = at;
    s.keyTtlMs = ttl;
  }

  private forwardAll(s: Slot, batch: Entry[]): void {
    for (const e of batch) {
      if (e.update.audience.kind === 'call' && e.update.state === 'ended') s.ended = true;
      this.c.counters.forwarded++;
      try {
        this.c.o.forward(e.update);
      } catch (err) {
        this.c.o.logger.error({ callId: s.callId, err: errText(err) }, 'forwarding a call update failed');
      }
    }
  }
}
