// Test clocks. `FakeClock`: virtual time whose timers fire only when the test moves time on. `trackingClock`: real
// time whose timers are NOT unref'd and are counted, so a test can assert that stop() released every one.
import type { Clock } from '../../src/clock.js';

interface FakeTimer {
  id: number;
  at: number;
  delay: number;
  fn: () => void;
}

/** Lets pending promise callbacks (and a few rounds of chained ones) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

export interface FakeClockOptions {
  /** Set when the code under test must not start timers: setTimeout then throws this message. */
  noTimers?: string;
}

export class FakeClock implements Clock {
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();
  /** Every delay ever passed to setTimeout, in order. */
  readonly delays: number[] = [];

  constructor(
    public t = 1_700_000_000_000,
    private readonly options: FakeClockOptions = {},
  ) {}

  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    if (this.options.noTimers !== undefined) throw new Error(this.options.noTimers);
    const id = ++this.seq;
    this.timers.set(id, { id, at: this.t + Math.max(0, ms), delay: ms, fn });
    this.delays.push(ms);
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.timers.delete(h as number);
  };

  /** How many timers are still pending. */
  get pending(): number {
    return this.timers.size;
  }
  /** Delays of the timers still pending, soonest first. */
  pendingDelays(): number[] {
    return this.ordered().map((t) => t.delay);
  }
  nextAt(): number | undefined {
    return this.ordered()[0]?.at;
  }

  /** Moves time forward, firing due timers in order, synchronously (no promise gets to settle in between). */
  advanceSync(ms: number): void {
    const end = this.t + ms;
    for (let due = this.dueBy(end); due; due = this.dueBy(end)) this.fire(due);
    this.t = end;
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.dueBy(end);
      if (!due) break;
      this.fire(due);
    }
    this.t = end;
    await flush();
  }

  /** Fires the next timer (time jumps to it). */
  async fireNext(): Promise<void> {
    const at = this.nextAt();
    if (at === undefined) throw new Error('no pending timer');
    await this.advance(at - this.t);
  }

  private ordered(): FakeTimer[] {
    return [...this.timers.values()].sort((a, b) => a.at - b.at || a.id - b.id);
  }
  private dueBy(end: number): FakeTimer | undefined {
    const first = this.ordered()[0];
    return first && first.at <= end ? first : undefined;
  }
  private fire(due: FakeTimer): void {
    this.timers.delete(due.id);
    this.t = Math.max(this.t, due.at);
    due.fn();
  }
}

/** A real-time Clock whose timers are ref'd (a leak keeps the process alive) and tracked: `live` must be empty after stop(). */
export function trackingClock(): Clock & { live: Set<unknown> } {
  const live = new Set<unknown>();
  return {
    live,
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const h = setTimeout(() => {
        live.delete(h);
        fn();
      }, ms);
      live.add(h);
      return h;
    },
    clearTimeout(h) {
      live.delete(h);
      clearTimeout(h as NodeJS.Timeout);
    },
  };
}
