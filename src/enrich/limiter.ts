// A small concurrency cap: at most `max` tasks run at once, the rest wait in FIFO order (bounded).
import { coded } from '../shared/error-catalogue.js';

export class LimiterFullError extends coded('ENRICH_LIMITER_FULL') {
  override readonly name = 'LimiterFullError';
  constructor(readonly maxQueued: number) {
    super(`too many requests waiting (${maxQueued})`);
  }
}

export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly max: number,
    readonly maxQueued = 10_000,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be an integer >= 1');
  }

  get running(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) {
      this.active++;
    } else {
      if (this.waiting.length >= this.maxQueued) throw new LimiterFullError(this.maxQueued);
      // The releasing task hands its slot over: `active` stays counted for us.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
