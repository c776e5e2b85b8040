// How often the simulator uses each of the shapes real Kazoo deployments send (issue 9): key styles, number types,
// legs linked late, DESTROYs sharing a Msg-ID, a SIP user name as the first caller name, where Bridge-ID lives.
// Every draw goes through the injected random, so a seeded random gives the same traffic every run.
import { KEY_STYLES, type KeyStyle, type PayloadOptions } from './kazoo-payload.js';

export interface ShapeMix {
  /** Relative weights of the key styles, drawn per call. Default { title: 3, snake: 2, webhooks: 0 }. */
  keyStyles: Record<KeyStyle, number>;
  /** Share of calls whose durations are JSON numbers (mod_kazoo) rather than digit strings (older ecallmgr). */
  numericDurations: number;
  /** Share of answered agent legs whose CREATE has no link to the call; the link comes on ANSWER and BRIDGE. */
  lateLink: number;
  /** Of those, the share whose CREATE carries their own Call-ID as Other-Leg-Call-ID (origination-uuid fallback). */
  lateLinkSelf: number;
  /** Share of calls whose two last DESTROYs (same instant) carry one Msg-ID. */
  sharedDestroyMsgId: number;
  /** Share of legs with a caller name whose CREATE shows the SIP user name (or nothing) instead. */
  sipUserCallerName: number;
  /** Share of calls whose Bridge-ID is inside Custom-Channel-Vars (else at the top level). */
  bridgeIdInCcv: number;
}

export const DEFAULT_SHAPES: ShapeMix = {
  keyStyles: { title: 3, snake: 2, webhooks: 0 },
  numericDurations: 0.5,
  lateLink: 0.3,
  lateLinkSelf: 0.5,
  sharedDestroyMsgId: 0.3,
  sipUserCallerName: 0.3,
  bridgeIdInCcv: 0.5,
};

/** The shapes of docs/call-model.md before issue 9: Title-Case, digit strings, links on CREATE, one Msg-ID per event. */
export const PLAIN_SHAPES: ShapeMix = {
  keyStyles: { title: 1, snake: 0, webhooks: 0 },
  numericDurations: 0,
  lateLink: 0,
  lateLinkSelf: 0,
  sharedDestroyMsgId: 0,
  sipUserCallerName: 0,
  bridgeIdInCcv: 0,
};

export type ShapeOptions = Partial<Omit<ShapeMix, 'keyStyles'>> & { keyStyles?: Partial<Record<KeyStyle, number>> };

export function shapeMix(o: ShapeOptions = {}, forceStyle?: KeyStyle): ShapeMix {
  const keyStyles = forceStyle
    ? { title: 0, snake: 0, webhooks: 0, [forceStyle]: 1 }
    : { ...DEFAULT_SHAPES.keyStyles, ...o.keyStyles };
  return { ...DEFAULT_SHAPES, ...o, keyStyles };
}

/** What one call looks like on the wire, drawn once per call. */
export interface CallDialect {
  style: KeyStyle;
  payload: PayloadOptions;
  sharedDestroyMsgId: boolean;
  bridgeIdInCcv: boolean;
}

export class ShapeDraw {
  constructor(
    readonly mix: ShapeMix,
    private readonly random: () => number,
  ) {}

  chance(p: number): boolean {
    return p > 0 && this.random() < p;
  }

  style(): KeyStyle {
    const total = KEY_STYLES.reduce((s, k) => s + Math.max(0, this.mix.keyStyles[k] ?? 0), 0);
    if (!(total > 0)) return 'title';
    let r = this.random() * total;
    for (const k of KEY_STYLES) if ((r -= Math.max(0, this.mix.keyStyles[k] ?? 0)) < 0) return k;
    return 'title';
  }

  dialect(): CallDialect {
    return {
      style: this.style(),
      payload: { numbers: this.chance(this.mix.numericDurations) ? 'number' : 'string' },
      sharedDestroyMsgId: this.chance(this.mix.sharedDestroyMsgId),
      bridgeIdInCcv: this.chance(this.mix.bridgeIdInCcv),
    };
  }

  /** How an answered agent leg is linked: on CREATE (classic), only later ('late'), or with its own id first ('self'). */
  link(): 'create' | 'late' | 'self' {
    if (!this.chance(this.mix.lateLink)) return 'create';
    return this.chance(this.mix.lateLinkSelf) ? 'self' : 'late';
  }

  /** The SIP user name shown on CREATE instead of the real caller name, or undefined (real name from the start). */
  createName(sipUser: string | undefined): string | undefined {
    if (!this.chance(this.mix.sipUserCallerName)) return undefined;
    return sipUser ?? '';
  }
}
