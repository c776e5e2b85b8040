// When the owner of a call may publish its next updates without claiming it again (gate.ts). A call is taken over
// only from an owner whose heartbeat lapsed, and claimed `new` only when its owner key is gone. So while this node's
// heartbeat has been live without a gap since it won the call, was written less than `trustMs` ago (the rest of its
// lifetime covers the enrichment and the broadcast), and the owner key is in the first half of its life, nobody else
// can own the call: a claim would answer 'mine'. Every heartbeat write counts: a won claim writes it, and so does the
// lease hold (tenant-leases.ts), about three times per heartbeat lifetime.

/** What the gate knows of its own claim of a call. */
export interface OwnedCall {
  owner: 'me' | 'other' | 'unknown';
  /** When this node last won the claim. */
  claimedAt: number;
  /** The owner key lives at least until keySetAt + keyTtlMs (its last write, by a won claim or the shortening at the
   *  call's end, was sent at keySetAt). */
  keySetAt: number;
  keyTtlMs: number;
}

export class OwnerTrust {
  /** When the latest write of this node's heartbeat known to have succeeded was sent. */
  private heartbeatAt = 0;
  /** Since when this node's heartbeat has been live without a gap, as far as this node knows. */
  private aliveSince = 0;

  constructor(private readonly o: { heartbeatTtlMs: number; trustMs: number; now: () => number }) {}

  /** A new term (the lease came or went): nothing known. */
  reset(): void {
    this.heartbeatAt = 0;
    this.aliveSince = 0;
  }

  /** A write of the heartbeat sent at `sentAt` succeeded (answered now). It continues the unbroken run of heartbeats
   *  only if it was answered (so written) before the previous one could have lapsed; otherwise a run starts at it. */
  heartbeat(sentAt: number): void {
    if (this.o.now() >= this.heartbeatAt + this.o.heartbeatTtlMs) this.aliveSince = sentAt;
    if (sentAt > this.heartbeatAt) this.heartbeatAt = sentAt;
  }

  trusts(c: OwnedCall): boolean {
    if (c.owner !== 'me' || this.o.trustMs <= 0) return false;
    const now = this.o.now();
    return (
      c.claimedAt >= this.aliveSince && now < c.keySetAt + c.keyTtlMs / 2 && now < this.heartbeatAt + this.o.trustMs
    );
  }
}
