// The call engine: Kazoo leg events in, per-audience call updates out (docs/call-model.md).
// Pure: no I/O, no timers. Time comes with the events (LegEvent.at) and with sweep(nowMs).
import type { AgentRef } from '../contract.js';
import { isChannelEventName } from '../shared/channel-events.js';
import type { LegEvent } from '../signals/types.js';
import { BoundedSet } from './bounded-set.js';
import { type Call, dropLeg, newCall, rebuild } from './call.js';
import { noteFarLeg, type PlacedCalls } from './click-to-call.js';
import { CustomerCallIndex } from './customer-index.js';
import type { CallEngineOptions, CallEngineStats } from './engine-options.js';
import { type Leg, placeholderLeg } from './leg.js';
import { applyLegEvent } from './leg-event.js';
import { type LinkIndex, linkedIds, linkLate } from './link.js';
import { provisionalCall } from './provisional.js';
import type { AgentDirectory, CallUpdate } from './types.js';
import { CallUpdateBuilder } from './updates.js';
import { callEnded } from './views.js';

export type { PlacedCalls } from './click-to-call.js';
export type { CallEngineOptions, CallEngineStats } from './engine-options.js';

function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

export class CallEngine {
  private readonly org: string;
  private readonly directory: AgentDirectory;
  private readonly ringTimeoutMs: number;
  private readonly maxCallMs: number;
  private readonly maxCalls: number;
  private readonly maxLegsPerCall: number;
  /** Live calls by callId, least recently updated first. */
  private readonly calls = new Map<string, Call>();
  private readonly legIndex = new Map<string, Call>();
  /** Live calls by their customer's number: where an unlinked agent leg looks for its call. */
  private readonly customers = new CustomerCallIndex();
  private readonly customerCalls = (number: string) =>
    this.customers.candidates(number, (c) => this.calls.get(c.id) === c);
  private readonly msgIds: BoundedSet;
  private readonly endedLegs: BoundedSet;
  private lastAt = 0;
  private readonly counters: CallEngineStats = {
    duplicates: 0,
    otherOrg: 0,
    lateIgnored: 0,
    forgotten: 0,
    invalid: 0,
    legOverflow: 0,
    merged: 0,
  };
  private readonly placed?: PlacedCalls;
  private readonly updates: CallUpdateBuilder;
  /** An agent's leg was seen: their extensions are known (made once, not a closure per event). */
  private readonly onAgent = (agent: AgentRef): void => this.updates.rememberExtensions(agent);
  private readonly linkIndex: LinkIndex = {
    callOf: (legId) => this.legIndex.get(legId),
    isEnded: (legId) => this.endedLegs.has(legId),
    addLeg: (call, legId, at) => this.addLeg(call, legId, at),
    absorbed: (keep, gone, at) => this.absorbed(keep, gone, at),
    moved: (legId, into, at) => {
      this.legIndex.set(legId, into);
      this.touch(into, at);
    },
    refresh: (call, receivedAt, out) => this.emit(call, receivedAt, out),
  };

  constructor(opts: CallEngineOptions) {
    this.org = opts.org;
    this.directory = opts.directory;
    this.ringTimeoutMs = opts.ringTimeoutMs ?? 10 * 60_000;
    this.maxCallMs = opts.maxCallMs ?? 6 * 3_600_000;
    this.maxCalls = Math.max(1, opts.maxCalls ?? 20_000);
    this.maxLegsPerCall = Math.max(2, opts.maxLegsPerCall ?? 64);
    this.msgIds = new BoundedSet(opts.dedupeSize ?? 50_000);
    this.endedLegs = new BoundedSet(opts.endedMemory ?? 50_000);
    this.placed = opts.placed;
    this.updates = new CallUpdateBuilder(this.org, this.directory);
  }

  get liveCalls(): number {
    return this.calls.size;
  }

  stats(): CallEngineStats {
    return { ...this.counters };
  }

  /** Sizes of everything the engine remembers (all bounded). */
  memory(): { calls: number; legs: number; msgIds: number; endedLegs: number; customerCalls: number } {
    return {
      calls: this.calls.size,
      legs: this.legIndex.size,
      msgIds: this.msgIds.size,
      endedLegs: this.endedLegs.size,
      customerCalls: this.customers.size,
    };
  }

  /** The updates this event causes, in order. Never throws on odd input (counted as invalid). */
  apply(event: LegEvent): CallUpdate[] {
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.legId !== 'string' ||
      event.legId === '' ||
      !isChannelEventName(event.name)
    ) {
      this.counters.invalid++;
      return [];
    }
    if (typeof event.accountId === 'string' && event.accountId !== '' && event.accountId !== this.org) {
      this.counters.otherOrg++;
      return [];
    }
    if (typeof event.msgId === 'string' && event.msgId !== '') {
      // Kazoo's Msg-ID is the event's microsecond timestamp: two legs' events can share it. A delivery is
      // identified by the leg, the event name and the id together.
      const key = `${event.legId}\u0000${event.name}\u0000${event.msgId}`;
      if (!this.msgIds.addNew(key)) {
        this.counters.duplicates++;
        return [];
      }
    }
    const at = finite(event.at) ? event.at : this.lastAt;
    this.lastAt = at;
    const receivedAt = finite(event.receivedAt) ? event.receivedAt : 0;
    const out: CallUpdate[] = [];

    let call = this.legIndex.get(event.legId);
    let leg: Leg | undefined;
    if (call) {
      leg = call.legs.get(event.legId)!;
      if (leg.end !== undefined) {
        // Never backwards: nothing happens to a leg after its DESTROY.
        this.counters.lateIgnored++;
        return [];
      }
    } else {
      if (this.endedLegs.has(event.legId) || this.pointsAtEnded(event)) {
        this.counters.lateIgnored++;
        this.endedLegs.add(event.legId);
        return [];
      }
      const joined = this.joinedCall(event);
      // An unlinked agent leg joins the one live customer call from its caller number (docs/call-model.md).
      const guessed = joined ? undefined : provisionalCall(event, at, this.customerCalls, this.directory, this.placed);
      call = joined ?? guessed ?? this.startCall(event, at, receivedAt, out);
      leg = call.legs.get(event.legId) ?? this.addLeg(call, event.legId, at);
      if (!leg) {
        this.counters.legOverflow++;
        return out;
      }
      if (guessed) leg.provisional = true;
    }
    this.touch(call, at);
    applyLegEvent(call, leg, event, at, this.directory, this.placed, this.onAgent);
    // An API click-to-call told by its far leg: the agent's pickup no longer answers the call (facts recomputed).
    if (noteFarLeg(call, leg)) rebuild(call, call.root);
    call = linkLate(this.linkIndex, call, leg, event, at, receivedAt, out);
    this.customers.note(call);
    this.emit(call, receivedAt, out);
    return out;
  }

  /** Forgets calls per the spec: ended with hangupCause BRIDGE_LOST_TRACK and no outcome. */
  sweep(nowMs: number, receivedAt: number = performance.now()): CallUpdate[] {
    const out: CallUpdate[] = [];
    for (const call of [...this.calls.values()]) {
      const waiting = call.answeredAt === undefined || callEnded(call);
      if (nowMs - call.firstAt >= this.maxCallMs || (waiting && nowMs - call.lastEventAt >= this.ringTimeoutMs)) {
        this.forget(call, nowMs, receivedAt, out);
      }
    }
    return out;
  }

  /** A leg joins the call of the leg it points at (Other-Leg-Call-ID, then Bridge-ID); transitive by the index. */
  private joinedCall(event: LegEvent): Call | undefined {
    for (const id of linkedIds(event)) {
      const call = this.legIndex.get(id);
      if (call) return call;
    }
    return undefined;
  }

  private pointsAtEnded(event: LegEvent): boolean {
    return linkedIds(event).some((id) => !this.legIndex.has(id) && this.endedLegs.has(id));
  }

  /**
   * A leg that points at nothing known starts a call. A CREATE's Other-Leg-Call-ID names the leg that caused
   * it: when that leg is not seen yet (events out of order) it becomes the root, so the callId stays the same.
   */
  private startCall(event: LegEvent, at: number, receivedAt: number, out: CallUpdate[]): Call {
    const other = event.otherLegId;
    const rootId =
      event.name === 'CHANNEL_CREATE' && typeof other === 'string' && other !== '' && other !== event.legId
        ? other
        : event.legId;
    while (this.calls.size >= this.maxCalls) {
      const oldest = this.calls.values().next().value as Call;
      this.forget(oldest, at, receivedAt, out);
    }
    const call = newCall(rootId, at);
    this.calls.set(rootId, call);
    this.legIndex.set(rootId, call);
    return call;
  }

  private addLeg(call: Call, legId: string, at: number): Leg | undefined {
    if (call.legs.size >= this.maxLegsPerCall && !this.dropOldestLeg(call)) return undefined;
    const leg = placeholderLeg(legId, at);
    call.legs.set(legId, leg);
    this.legIndex.set(legId, call);
    return leg;
  }

  /** Drops the call's oldest destroyed non-root leg (its late events are then ignored); false when there is none. */
  private dropOldestLeg(call: Call): boolean {
    for (const l of call.legs.values()) {
      if (l === call.root || l.end === undefined) continue;
      dropLeg(call, l);
      this.legIndex.delete(l.id);
      this.endedLegs.add(l.id);
      return true;
    }
    return false;
  }

  /** A merge: `gone`'s legs are `keep`'s; `keep` was just updated, and keeps at most maxLegsPerCall legs. */
  private absorbed(keep: Call, gone: Call, at: number): void {
    for (const id of gone.legs.keys()) this.legIndex.set(id, keep);
    this.calls.delete(gone.id);
    this.customers.forget(gone);
    this.touch(keep, at);
    while (keep.legs.size > this.maxLegsPerCall) if (!this.dropOldestLeg(keep)) break;
    this.counters.merged++;
  }

  private touch(call: Call, at: number): void {
    this.calls.delete(call.id);
    this.calls.set(call.id, call);
    if (at > call.lastEventAt) call.lastEventAt = at;
  }

  /** Emits every view whose visible content changed; releases the call once every view has ended. */
  private emit(call: Call, receivedAt: number, out: CallUpdate[]): void {
    if (this.updates.emit(call, receivedAt, out)) this.release(call, true);
  }

  private forget(call: Call, atMs: number, receivedAt: number, out: CallUpdate[]): void {
    this.updates.lostTrack(call, atMs, receivedAt, out);
    this.counters.forgotten++;
    // A call nobody was shown may come back (a long wait in the IVR): only shown calls ignore later events.
    this.release(call, call.emitted.size > 0);
  }

  private release(call: Call, remember: boolean): void {
    this.calls.delete(call.id);
    this.customers.forget(call);
    for (const id of call.legs.keys()) {
      if (this.legIndex.get(id) === call) this.legIndex.delete(id);
      if (remember) this.endedLegs.add(id);
    }
  }
}
