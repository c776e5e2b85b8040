// The dashboard's way to sockets. Unscoped readers share two cluster-wide rooms (full: supervisors ["*"] and
// admins; redacted: wallboards ["*"]). Queue-scoped readers (contract §7.1) are in one room per (kind, queue set);
// each node emits the scoped versions to its own such rooms, because scoping needs the queue membership the
// dashboard was mapped with. In cluster mode the emitting node (the dashboard leader) hands the dashboard and its
// membership to the other nodes (serverSideEmit), which emit their scoped rooms in turn.
import type { Claims, Dashboard } from '../contract.js';
import {
  dashboardScope,
  membersFromRecord,
  membersOf,
  membersToRecord,
  type QueueMembers,
  scopeDashboard,
} from '../dashboard/scope.js';
import type { Logger } from '../log.js';
import { dashboardKind, dashboardRoom, rooms } from './rooms.js';
import type { FanoutServer } from './server.js';

interface Scope {
  kind: 'full' | 'redacted';
  queues: readonly string[];
}

export interface DashboardFanout {
  /** What a socket of these claims gets on connect (undefined: nothing). */
  forClaims(d: Dashboard, claims: Claims): Dashboard | undefined;
  /** Notes the room of a socket that joined it (scoped rooms are emitted per node). */
  joined(claims: Claims): void;
  emit(d: Dashboard): void;
}

export function createDashboardFanout(o: {
  io: FanoutServer;
  org: string;
  redact: (d: Dashboard) => Dashboard;
  logger: Logger;
  /** Cluster mode: hand dashboards to the other nodes. */
  cluster: boolean;
  onDashboard?: (d: Dashboard) => void;
}): DashboardFanout {
  const { io, org, redact, logger } = o;
  const scopes = new Map<string, Scope>();

  function view(
    d: Dashboard,
    kind: 'full' | 'redacted',
    scope: readonly string[] | undefined,
    members: QueueMembers | undefined,
  ): Dashboard {
    const seen = scope ? scopeDashboard(d, scope, members) : d;
    return kind === 'full' ? seen : redact(seen);
  }

  function emitScopedLocal(d: Dashboard, members: QueueMembers | undefined): void {
    const present = io.of('/').adapter.rooms;
    for (const [room, s] of scopes) {
      if (!present.has(room)) {
        scopes.delete(room);
        continue;
      }
      io.local.to(room).emit('dashboard', view(d, s.kind, s.queues, members));
    }
  }

  if (o.cluster) {
    io.on('scopedDashboard', (d: unknown, members: unknown) => {
      if (!isDashboard(d) || d.org !== org) {
        logger.warn('inter-node dashboard refused (not a dashboard of this org)');
        return;
      }
      try {
        o.onDashboard?.(d);
        emitScopedLocal(d, membersFromRecord(members));
      } catch (err) {
        logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'inter-node dashboard could not be scoped',
        );
      }
    });
  }

  return {
    forClaims(d, claims) {
      const kind = dashboardKind(claims);
      return kind ? view(d, kind, dashboardScope(claims), membersOf(d)) : undefined;
    },
    joined(claims) {
      const kind = dashboardKind(claims);
      const scope = dashboardScope(claims);
      const room = dashboardRoom(claims);
      if (kind && scope && room && !scopes.has(room)) scopes.set(room, { kind, queues: scope });
    },
    emit(d) {
      io.to(rooms.dash(org)).emit('dashboard', d);
      io.to(rooms.wall(org)).emit('dashboard', redact(d));
      const members = membersOf(d);
      emitScopedLocal(d, members);
      if (o.cluster) {
        try {
          io.serverSideEmit('scopedDashboard', d, membersToRecord(members));
        } catch (err) {
          logger.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'could not hand the dashboard to the other nodes',
          );
        }
      }
    },
  };
}

function isDashboard(v: unknown): v is Dashboard {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Partial<Dashboard>;
  return (
    typeof d.org === 'string' &&
    typeof d.at === 'string' &&
    typeof d.stale === 'boolean' &&
    typeof d.agents === 'object' &&
    d.agents !== null &&
    Array.isArray(d.agents.details) &&
    typeof d.totals === 'object' &&
    d.totals !== null &&
    Array.isArray(d.queues) &&
    Array.isArray(d.waitingCalls)
  );
}
