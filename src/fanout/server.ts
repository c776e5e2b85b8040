// Socket.IO fan-out to browsers for one org (a tenant of one), on the same HTTP server as Express (attach Express
// to the server *before* calling createFanout: engine.io takes over the server's existing 'request' listeners and
// forwards every non-/socket.io/ request to them; a listener added afterwards would also see /socket.io/ requests).
//
// Handshake (handshake.ts): JWT from `auth.token` or `Authorization: Bearer`; refused with err.message =
// err.data.code = unauthorized | token_expired | forbidden. On connect: join the org-scoped rooms of the claims, send
// the latest dashboard (full, redacted, or queue-scoped: dashboard-fanout.ts) and the live calls the socket may see,
// then the live stream. A token that expires: `session_expired` `{ code: "token_expired" }`, then the disconnect.
// Client events pass a per-socket token bucket (throttle.ts) before any work; repeated abuse disconnects.
// Connection state recovery is on (default window 30 s) and works for quiet clients too (recovery.ts); a session is
// restored only for a verified token of the same identity, before Socket.IO writes anything of it (recovery-guard.ts).
//
// Replay vs live stream: the rooms are joined first, then the replay is read. With a synchronous store (memory)
// join + replay happen in the same tick, so nothing can come in between. With an async store (Redis), a live
// message published during the read may reach the socket before the replay; the replay then carries a lower or
// equal seq for that call, which the client ignores (contract: keep the highest seq). The publisher writes the
// store before emitting, so no message is lost either way.
//
// The parts: the process-wide socket server (server/sockets.ts: handshake, expiry, throttle, counts, close) and one
// tenant's rooms, dashboard, replay and emitter (server/tenant-sockets.ts); a multi-tenant bridge composes one
// socket server with a TenantSockets per tenant (tenants/runtime.ts).

import type { Server as HttpServer } from 'node:http';
import type { Server, ServerOptions, Socket } from 'socket.io';
import type { Clock } from '../clock.js';
import type {
  Claims,
  ClientToServerEvents,
  Dashboard,
  DialResult,
  InterServerEvents,
  Role,
  ServerToClientEvents,
  SocketData,
  WrapupResult,
} from '../contract.js';
import type { Logger } from '../log.js';
import { createSocketServer } from '../server/sockets.js';
import { createTenantSockets } from '../server/tenant-sockets.js';
import type { VerifyResult } from './jwt.js';
import type { LiveCallStore } from './live-calls.js';
import type { CallEmitter } from './publisher.js';
import type { ThrottleSettings } from './throttle.js';

export type FanoutServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type FanoutSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface FanoutOptions {
  org: string;
  verifier: { verify(token: string): VerifyResult };
  logger: Logger;
  cors?: { origins: string[] } | false;
  live: LiveCallStore;
  /** The latest dashboard, sent on connect; default: the last one given to emitDashboard. */
  dashboard?: () => Dashboard | undefined;
  /** Wallboard redaction; default redactDashboardForWallboard. */
  redactDashboard?: (d: Dashboard) => Dashboard;
  /** Click-to-call for the socket's claims; the body is untrusted (validate it). */
  dial?: (claims: Claims, body: unknown) => Promise<DialResult>;
  /** The socket `wrapup` (write-back, contract §7.2) for the socket's claims; the body is untrusted. */
  wrapup?: (claims: Claims, body: unknown) => Promise<WrapupResult>;
  onConnectionChange?: (role: Role, delta: 1 | -1) => void;
  /** Socket.IO adapter constructor (cluster mode). */
  adapter?: ServerOptions['adapter'];
  /** Passed to Socket.IO, with skipMiddlewares forced to false (a recovered session re-presents its token).
   *  Default: on, with a 30 s window; `false` turns recovery off. */
  connectionStateRecovery?: ServerOptions['connectionStateRecovery'] | false;
  /** Keepalive period for recovery offsets; default a third of the window (at most 10 s). */
  recoveryKeepaliveMs?: number;
  /** Per-socket throttle of client events; defaults in throttle.ts. */
  throttle?: Partial<ThrottleSettings>;
  /** A client event dropped by the throttle (`dropped`) or a socket disconnected for abuse (`disconnected`). */
  onThrottle?: (what: 'dropped' | 'disconnected') => void;
  /** Keep a socket this long past its token's exp (match the verifier's clock tolerance); default 0. */
  expiryGraceMs?: number;
  clock?: Clock;
  /** Max size of one client message; default 16 KiB (clients only send `dial`). */
  maxHttpBufferSize?: number;
}

export interface Fanout {
  io: FanoutServer;
  emitter: CallEmitter;
  emitDashboard(d: Dashboard): void;
  connectedByRole(): Record<Role, number>;
  /** Client events dropped by the throttle, sockets disconnected for abuse (since start). */
  throttleStats(): { dropped: number; disconnected: number };
  close(): Promise<void>;
}

export function createFanout(httpServer: HttpServer, o: FanoutOptions): Fanout {
  const { org } = o;
  const port = {
    connected: (socket: FanoutSocket, claims: Claims) => tenant.connected(socket, claims),
    ...(o.dial ? { dial: o.dial } : {}),
    ...(o.wrapup ? { wrapup: o.wrapup } : {}),
  };
  const server = createSocketServer(httpServer, {
    verifier: o.verifier,
    tenant: (claimed) => (claimed === org ? port : undefined),
    logger: o.logger,
    ...(o.cors !== undefined ? { cors: o.cors } : {}),
    ...(o.adapter ? { adapter: o.adapter } : {}),
    ...(o.connectionStateRecovery !== undefined ? { connectionStateRecovery: o.connectionStateRecovery } : {}),
    ...(o.recoveryKeepaliveMs ? { recoveryKeepaliveMs: o.recoveryKeepaliveMs } : {}),
    ...(o.throttle ? { throttle: o.throttle } : {}),
    ...(o.onThrottle ? { onThrottle: o.onThrottle } : {}),
    ...(o.onConnectionChange ? { onConnectionChange: o.onConnectionChange } : {}),
    ...(o.expiryGraceMs !== undefined ? { expiryGraceMs: o.expiryGraceMs } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.maxHttpBufferSize ? { maxHttpBufferSize: o.maxHttpBufferSize } : {}),
  });
  const tenant = createTenantSockets({
    io: server.io,
    org,
    live: o.live,
    logger: o.logger,
    ...(o.dashboard ? { dashboard: o.dashboard } : {}),
    ...(o.redactDashboard ? { redactDashboard: o.redactDashboard } : {}),
    cluster: o.adapter !== undefined,
  });
  return {
    io: server.io,
    emitter: tenant.emitter,
    emitDashboard: (d) => tenant.emitDashboard(d),
    connectedByRole: () => server.connectedByRole(),
    throttleStats: () => server.throttleStats(),
    close: () => {
      tenant.close();
      return server.close();
    },
  };
}
