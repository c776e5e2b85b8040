// Token expiry of connected sockets, with one timer per distinct deadline instead of one per socket: tokens minted
// together (a shift logging in) share a deadline, so thousands of sockets cost a handful of timers and a Set entry
// each. A deadline past setTimeout's ceiling is re-armed when the ceiling elapses. Pure apart from the injected Clock.
import type { Clock } from '../clock.js';

/** setTimeout's ceiling; a later deadline is re-checked when this elapses. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ExpirySchedule<T> {
  /** Expire `item` at `atMs` (unix ms); at or before now: at once, synchronously. */
  add(item: T, atMs: number): void;
  /** Forget `item` (give the deadline it was added with). */
  remove(item: T, atMs: number): void;
  /** Items waiting (tests, metrics). */
  readonly size: number;
  /** Clears every timer; idempotent. */
  close(): void;
}

export function createExpirySchedule<T>(clock: Clock, onExpire: (item: T) => void): ExpirySchedule<T> {
  const due = new Map<number, { items: Set<T>; timer: unknown }>();
  let size = 0;
  let closed = false;

  const arm = (atMs: number): unknown => {
    const delay = Math.min(Math.max(0, atMs - clock.now()), MAX_TIMER_MS);
    return clock.setTimeout(() => fire(atMs), delay);
  };

  function fire(atMs: number): void {
    const slot = due.get(atMs);
    if (!slot || closed) return;
    if (atMs > clock.now()) {
      slot.timer = arm(atMs);
      return;
    }
    due.delete(atMs);
    size -= slot.items.size;
    for (const item of slot.items) onExpire(item);
  }

  return {
    add(item, atMs) {
      if (closed) return;
      if (atMs <= clock.now()) {
        onExpire(item);
        return;
      }
      let slot = due.get(atMs);
      if (!slot) {
        slot = { items: new Set(), timer: undefined };
        due.set(atMs, slot);
        slot.timer = arm(atMs);
      }
      if (!slot.items.has(item)) {
        slot.items.add(item);
        size++;
      }
    },
    remove(item, atMs) {
      const slot = due.get(atMs);
      if (!slot?.items.delete(item)) return;
      size--;
      if (slot.items.size === 0) {
        clock.clearTimeout(slot.timer);
        due.delete(atMs);
      }
    },
    get size() {
      return size;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const slot of due.values()) clock.clearTimeout(slot.timer);
      due.clear();
      size = 0;
    },
  };
}
