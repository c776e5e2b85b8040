// The demo traffic's random draws (traffic.ts schedules the calls): which kind of call comes next by the mix's
// weights, durations, and the customer who calls: from the seed, some with one CRM contact, some stored in legacy
// form, some matching several, some unknown; some show a caller-ID name (Vietnamese, sometimes with an emoji).
import { type CallerProfile, callerProfiles, type SimData } from './data.js';

export interface TrafficMix {
  queue: number;
  direct: number;
  clickToCall: number;
  internal: number;
  deskDialOut: number;
  featureCode: number;
}

export const DEFAULT_MIX: TrafficMix = {
  queue: 6,
  direct: 1.5,
  clickToCall: 1.5,
  internal: 1,
  deskDialOut: 1,
  featureCode: 0.5,
};
const EMOJI = ['🌸', '⭐', '😀', '🏍️', '☕'];

export class TrafficDice {
  readonly groups: {
    single: CallerProfile[];
    legacy: CallerProfile[];
    multiple: CallerProfile[];
    unknown: CallerProfile[];
  };

  constructor(
    private readonly mix: TrafficMix,
    data: SimData,
    private readonly random: () => number,
  ) {
    const all = callerProfiles(data.contacts);
    this.groups = {
      single: all.filter((p) => p.records.length === 1 && !p.legacy),
      legacy: all.filter((p) => p.legacy),
      multiple: all.filter((p) => p.records.length > 1),
      unknown: all.filter((p) => p.records.length === 0),
    };
  }

  pickKind(): keyof TrafficMix {
    const entries = Object.entries(this.mix) as [keyof TrafficMix, number][];
    const total = entries.reduce((s, [, w]) => s + Math.max(0, w), 0);
    let r = this.random() * total;
    for (const [k, w] of entries) if ((r -= Math.max(0, w)) < 0) return k;
    return 'queue';
  }

  between([min, max]: [number, number]): number {
    return Math.round(min + this.random() * (max - min));
  }

  pick<T>(xs: T[]): T {
    return xs[Math.floor(this.random() * xs.length)];
  }

  customerProfile(): CallerProfile {
    const r = this.random();
    const g =
      r < 0.45
        ? this.groups.single
        : r < 0.6
          ? this.groups.legacy
          : r < 0.75
            ? this.groups.multiple
            : this.groups.unknown;
    return this.pick(g.length ? g : this.groups.unknown);
  }

  customer(): string {
    return this.customerProfile().number;
  }

  /** The caller-ID name a customer's carrier sends: often none, else the person's name, sometimes with an emoji. */
  callerName(p: CallerProfile): string | undefined {
    const r = this.random();
    const name = p.records[0]?.name ?? 'Khách hàng';
    if (r < 0.4) return undefined;
    return r < 0.75 ? name : `${name} ${this.pick(EMOJI)}`;
  }
}
