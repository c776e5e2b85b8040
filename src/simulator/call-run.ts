// One simulated call in progress: its legs and a scenario clock. Each method emits one Kazoo event through the
// injected emitter, with the leg's current links (Other-Leg-Call-ID, Bridge-ID) and durations at DESTROY.
// The clock advances by the waits, so durations are right even when the delay is instant (tests).
import { newLegId, type ChannelEventName, type EventFields, type LegSpec } from './kazoo-payload.js';

export interface Leg {
  readonly spec: LegSpec;
  readonly createdAt: number;
  answeredAt?: number;
  otherLegCallId?: string;
  bridgeId?: string;
  destroyedAt?: number;
  hangupCause?: string;
}

export interface CallRunContext {
  /** Publishes one event; returns when it has been handed over. */
  emit(name: ChannelEventName, leg: Leg, fields: EventFields): void;
  delay(ms: number): Promise<void>;
  now(): number;
}

export type LegInit = Omit<LegSpec, 'callId' | 'accountId' | 'realm'> & { callId?: string };

export class CallRun {
  readonly legs: Leg[] = [];
  private readonly t0: number;
  private elapsed = 0;

  constructor(
    private readonly ctx: CallRunContext,
    private readonly org: { accountId: string; realm: string },
  ) {
    this.t0 = ctx.now();
  }

  /** Scenario time: wall time, but never behind the sum of the waits so far. */
  get at(): number {
    return Math.max(this.ctx.now(), this.t0 + this.elapsed);
  }

  get rootId(): string {
    return this.legs[0]?.spec.callId ?? '';
  }

  async wait(ms: number): Promise<void> {
    const d = Math.max(0, ms);
    await this.ctx.delay(d);
    this.elapsed += d;
  }

  create(init: LegInit, otherLegCallId?: string): Leg {
    const spec: LegSpec = { ...init, callId: init.callId ?? newLegId(), accountId: this.org.accountId, realm: this.org.realm };
    const leg: Leg = { spec, createdAt: this.at, otherLegCallId };
    this.legs.push(leg);
    this.ctx.emit('CHANNEL_CREATE', leg, { at: leg.createdAt, otherLegCallId });
    return leg;
  }

  answer(leg: Leg): void {
    leg.answeredAt = this.at;
    this.ctx.emit('CHANNEL_ANSWER', leg, { at: leg.answeredAt, otherLegCallId: leg.otherLegCallId, disposition: 'ANSWER' });
  }

  /** The leg is answered by the bridge without its own CHANNEL_ANSWER (billing counts from here). */
  markAnswered(leg: Leg): void {
    leg.answeredAt ??= this.at;
  }

  /** `a` BRIDGE (Other-Leg = b) then `b` BRIDGE (Other-Leg = a), both with Bridge-ID = the call's root leg. */
  bridge(a: Leg, b: Leg): void {
    const at = this.at;
    const bridgeId = this.rootId;
    for (const [x, y] of [[a, b], [b, a]] as const) {
      x.otherLegCallId = y.spec.callId;
      x.bridgeId = bridgeId;
      this.ctx.emit('CHANNEL_BRIDGE', x, { at, otherLegCallId: x.otherLegCallId, bridgeId, disposition: 'ANSWER' });
    }
  }

  destroy(leg: Leg, hangupCause: string): void {
    if (leg.destroyedAt !== undefined) return;
    const at = this.at;
    leg.destroyedAt = at;
    leg.hangupCause = hangupCause;
    const sec = (ms: number) => Math.round(ms / 1000);
    this.ctx.emit('CHANNEL_DESTROY', leg, {
      at,
      otherLegCallId: leg.otherLegCallId,
      bridgeId: leg.bridgeId,
      disposition: leg.answeredAt !== undefined ? 'ANSWER' : undefined,
      hangupCause,
      durationSec: sec(at - leg.createdAt),
      billingSec: leg.answeredAt !== undefined ? sec(at - leg.answeredAt) : 0,
      ringingSec: sec((leg.answeredAt ?? at) - leg.createdAt),
    });
  }

  /** Seconds between two scenario instants. */
  static seconds(fromMs: number, toMs: number): number {
    return Math.max(0, Math.round((toMs - fromMs) / 1000));
  }
}
