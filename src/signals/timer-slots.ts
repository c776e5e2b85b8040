// Named one-shot timers on an injectable Clock: one handle per slot, so clearAll() really clears everything.
import type { Clock } from '../clock.js';

export class TimerSlots<K extends string> {
  private readonly handles = new Map<K, unknown>();

  constructor(private readonly clock: Clock) {}

  /** (Re)arms a slot: an earlier timer in the same slot is cleared. */
  set(key: K, ms: number, fn: () => void): void {
    this.clear(key);
    const handle: unknown = this.clock.setTimeout(
      () => {
        if (this.handles.get(key) !== handle) return;
        this.handles.delete(key);
        fn();
      },
      Math.max(0, ms),
    );
    this.handles.set(key, handle);
  }

  has(key: K): boolean {
    return this.handles.has(key);
  }

  clear(key: K): void {
    const handle = this.handles.get(key);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.handles.delete(key);
  }

  clearAll(except: readonly K[] = []): void {
    for (const key of [...this.handles.keys()]) if (!except.includes(key)) this.clear(key);
  }

  get size(): number {
    return this.handles.size;
  }
}
