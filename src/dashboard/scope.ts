// Queue scoping of the dashboard (contract §7.1), pure. A supervisor or wallboard whose `queues` is not ["*"] sees
// only those queues, only their waiting calls, and in agents.details only members of those queues (queues API);
// `totals` and the agent counts stay AntRing's org-wide figures (`totals.scope: "org"`).
//
// Membership (queue id → member usernames) travels with the Dashboard object it was mapped with (a WeakMap: never
// serialised, never sent). A dashboard without known membership shows a scoped reader no agent details (fail closed).

import type { Agent, Queue } from '../antring/client.js';
import type { Claims, Dashboard } from '../contract.js';

/** Queue id → lowercased usernames of its members. */
export type QueueMembers = ReadonlyMap<string, ReadonlySet<string>>;

const membersByDashboard = new WeakMap<Dashboard, QueueMembers>();

/** Remembers d's queue membership (returns d). */
export function withMembers(d: Dashboard, members: QueueMembers | undefined): Dashboard {
  if (members) membersByDashboard.set(d, members);
  return d;
}

export function membersOf(d: Dashboard): QueueMembers | undefined {
  return membersByDashboard.get(d);
}

/** From the queues API (member agent ids) and the agents directory (id → username). A member id the directory does
 *  not know is kept as given (AntRing may list usernames). */
export function queueMembers(queues: readonly Queue[], agents: readonly Agent[] = []): QueueMembers {
  const usernameById = new Map(agents.map((a) => [a.id.toLowerCase(), a.username.toLowerCase()]));
  const out = new Map<string, Set<string>>();
  for (const q of queues) {
    const set = out.get(q.id) ?? new Set<string>();
    for (const id of q.agents) set.add(usernameById.get(id.toLowerCase()) ?? id.toLowerCase());
    out.set(q.id, set);
  }
  return out;
}

/** Plain JSON form (cluster inter-node messages) and back, defensively. */
export function membersToRecord(m: QueueMembers | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [q, users] of m ?? []) out[q] = [...users];
  return out;
}

export function membersFromRecord(v: unknown): QueueMembers | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out = new Map<string, Set<string>>();
  for (const [q, users] of Object.entries(v as Record<string, unknown>)) {
    if (!Array.isArray(users)) return undefined;
    out.set(q, new Set(users.filter((u): u is string => typeof u === 'string').map((u) => u.toLowerCase())));
  }
  return out;
}

/** The queue ids these claims are limited to, or undefined when they see the whole dashboard. */
export function dashboardScope(c: Claims): readonly string[] | undefined {
  if (c.role !== 'supervisor' && c.role !== 'wallboard') return undefined;
  if (c.queues.includes('*')) return undefined;
  return [...new Set(c.queues)].sort();
}

/** d limited to these queues (a fresh object; d is not changed). */
export function scopeDashboard(d: Dashboard, queues: readonly string[], members: QueueMembers | undefined): Dashboard {
  const allowed = new Set(queues);
  const people = new Set<string>();
  for (const q of allowed) for (const u of members?.get(q) ?? []) people.add(u);
  return {
    org: d.org,
    at: d.at,
    stale: d.stale,
    agents: {
      ...d.agents,
      details: d.agents.details.filter((a) => people.has(a.username.toLowerCase())).map((a) => ({ ...a })),
    },
    totals: { ...d.totals, scope: 'org' },
    queues: d.queues.filter((q) => allowed.has(q.id)).map((q) => ({ ...q })),
    waitingCalls: d.waitingCalls
      .filter((w) => w.queueId !== undefined && allowed.has(w.queueId))
      .map((w) => ({ ...w })),
    // §9.3 recovery figures (the org's, like totals).
    ...(d.recovery ? { recovery: { ...d.recovery } } : {}),
  };
}
