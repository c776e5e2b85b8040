// Test doubles shared by the antring-* tests: a fake clock that tracks its timers, and a log capture.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';
import type { Clock } from '../../src/clock.js';

interface FakeTimer { id: number; at: number; delay: number; fn: () => void }

export class FakeClock implements Clock {
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();
  /** Every delay ever passed to setTimeout, in order. */
  readonly delays: number[] = [];
  constructor(public t = 1_700_000_000_000) {}

  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { id, at: this.t + ms, delay: ms, fn });
    this.delays.push(ms);
    return id;
  };
  clearTimeout = (h: unknown): void => {
    this.timers.delete(h as number);
  };

  get pending(): number {
    return this.timers.size;
  }
  /** Delays of the timers still pending, soonest first. */
  pendingDelays(): number[] {
    return [...this.timers.values()].sort((a, b) => a.at - b.at).map((t) => t.delay);
  }
  nextAt(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers.values()) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = [...this.timers.values()].filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers.delete(due.id);
      this.t = Math.max(this.t, due.at);
      due.fn();
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
}

/** Lets pending promise callbacks (and a few rounds of chained ones) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Waits for a condition, polling, with a deadline (no fixed sleeps). */
export async function waitFor(cond: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A real pino logger (the app's createLogger, redaction included) writing into a string. */
export function captureLogger(level = 'trace'): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger(level, stream), text: () => chunks.join('') };
}

export const silentLogger = (): Logger => createLogger('silent');
