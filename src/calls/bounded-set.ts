// A set of strings that remembers at most `capacity` entries: the oldest added is forgotten first (FIFO).
// Used for Msg-ID de-duplication, leg ids of ended calls and known extensions.

export class BoundedSet {
  private readonly set = new Set<string>();
  private readonly ring: string[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  has(key: string): boolean {
    return this.set.has(key);
  }

  add(key: string): void {
    this.addNew(key);
  }

  /** Adds the key; false when it was there already (has() and add() at once: one lookup, not three). */
  addNew(key: string): boolean {
    if (this.capacity <= 0) return true;
    const size = this.set.size;
    this.set.add(key);
    if (this.set.size === size) return false;
    if (this.ring.length < this.capacity) {
      this.ring.push(key);
    } else {
      this.set.delete(this.ring[this.next]);
      this.ring[this.next] = key;
      this.next = (this.next + 1) % this.capacity;
    }
    return true;
  }

  get size(): number {
    return this.set.size;
  }
}
