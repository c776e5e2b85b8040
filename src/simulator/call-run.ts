// One simulated call in progress: its legs and a scenario clock. Each method emits one Kazoo event through the
// injected emitter, with the leg's current links (Other-Leg-Call-ID and the other leg's Other-Leg-* fields,
// Bridge-ID, Bridge-B-Unique-ID), Channel-Created-Time, a microsecond Msg-ID and durations at DESTROY.
// A leg created with link 'late' or 'self' shows no link (or its own Call-ID) until its ANSWER (issue 9 item 4).
// The clock advances by the waits, so durations are right even when the delay is instant (tests).
import {
  type ChannelEventName,
  type EventFields,
  type LegSpec,
  microsMsgId,
  newLegId,
  type OtherLegInfo,
} from './kazoo-payload.js';

export interface Leg {
  readonly spec: LegSpec;
  readonly createdAt: number;
  answeredAt?: number;
  otherLegCallId?: string;
  /** The link a late-linked leg will show from its ANSWER on. */
  pendingOtherLegCallId?: string;
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

export interface CallRunOptions {
  /** Bridge-ID inside Custom-Channel-Vars rather than at the top level. */
  bridgeIdInCcv?: boolean;
}

export type LegInit = Omit<LegSpec, 'callId' | 'accountId' | 'realm'> & { callId?: string };
/** How a leg's CREATE shows its link: as Kazoo usually does, not at all, or with the leg's own Call-ID. */
export type LinkOnCreate = 'create' | 'late' | 'self';

export class CallRun {
  readonly legs: Leg[] = [];
  private readonly t0: number;
  private elapsed = 0;

  constructor(
    private readonly ctx: CallRunContext,
    private readonly org: { accountId: string; realm: string },
    private readonly opts: CallRunOptions = {},
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

  create(init: LegInit, otherLegCallId?: string, link: LinkOnCreate = 'create'): Leg {
    const spec: LegSpec = {
      ...init,
      callId: init.callId ?? newLegId(),
      accountId: this.org.accountId,
      realm: this.org.realm,
    };
    const late = otherLegCallId !== undefined && link !== 'create';
    const leg: Leg = {
      spec,
      createdAt: this.at,
      otherLegCallId: late ? undefined : otherLegCallId,
      pendingOtherLegCallId: late ? otherLegCallId : undefined,
    };
    this.legs.push(leg);
    const shown = late ? (link === 'self' ? spec.callId : undefined) : otherLegCallId;
    this.emit('CHANNEL_CREATE', leg, {
      at: leg.createdAt,
      otherLegCallId: shown,
      otherLeg: shown === otherLegCallId ? this.info(shown) : undefined,
    });
    return leg;
  }

  answer(leg: Leg): void {
    leg.answeredAt = this.at;
    this.link(leg);
    this.emit('CHANNEL_ANSWER', leg, {
      at: leg.answeredAt,
      otherLegCallId: leg.otherLegCallId,
      otherLeg: this.info(leg.otherLegCallId),
      disposition: 'ANSWER',
    });
  }

  /** The leg is answered by the bridge without its own CHANNEL_ANSWER (billing counts from here). */
  markAnswered(leg: Leg): void {
    leg.answeredAt ??= this.at;
  }

  /** `a` BRIDGE (Other-Leg = b, Bridge-B-Unique-ID = b) then `b` BRIDGE (Other-Leg = a), Bridge-ID = the root leg. */
  bridge(a: Leg, b: Leg): void {
    const at = this.at;
    const bridgeId = this.rootId;
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      x.pendingOtherLegCallId = undefined;
      x.otherLegCallId = y.spec.callId;
      x.bridgeId = bridgeId;
      this.emit('CHANNEL_BRIDGE', x, {
        at,
        otherLegCallId: x.otherLegCallId,
        otherLeg: this.info(x.otherLegCallId),
        bridgeId,
        bridgeIdInCcv: this.opts.bridgeIdInCcv,
        bridgeBUniqueId: x === a ? b.spec.callId : undefined,
        disposition: 'ANSWER',
      });
    }
  }

  /** Emits the leg's DESTROY (once); returns its Msg-ID (pass it to another DESTROY to share it). */
  destroy(leg: Leg, hangupCause: string, msgId?: string): string | undefined {
    if (leg.destroyedAt !== undefined) return undefined;
    const at = this.at;
    leg.destroyedAt = at;
    leg.hangupCause = hangupCause;
    this.link(leg);
    const sec = (ms: number) => Math.round(ms / 1000);
    const id = msgId ?? microsMsgId(at);
    this.emit('CHANNEL_DESTROY', leg, {
      at,
      msgId: id,
      otherLegCallId: leg.otherLegCallId,
      otherLeg: this.info(leg.otherLegCallId),
      bridgeId: leg.bridgeId,
      bridgeIdInCcv: this.opts.bridgeIdInCcv,
      disposition: leg.answeredAt !== undefined ? 'ANSWER' : undefined,
      hangupCause,
      durationSec: sec(at - leg.createdAt),
      billingSec: leg.answeredAt !== undefined ? sec(at - leg.answeredAt) : 0,
      billingMs: leg.answeredAt !== undefined ? Math.max(0, Math.round(at - leg.answeredAt)) : 0,
      ringingSec: sec((leg.answeredAt ?? at) - leg.createdAt),
    });
    return id;
  }

  /** Seconds between two scenario instants. */
  static seconds(fromMs: number, toMs: number): number {
    return Math.max(0, Math.round((toMs - fromMs) / 1000));
  }

  private emit(name: ChannelEventName, leg: Leg, f: EventFields): void {
    this.ctx.emit(name, leg, { createdAt: leg.createdAt, ...f });
  }

  private link(leg: Leg): void {
    if (leg.pendingOtherLegCallId === undefined) return;
    leg.otherLegCallId = leg.pendingOtherLegCallId;
    leg.pendingOtherLegCallId = undefined;
  }

  /** The Other-Leg-* fields of a leg of this call. */
  private info(id: string | undefined): OtherLegInfo | undefined {
    const o = id === undefined ? undefined : this.legs.find((l) => l.spec.callId === id);
    if (!o) return undefined;
    const s = o.spec;
    return {
      direction: s.direction,
      callerIdName: s.callerIdName ?? s.callerIdNumber,
      callerIdNumber: s.callerIdNumber,
      destinationNumber: s.calleeIdNumber,
    };
  }
}
