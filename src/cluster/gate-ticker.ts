// One ticker per process for every tenant's call gate (contract §8.6: a tenant with no traffic has no timer firing
// more often than its polls). A gate joins the ticker when it tracks a call (wake) and leaves it when its tick says
// it has nothing left to re-check; the timer runs only while some gate has work. So an idle tenant's gate costs
// nothing per tick: no timer, no Redis round trip, not even a call.
import { type Clock, systemClock } from '../clock.js';

/** What the ticker drives: `tick()` does the periodic work and answers whether there is still some. */
export interface GateTickable {
  tick(): boolean;
}

export interface GateTickerOptions {
  /** Period of the re-checks (take-over, pruning of done updates, forgetting finished calls); default 500 ms. */
  tickMs?: number;
  clock?: Clock;
}

export class GateTicker {
  private readonly due = new Set<GateTickable>();
  private readonly tickMs: number;
  private readonly clock: Clock;
  private timer: unknown;
  private closed = false;

  constructor(o: GateTickerOptions = {}) {
    this.tickMs = Math.max(1, o.tickMs ?? 500);
    this.clock = o.clock ?? systemClock;
  }

  /** A gate has work (a call to re-check or forget): it is ticked from the next tick on until it has none. */
  wake(g: GateTickable): void {
    if (this.closed) return;
    this.due.add(g);
    this.arm();
  }

  /** A gate stopped: never ticked again. */
  forget(g: GateTickable): void {
    this.due.delete(g);
    if (!this.due.size) this.disarm();
  }

  /** Gates with work (the ones the next tick runs). */
  get size(): number {
    return this.due.size;
  }

  /** One round over the gates with work; those left without any leave the ticker. Exposed for tests. */
  tick(): void {
    for (const g of [...this.due]) if (!g.tick()) this.due.delete(g);
  }

  close(): void {
    this.closed = true;
    this.due.clear();
    this.disarm();
  }

  private arm(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      try {
        this.tick();
      } finally {
        if (this.due.size) this.arm();
      }
    }, this.tickMs);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
