// Live simulated state that the scenarios move and the dashboard/histories APIs read: each agent's status
// (derived from their legs, the device flag and wrap-up time), queue counters and waiting calls, the call history.
import type { SimAgent, SimData } from './data.js';
import type { HistoryRecord } from './history.js';

export type AgentStatus = 'ready' | 'ringing' | 'connected' | 'wrapup' | 'paused' | 'logged_out';

interface AgentLive {
  ringing: number;
  connected: number;
  wrapupUntil: number;
  paused: boolean;
  status: AgentStatus;
  since: number;
}

export interface WaitingCall {
  callId: string;
  queueId: string;
  number: string;
  name: string;
  enteredAt: number;
}

export interface QueueCounters {
  offered: number;
  received: number;
  handled: number;
  abandoned: number;
  waitSum: number;
  waitCount: number;
  maxWaiting: number;
  talkSum: number;
  talkCount: number;
}

const zero = (): QueueCounters => ({
  offered: 0,
  received: 0,
  handled: 0,
  abandoned: 0,
  waitSum: 0,
  waitCount: 0,
  maxWaiting: 0,
  talkSum: 0,
  talkCount: 0,
});

export interface SimStateOptions {
  now?: () => number;
  /** Wrap-up after a talk before the agent is ready again. Default 5 s. */
  wrapupMs?: number;
  /** Most history records kept. Default 50,000. */
  maxHistory?: number;
}

export class SimState {
  readonly totals: QueueCounters = zero();
  readonly perQueue = new Map<string, QueueCounters>();
  readonly waiting = new Map<string, WaitingCall>();
  private readonly live = new Map<string, AgentLive>();
  private readonly history: HistoryRecord[] = [];
  private readonly now: () => number;
  wrapupMs: number;
  private readonly maxHistory: number;

  constructor(
    readonly data: SimData,
    opts: SimStateOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.wrapupMs = opts.wrapupMs ?? 5_000;
    this.maxHistory = opts.maxHistory ?? 50_000;
    const t = this.now();
    for (const a of data.agents) {
      const l: AgentLive = {
        ringing: 0,
        connected: 0,
        wrapupUntil: 0,
        paused: false,
        status: 'ready',
        since: t - 600_000,
      };
      l.status = this.derive(a, l, t);
      this.live.set(a.userId, l);
    }
  }

  // ---- agents ----
  legRinging(a: SimAgent): void {
    this.mutate(a, (l) => void l.ringing++);
  }

  legAnswered(a: SimAgent): void {
    this.mutate(a, (l) => {
      l.ringing = Math.max(0, l.ringing - 1);
      l.connected++;
    });
  }

  legEnded(a: SimAgent, answered: boolean): void {
    this.mutate(a, (l) => {
      if (answered) {
        l.connected = Math.max(0, l.connected - 1);
        l.wrapupUntil = this.now() + this.wrapupMs;
      } else l.ringing = Math.max(0, l.ringing - 1);
    });
  }

  setOnline(a: SimAgent, online: boolean): void {
    this.mutate(a, () => void (a.device.online = online));
  }

  setPaused(a: SimAgent, paused: boolean): void {
    this.mutate(a, (l) => void (l.paused = paused));
  }

  /** Current status and since when (unix ms). */
  agentStatus(a: SimAgent): { status: AgentStatus; since: number } {
    const l = this.liveOf(a);
    this.refresh(a, l);
    return { status: l.status, since: l.since };
  }

  /** Online, not paused, not on a call nor ringing nor in wrap-up. */
  isAvailable(a: SimAgent): boolean {
    return this.agentStatus(a).status === 'ready';
  }

  // ---- queues ----
  queueEntered(w: WaitingCall): void {
    this.waiting.set(w.callId, w);
    for (const c of this.counters(w.queueId)) {
      c.offered++;
      c.received++;
    }
  }

  /** The waiting call was answered by an agent (or abandoned, when answered is false) at `atMs` (default now). */
  queueLeft(callId: string, answered: boolean, atMs: number = this.now()): void {
    const w = this.waiting.get(callId);
    if (!w) return;
    this.waiting.delete(callId);
    const waitSec = Math.max(0, Math.round((atMs - w.enteredAt) / 1000));
    for (const c of this.counters(w.queueId)) {
      if (answered) c.handled++;
      else c.abandoned++;
      c.waitSum += waitSec;
      c.waitCount++;
      c.maxWaiting = Math.max(c.maxWaiting, waitSec);
    }
  }

  queueTalked(queueId: string, talkSec: number): void {
    for (const c of this.counters(queueId)) {
      c.talkSum += talkSec;
      c.talkCount++;
    }
  }

  // ---- history ----
  addHistory(r: HistoryRecord): void {
    this.history.push(r);
    if (this.history.length > this.maxHistory) this.history.splice(0, this.history.length - this.maxHistory);
  }

  /** Records with unix_timestamp in [fromS, toS], newest first. */
  historyBetween(fromS: number, toS: number): HistoryRecord[] {
    // Reversed first so that, within one second, the latest recorded comes first (the sort is stable).
    return this.history
      .filter((r) => r.unix_timestamp >= fromS && r.unix_timestamp <= toS)
      .reverse()
      .sort((a, b) => b.unix_timestamp - a.unix_timestamp);
  }

  get historySize(): number {
    return this.history.length;
  }

  // ---- internals ----
  private counters(queueId: string): QueueCounters[] {
    let q = this.perQueue.get(queueId);
    if (!q) this.perQueue.set(queueId, (q = zero()));
    return [this.totals, q];
  }

  private liveOf(a: SimAgent): AgentLive {
    const l = this.live.get(a.userId);
    if (!l) throw new Error(`unknown agent ${a.username}`);
    return l;
  }

  private mutate(a: SimAgent, fn: (l: AgentLive) => void): void {
    const l = this.liveOf(a);
    this.refresh(a, l);
    fn(l);
    this.refresh(a, l);
  }

  private refresh(a: SimAgent, l: AgentLive): void {
    const t = this.now();
    const status = this.derive(a, l, t);
    if (status === l.status) return;
    l.since = status === 'ready' && l.status === 'wrapup' && l.wrapupUntil <= t ? l.wrapupUntil : t;
    l.status = status;
  }

  private derive(a: SimAgent, l: AgentLive, t: number): AgentStatus {
    if (!a.device.online) return 'logged_out';
    if (l.connected > 0) return 'connected';
    if (l.ringing > 0) return 'ringing';
    if (l.wrapupUntil > t) return 'wrapup';
    if (l.paused) return 'paused';
    return 'ready';
  }
}
