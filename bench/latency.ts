// Ring-to-pop (pure): joins the clients' first receipt of each call with the send time of the frame that made that
// client pop, on the one clock of the machine (send and receipt times are unix ms from performance.timeOrigin).
//
//   agent       ← the agent's own leg CHANNEL_CREATE (their phone rings)
//   supervisor  ← the first agent leg CHANNEL_CREATE of a queue call (the view gets its queue: supervisors see it)
//   admin       ← the first agent leg CHANNEL_CREATE of any call (a call is shown once an agent rings, not while the
//                 customer is in the IVR: docs/call-model.md)
//
// Only calls that started inside the measurement window count. CRM class = the call's number: 'hit' (looked up
// before the window) or 'miss' (never seen: direct calls whose agent rings at once, so the pop waits for AntCRM).
import type { Script, ScriptCall } from './script.js';
import { type Summary, summarize } from './stats.js';

export type Role = 'agent' | 'supervisor' | 'admin';
export interface ClientPlan {
  role: Role;
  /** Agents: their username. */
  agent?: string;
  /** Sees only the calls of this division (--split-tenants: its tenant, or its queues); unset: every call. */
  division?: number;
}

export interface FirstReceipts {
  client: number[];
  callId: string[];
  t: number[];
}

export interface PopLatency {
  hit: Summary;
  miss: Summary;
  byRole: Record<Role, Summary>;
  /** Pops the clients should have had for the measured calls, and how many arrived. */
  expected: number;
  received: number;
  /** Receipts for measured calls that no frame explains (should be 0). */
  uncorrelated: number;
}

/** One pop: receipt time (unix ms), latency (ms), role, CRM class. */
export type PopSample = [t: number, ms: number, role: Role, crm: 'hit' | 'miss'];

interface CallTimes {
  call: ScriptCall;
  firstRing?: number;
  rings: Map<string, number>;
}

/** Send times per call, from the driver's sentAt (index = script.frames index; NaN = not sent). */
export function callTimes(script: Script, sentAt: ArrayLike<number>): Map<string, CallTimes> {
  const out = new Map<string, CallTimes>();
  for (const c of script.calls) if (c.measured) out.set(c.callId, { call: c, rings: new Map() });
  script.frames.forEach((f, i) => {
    const c = script.calls[f.call];
    const ct = c.measured ? out.get(c.callId) : undefined;
    const t = sentAt[i];
    if (!ct || !Number.isFinite(t)) return;
    if (f.rings) {
      if (!ct.rings.has(f.rings)) ct.rings.set(f.rings, t);
      if (ct.firstRing === undefined || t < ct.firstRing) ct.firstRing = t;
    }
  });
  return out;
}

/** Sum of the counts of every key but `except`. */
const sum = (m: Map<number, number>, except: number): number => {
  let n = 0;
  for (const [k, v] of m) if (k !== except) n += v;
  return n;
};

export function popLatency(
  script: Script,
  sentAt: ArrayLike<number>,
  first: FirstReceipts,
  plan: readonly ClientPlan[],
  raw?: PopSample[],
): PopLatency {
  const times = callTimes(script, sentAt);
  const hit: number[] = [];
  const miss: number[] = [];
  const byRole: Record<Role, number[]> = { agent: [], supervisor: [], admin: [] };
  let uncorrelated = 0;
  let received = 0;
  for (let k = 0; k < first.callId.length; k++) {
    const ct = times.get(first.callId[k]);
    if (!ct) continue;
    const who = plan[first.client[k]];
    if (!who) {
      uncorrelated++;
      continue;
    }
    const cause =
      who.role === 'agent'
        ? ct.rings.get(who.agent ?? '')
        : who.role === 'supervisor' && !ct.call.queueId
          ? undefined
          : ct.firstRing;
    if (cause === undefined) {
      uncorrelated++;
      continue;
    }
    const ms = first.t[k] - cause;
    received++;
    (ct.call.crm === 'miss' ? miss : hit).push(ms);
    byRole[who.role].push(ms);
    raw?.push([first.t[k], ms, who.role, ct.call.crm]);
  }
  // Expected: every rung agent's sockets, every supervisor for queue calls, every admin; for the frames sent. A
  // supervisor or admin of a division sees that division's calls only (key -1: every call).
  const agents = new Map<string, number>();
  const watchers = { supervisor: new Map<number, number>(), admin: new Map<number, number>() };
  for (const p of plan) {
    if (p.role === 'agent') agents.set(p.agent ?? '', (agents.get(p.agent ?? '') ?? 0) + 1);
    else watchers[p.role].set(p.division ?? -1, (watchers[p.role].get(p.division ?? -1) ?? 0) + 1);
  }
  const watching = (m: Map<number, number>, c: ScriptCall) =>
    (m.get(-1) ?? 0) + (c.division === undefined ? sum(m, -1) : (m.get(c.division) ?? 0));
  let expected = 0;
  for (const ct of times.values()) {
    if (ct.firstRing !== undefined)
      expected += watching(watchers.admin, ct.call) + (ct.call.queueId ? watching(watchers.supervisor, ct.call) : 0);
    for (const a of ct.rings.keys()) expected += agents.get(a) ?? 0;
  }
  return {
    hit: summarize(hit),
    miss: summarize(miss),
    byRole: {
      agent: summarize(byRole.agent),
      supervisor: summarize(byRole.supervisor),
      admin: summarize(byRole.admin),
    },
    expected,
    received,
    uncorrelated,
  };
}
