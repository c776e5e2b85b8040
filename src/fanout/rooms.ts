// Who receives what (pure). Socket.IO room names are scoped by org, so an event of one org can only ever reach
// sockets that joined that org's rooms (and the verifier refuses tokens of other orgs). Ids are URI-encoded ("*" too) so
// that no username or queue id can forge another room name (":" or "*").
//
//   o:<org>:agent:<username>   an agent's own leg views            (role agent)
//   o:<org>:queue:<queueId>    call views of one queue             (supervisors of that queue)
//   o:<org>:queue:*            call views of every call with a queue (supervisors with queues ["*"])
//   o:<org>:calls              every call view                     (admins)
//   o:<org>:dash               the full dashboard                  (supervisors, admins)
//   o:<org>:wall               the redacted dashboard              (wallboards; no call messages)
//   o:<org>:dscope:<kind>:<q1>,<q2>  a queue-scoped dashboard       (supervisors `full` / wallboards `redacted`
//                                                                   whose queues are not ["*"]; emitted per node)
//   o:<org>:node:<nodeId>      every socket of one node           (recovery keepalives, recovery.ts)

import type { Audience } from '../calls/types.js';
import type { Claims } from '../contract.js';
import { dashboardScope } from '../dashboard/scope.js';

const enc = (s: string) => encodeURIComponent(s).replace(/\*/g, '%2A');
const base = (org: string) => `o:${enc(org)}`;

export const rooms = {
  agent: (org: string, username: string) => `${base(org)}:agent:${enc(username)}`,
  queue: (org: string, queueId: string) => `${base(org)}:queue:${enc(queueId)}`,
  allQueues: (org: string) => `${base(org)}:queue:*`,
  calls: (org: string) => `${base(org)}:calls`,
  dash: (org: string) => `${base(org)}:dash`,
  wall: (org: string) => `${base(org)}:wall`,
  /** queues: sorted, de-duplicated (dashboardScope). */
  dashScope: (org: string, kind: 'full' | 'redacted', queues: readonly string[]) =>
    `${base(org)}:dscope:${kind}:${queues.map(enc).join(',')}`,
  node: (org: string, nodeId: string) => `${base(org)}:node:${enc(nodeId)}`,
};

/** A node's keepalive room (rooms.node): kept when a socket's rooms are reset to its claims'. No other room holds
 *  `:node:` (every id is escaped, ":" too). */
export const isNodeRoom = (room: string): boolean => room.includes(':node:');

/** The room a socket of these claims gets its dashboard in (undefined: no dashboard). */
export function dashboardRoom(c: Claims): string | undefined {
  const kind = dashboardKind(c);
  if (!kind) return undefined;
  const scope = dashboardScope(c);
  if (scope) return rooms.dashScope(c.org, kind, scope);
  return kind === 'full' ? rooms.dash(c.org) : rooms.wall(c.org);
}

/** The rooms a verified socket joins (the claims' own org). */
export function roomsForClaims(c: Claims): string[] {
  const dash = dashboardRoom(c);
  const dashRooms = dash ? [dash] : [];
  switch (c.role) {
    case 'agent':
      return c.agent ? [rooms.agent(c.org, c.agent)] : [];
    case 'supervisor':
      return [
        ...dashRooms,
        ...(c.queues.includes('*')
          ? [rooms.allQueues(c.org)]
          : [...new Set(c.queues)].map((q) => rooms.queue(c.org, q))),
      ];
    case 'wallboard':
      return dashRooms;
    case 'admin':
      return [rooms.calls(c.org), rooms.dash(c.org)];
    default:
      return [];
  }
}

/** The rooms a call message for this audience goes to. */
export function roomsForAudience(org: string, a: Audience): string[] {
  if (a.kind === 'agent') return [rooms.agent(org, a.username)];
  const out = [rooms.calls(org)];
  if (a.queueId) out.push(rooms.queue(org, a.queueId), rooms.allQueues(org));
  return out;
}

/** Whether these claims may see a call message for this audience of this org (replay, GET /api/calls).
 *  Agrees with the rooms: canSee ⇔ roomsForClaims ∩ roomsForAudience ≠ ∅ (tested). */
export function canSee(c: Claims, org: string, a: Audience): boolean {
  if (c.org !== org) return false;
  if (a.kind === 'agent') return c.role === 'agent' && c.agent !== undefined && c.agent === a.username;
  switch (c.role) {
    case 'admin':
      return true;
    case 'supervisor':
      return a.queueId !== undefined && a.queueId !== '' && (c.queues.includes('*') || c.queues.includes(a.queueId));
    default:
      return false;
  }
}

/** Whether these claims receive the dashboard, and which one. */
export function dashboardKind(c: Claims): 'full' | 'redacted' | null {
  if (c.role === 'supervisor' || c.role === 'admin') return 'full';
  if (c.role === 'wallboard') return 'redacted';
  return null;
}
