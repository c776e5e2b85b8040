// Label values from outside (frame types, reject reasons, states, targets) made safe for Prometheus, defined once:
// a value that is not a short plain token becomes `invalid`, and each kind keeps at most MAX_LABEL_VALUES distinct
// values (then `other`), so no input can grow a series without bound.

/** Every series of the bridge starts with this. */
export const METRICS_PREFIX = 'antring_bridge_';

/** How many distinct values one label kind may take before the rest are counted as `other`. */
export const MAX_LABEL_VALUES = 64;
const LABEL_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

export class LabelGuard {
  private readonly seen = new Map<string, Set<string>>();

  /** A safe, bounded value of the label `kind`. */
  label(kind: string, value: string): string {
    const v = typeof value === 'string' && LABEL_RE.test(value) ? value : 'invalid';
    let set = this.seen.get(kind);
    if (!set) this.seen.set(kind, (set = new Set()));
    if (set.has(v)) return v;
    if (set.size >= MAX_LABEL_VALUES) return 'other';
    set.add(v);
    return v;
  }
}
