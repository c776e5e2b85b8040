// One tenant's side of the Socket.IO fan-out: its rooms (org-scoped, fanout/rooms.ts), its dashboard, its live-call
// replay on connect, and its call emitter (which refuses a view of another org). The process-wide socket server
// (sockets.ts) hands it the sockets whose verified `org` is this tenant.
//
// Replay vs live stream: the rooms are joined first, then the replay is read (see fanout/server.ts's header).
import type { Claims, Dashboard } from '../contract.js';
import { createDashboardFanout } from '../fanout/dashboard-fanout.js';
import { filterVisible, type LiveCallEntry, type LiveCallStore } from '../fanout/live-calls.js';
import type { CallEmitter } from '../fanout/publisher.js';
import { redactDashboardForWallboard } from '../fanout/redact.js';
import { isNodeRoom, roomsForClaims } from '../fanout/rooms.js';
import type { FanoutServer, FanoutSocket } from '../fanout/server.js';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';

export interface TenantSocketsOptions {
  io: FanoutServer;
  org: string;
  live: LiveCallStore;
  logger: Logger;
  /** The latest dashboard, sent on connect; default: the last one given to emitDashboard. */
  dashboard?: () => Dashboard | undefined;
  redactDashboard?: (d: Dashboard) => Dashboard;
  /** Cluster mode: dashboards are handed to the other nodes (dashboard-fanout.ts). */
  cluster: boolean;
}

export interface TenantSockets {
  readonly emitter: CallEmitter;
  emitDashboard(d: Dashboard): void;
  connected(socket: FanoutSocket, claims: Claims): void;
  /** No more emits (the tenant stopped). */
  close(): void;
}

export function createTenantSockets(o: TenantSocketsOptions): TenantSockets {
  const { io, org, logger, live } = o;
  let lastDashboard: Dashboard | undefined;
  let closed = false;
  const dashboards = createDashboardFanout({
    io,
    org,
    redact: o.redactDashboard ?? redactDashboardForWallboard,
    logger,
    cluster: o.cluster,
    onDashboard: (d) => {
      lastDashboard = d;
    },
  });

  function latestDashboard(): Dashboard | undefined {
    let d: Dashboard | undefined;
    try {
      d = o.dashboard ? o.dashboard() : lastDashboard;
    } catch (err) {
      logger.error({ err: errText(err) }, 'dashboard provider failed');
      d = lastDashboard;
    }
    return d && d.org === org ? d : undefined;
  }

  function replay(socket: FanoutSocket, claims: Claims, entries: LiveCallEntry[]): void {
    if (socket.disconnected) return;
    for (const view of filterVisible(entries, claims, org)) socket.emit('call', view);
  }

  function connected(socket: FanoutSocket, claims: Claims): void {
    if (closed || claims.org !== org) {
      socket.disconnect(true);
      return;
    }
    const wanted = new Set(roomsForClaims(claims));
    for (const r of socket.rooms) if (r !== socket.id && !wanted.has(r) && !isNodeRoom(r)) void socket.leave(r);
    void socket.join([...wanted]);
    dashboards.joined(claims);
    logger.debug({ sid: socket.id, role: claims.role, sub: claims.sub, recovered: socket.recovered }, 'connected');
    // A recovered session gets its missed packets from Socket.IO itself.
    if (socket.recovered) return;
    const d = latestDashboard();
    const seen = d ? dashboards.forClaims(d, claims) : undefined;
    if (seen) socket.emit('dashboard', seen);
    let entries: LiveCallEntry[] | Promise<LiveCallEntry[]>;
    try {
      entries = live.entries();
    } catch (err) {
      logger.error({ err: errText(err) }, 'live calls unavailable for replay');
      return;
    }
    if (isPromiseLike(entries)) {
      entries.then(
        (es) => replay(socket, claims, es),
        (err: unknown) => logger.error({ err: errText(err) }, 'live calls unavailable for replay'),
      );
    } else {
      replay(socket, claims, entries);
    }
  }

  const emitter: CallEmitter = {
    emitCall(target, view) {
      if (closed || target.length === 0) return;
      if (view.org !== org) {
        logger.warn({ callId: view.callId }, 'refused to emit a call view of another org');
        return;
      }
      io.to(target).emit('call', view);
    },
  };

  return {
    emitter,
    emitDashboard(d) {
      if (closed) return;
      if (d.org !== org) {
        logger.warn('refused to emit a dashboard of another org');
        return;
      }
      lastDashboard = d;
      dashboards.emit(d);
    },
    connected,
    close() {
      closed = true;
    },
  };
}

function isPromiseLike<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}
