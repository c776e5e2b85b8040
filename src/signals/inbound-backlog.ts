// The queue between reading frames and parsing them: packets wait here and are processed in slices of a few
// milliseconds, each slice in its own turn of the event loop (setImmediate), so that a burst of heavy frames never
// holds up timers, heartbeat replies or the watchdog. Bounded: beyond maxItems a packet is refused (onOverflow).

import type { Logger } from '../log.js';
import { errSummary } from '../shared/errors.js';

export interface InboundBacklogOptions<T> {
  process: (item: T) => void;
  onOverflow: (item: T) => void;
  logger: Logger;
  /** Longest stretch of processing before yielding to the loop (default 8 ms). */
  sliceMs?: number;
  /** Most packets waiting at once (default 10,000). */
  maxItems?: number;
  /** Monotonic ms (default performance.now). */
  now?: () => number;
}

export const DEFAULT_SLICE_MS = 4;
export const DEFAULT_MAX_BACKLOG = 10_000;

export class InboundBacklog<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  private immediate?: NodeJS.Immediate;
  private readonly sliceMs: number;
  private readonly maxItems: number;
  private readonly now: () => number;
  private slices = 0;
  /** The turn's callback, made once (not a closure per frame: at ~100 frames/s each frame starts a turn). */
  private readonly drainTurn = (): void => this.drain();

  constructor(private readonly opts: InboundBacklogOptions<T>) {
    this.sliceMs = opts.sliceMs ?? DEFAULT_SLICE_MS;
    this.maxItems = opts.maxItems ?? DEFAULT_MAX_BACKLOG;
    this.now = opts.now ?? (() => performance.now());
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** How many slices have run (tests: a burst must take more than one). */
  get sliceCount(): number {
    return this.slices;
  }

  push(item: T): void {
    if (this.size >= this.maxItems) {
      this.opts.onOverflow(item);
      return;
    }
    this.items.push(item);
    this.immediate ??= setImmediate(this.drainTurn);
  }

  /** Drops everything waiting and the pending turn. */
  clear(): void {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.items = [];
    this.head = 0;
  }

  private drain(): void {
    this.immediate = undefined;
    this.slices += 1;
    const until = this.now() + this.sliceMs;
    while (this.head < this.items.length) {
      const item = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head += 1;
      try {
        this.opts.process(item);
      } catch (err) {
        this.opts.logger.error({ err: errSummary(err) }, 'signal backlog handler threw');
      }
      if (this.now() >= until) break;
    }
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
    } else {
      if (this.head > 1024) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.immediate = setImmediate(this.drainTurn);
    }
  }
}
