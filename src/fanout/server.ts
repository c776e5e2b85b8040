// Socket.IO fan-out to browsers, on the same HTTP server as Express (attach Express to the server *before*
// calling createFanout: engine.io takes over the server's existing 'request' listeners and forwards every
// non-/socket.io/ request to them; a listener added afterwards would also see /socket.io/ requests).
//
// Handshake (handshake.ts): JWT from `auth.token` or `Authorization: Bearer`; refused with err.message =
// err.data.code = unauthorized | token_expired | forbidden. On connect: join the org-scoped rooms of the claims, send
// the latest dashboard (full, redacted, or queue-scoped: dashboard-fanout.ts) and the live calls the socket may see,
// then the live stream. A token that expires: `session_expired` `{ code: "token_expired" }`, then the disconnect.
// Client events pass a per-socket token bucket (throttle.ts) before any work; repeated abuse disconnects.
// Connection state recovery is on (default window 30 s) and works for quiet clients too (recovery.ts).
//
// Replay vs live stream: the rooms are joined first, then the replay is read. With a synchronous store (memory)
// join + replay happen in the same tick, so nothing can come in between. With an async store (Redis), a live
// message published during the read may reach the socket before the replay; the replay then carries a lower or
// equal seq for that call, which the client ignores (contract: keep the highest seq). The publisher writes the
// store before emitting, so no message is lost either way.
import type { Server as HttpServer } from 'node:http';
import { type ExtendedError, Server, type ServerOptions, type Socket } from 'socket.io';
import { type Clock, systemClock } from '../clock.js';
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
import { errText } from '../shared/errors.js';
import { createClientEvents } from './client-events.js';
import { createDashboardFanout } from './dashboard-fanout.js';
import { createExpirySchedule } from './expiry.js';
import { authenticateHandshake } from './handshake.js';
import type { VerifyResult } from './jwt.js';
import { filterVisible, type LiveCallEntry, type LiveCallStore } from './live-calls.js';
import type { CallEmitter } from './publisher.js';
import { DEFAULT_RECOVERY_MS, type OffsetKeeper, startOffsetKeeper } from './recovery.js';
import { redactDashboardForWallboard } from './redact.js';
import { roomsForClaims } from './rooms.js';
import { type ThrottleSettings, throttleSettings } from './throttle.js';

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
  const { org, logger, live } = o;
  const clock = o.clock ?? systemClock;
  const redact = o.redactDashboard ?? redactDashboardForWallboard;
  const graceMs = o.expiryGraceMs ?? 0;
  const counts: Record<Role, number> = { agent: 0, supervisor: 0, wallboard: 0, admin: 0 };
  let lastDashboard: Dashboard | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  const throttle = throttleSettings(o.throttle);
  // Token expiry: one timer per distinct deadline (expiry.ts), not one per socket.
  const expiries = createExpirySchedule<FanoutSocket>(clock, (socket) => expire(socket));
  const throttled = { dropped: 0, disconnected: 0 };
  const recovery =
    o.connectionStateRecovery === false
      ? undefined
      : { maxDisconnectionDuration: DEFAULT_RECOVERY_MS, ...o.connectionStateRecovery, skipMiddlewares: false };

  const io: FanoutServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: o.maxHttpBufferSize ?? 16 * 1024,
    // After close(): refuse new engine.io sessions (the HTTP server itself belongs to the caller).
    allowRequest: (_req, fn) => fn(closed ? 'server closing' : null, !closed),
    ...(o.cors && o.cors.origins.length > 0
      ? { cors: { origin: o.cors.origins.includes('*') ? '*' : o.cors.origins, methods: ['GET', 'POST'] } }
      : {}),
    ...(o.adapter ? { adapter: o.adapter } : {}),
    ...(recovery ? { connectionStateRecovery: recovery } : {}),
  });
  const dashboards = createDashboardFanout({
    io,
    org,
    redact,
    logger,
    cluster: o.adapter !== undefined,
    onDashboard: (d) => {
      lastDashboard = d;
    },
  });
  const offsets: OffsetKeeper | undefined = recovery
    ? startOffsetKeeper(io, {
        org,
        recoveryMs: recovery.maxDisconnectionDuration,
        clock,
        ...(o.recoveryKeepaliveMs ? { everyMs: o.recoveryKeepaliveMs } : {}),
      })
    : undefined;

  io.use((socket, next) => {
    const r = authenticate(socket);
    if (r.ok) {
      socket.data.claims = r.claims;
      return next();
    }
    logger.info({ code: r.code, reason: r.reason, ip: socket.handshake.address }, 'socket handshake refused');
    const err: ExtendedError = new Error(r.code);
    err.data = { code: r.code };
    next(err);
  });

  function authenticate(socket: FanoutSocket): VerifyResult {
    return authenticateHandshake(
      { auth: socket.handshake.auth, authorization: socket.handshake.headers.authorization },
      o.verifier,
      org,
      logger,
    );
  }

  io.on('connection', (socket) => {
    const claims = socket.data.claims;
    if (closed || !claims || claims.org !== org) {
      socket.disconnect(true);
      return;
    }
    if (claims.exp * 1000 + graceMs <= clock.now()) {
      expire(socket);
      return;
    }
    const role = claims.role;
    counts[role]++;
    o.onConnectionChange?.(role, 1);
    expiries.add(socket, claims.exp * 1000 + graceMs);
    // One listener function for every socket (no closure per socket): `this` is the socket.
    socket.once('disconnect', onDisconnect);
    clientEvents.attach(socket, claims);

    const wanted = new Set(roomsForClaims(claims));
    for (const r of socket.rooms) if (r !== socket.id && !wanted.has(r) && !r.includes(':node:')) void socket.leave(r);
    void socket.join([...wanted]);
    dashboards.joined(claims);
    offsets?.connected(socket);
    logger.debug({ sid: socket.id, role, sub: claims.sub, recovered: socket.recovered }, 'socket connected');
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
  });

  function replay(socket: FanoutSocket, claims: Claims, entries: LiveCallEntry[]): void {
    if (socket.disconnected) return;
    for (const view of filterVisible(entries, claims, org)) socket.emit('call', view);
  }

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

  function onDisconnect(this: FanoutSocket, reason: string): void {
    const claims = this.data.claims;
    if (!claims) return;
    expiries.remove(this, claims.exp * 1000 + graceMs);
    counts[claims.role]--;
    o.onConnectionChange?.(claims.role, -1);
    logger.debug({ sid: this.id, role: claims.role, reason }, 'socket disconnected');
  }

  /** Tells the client why (contract §7.1), then disconnects; engine.io flushes the message before closing. */
  function expire(socket: FanoutSocket): void {
    logger.info({ sid: socket.id, role: socket.data.claims?.role }, 'token expired; socket disconnected');
    socket.emit('session_expired', { code: 'token_expired' });
    socket.disconnect(true);
  }

  const clientEvents = createClientEvents({
    logger,
    clock,
    graceMs,
    throttle,
    ...(o.dial ? { dial: o.dial } : {}),
    ...(o.wrapup ? { wrapup: o.wrapup } : {}),
    onThrottle: (what) => {
      throttled[what]++;
      o.onThrottle?.(what);
    },
  });

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

  function emitDashboard(d: Dashboard): void {
    if (closed) return;
    if (d.org !== org) {
      logger.warn('refused to emit a dashboard of another org');
      return;
    }
    lastDashboard = d;
    dashboards.emit(d);
  }

  async function doClose(): Promise<void> {
    closed = true;
    offsets?.stop();
    expiries.close();
    // Only this process's sockets (in cluster mode the others stay up).
    io.local.disconnectSockets(true);
    try {
      await io.of('/').adapter.close();
    } catch (err) {
      logger.warn({ err: errText(err) }, 'socket.io adapter close failed');
    }
    io.engine.close();
  }

  return {
    io,
    emitter,
    emitDashboard,
    connectedByRole: () => ({ ...counts }),
    throttleStats: () => ({ ...throttled }),
    close: () => (closing ??= doClose()),
  };
}

function isPromiseLike<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}
