// The process-wide Socket.IO server (one per node, every tenant): the handshake (JWT verified, its `org` must be a
// tenant served here, else `forbidden`), token expiry (`session_expired`), the per-socket throttle of client events,
// connection counts, recovery keepalives, close. What a socket sees is its tenant's business (tenant-sockets.ts):
// on connect the socket is handed to its tenant, which joins its rooms and replays its dashboard and live calls.
// Attach Express to the HTTP server before calling this (engine.io forwards every non-/socket.io/ request to the
// listeners already attached).
import type { Server as HttpServer } from 'node:http';
import { type ExtendedError, Server, type ServerOptions } from 'socket.io';
import { type Clock, systemClock } from '../clock.js';
import { type Claims, type DialResult, type ErrorBody, ROLES, type Role, type WrapupResult } from '../contract.js';
import { createClientEvents } from '../fanout/client-events.js';
import { createExpirySchedule } from '../fanout/expiry.js';
import { authenticateHandshake, type HandshakeInput, MAX_CLIENT_MESSAGE_BYTES } from '../fanout/handshake.js';
import type { VerifyResult } from '../fanout/jwt.js';
import { DEFAULT_RECOVERY_MS, type OffsetKeeper, startOffsetKeeper } from '../fanout/recovery.js';
import { guardRecovery } from '../fanout/recovery-guard.js';
import type { FanoutServer, FanoutSocket } from '../fanout/server.js';
import { type ThrottleSettings, throttleSettings } from '../fanout/throttle.js';
import type { Logger } from '../log.js';

/** What the socket server needs of a tenant (tenant-sockets.ts). */
export interface TenantSocketsPort {
  /** A verified socket of this tenant: join its rooms, replay. */
  connected(socket: FanoutSocket, claims: Claims): void;
  dial?(claims: Claims, body: unknown): Promise<DialResult>;
  wrapup?(claims: Claims, body: unknown): Promise<WrapupResult>;
}

const unavailable = (message: string): ErrorBody => ({ error: 'upstream_unavailable', message });

/** handshake.auth of a socket once its token was verified (shared, empty). */
const VERIFIED: Record<string, never> = Object.freeze({});

export interface OrgSockets {
  count(): number;
  /** Each is told why (`session_expired`), then disconnected (a removed tenant, §8.2). */
  end(code: 'tenant_removed'): void;
}

export interface SocketServerOptions {
  verifier: { verify(token: string): VerifyResult };
  /** The tenant of a (normalised) org, or undefined: not served here (the handshake is `forbidden`). */
  tenant(org: string): TenantSocketsPort | undefined;
  logger: Logger;
  cors?: { origins: string[] } | false;
  adapter?: ServerOptions['adapter'];
  /** Default on, 30 s; `false` turns recovery off. A recovered session re-presents its token (middlewares run). */
  connectionStateRecovery?: ServerOptions['connectionStateRecovery'] | false;
  recoveryKeepaliveMs?: number;
  throttle?: Partial<ThrottleSettings>;
  onThrottle?: (what: 'dropped' | 'disconnected') => void;
  onConnectionChange?: (role: Role, delta: 1 | -1, org: string) => void;
  expiryGraceMs?: number;
  clock?: Clock;
  maxHttpBufferSize?: number;
}

export interface SocketServer {
  io: FanoutServer;
  connectedByRole(): Record<Role, number>;
  /** One tenant's sockets on this node (they outlive a rebuild of its runtime). */
  ofOrg(org: string): OrgSockets;
  throttleStats(): { dropped: number; disconnected: number };
  close(): Promise<void>;
}

export function createSocketServer(httpServer: HttpServer, o: SocketServerOptions): SocketServer {
  const { logger } = o;
  const clock = o.clock ?? systemClock;
  const graceMs = o.expiryGraceMs ?? 0;
  const counts = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
  /** Sockets of each org on this node (the sockets themselves are Socket.IO's: io.of('/').sockets). */
  const byOrg = new Map<string, number>();
  const throttled = { dropped: 0, disconnected: 0 };
  let closed = false;
  let closing: Promise<void> | undefined;
  const expiries = createExpirySchedule<FanoutSocket>(clock, (socket) => end(socket, 'token_expired'));
  const recovery =
    o.connectionStateRecovery === false
      ? undefined
      : { maxDisconnectionDuration: DEFAULT_RECOVERY_MS, ...o.connectionStateRecovery, skipMiddlewares: false };

  const io: FanoutServer = new Server(httpServer, {
    serveClient: false,
    // The handshake packet must be read to answer an oversized token `unauthorized` (fanout/handshake.ts).
    maxHttpBufferSize: o.maxHttpBufferSize ?? MAX_CLIENT_MESSAGE_BYTES,
    // After close(): refuse new engine.io sessions (the HTTP server itself belongs to the caller).
    allowRequest: (_req, fn) => fn(closed ? 'server closing' : null, !closed),
    ...(o.cors && o.cors.origins.length > 0
      ? { cors: { origin: o.cors.origins.includes('*') ? '*' : o.cors.origins, methods: ['GET', 'POST'] } }
      : {}),
    ...(o.adapter ? { adapter: o.adapter } : {}),
    ...(recovery ? { connectionStateRecovery: recovery } : {}),
  });
  // One keepalive room per node for every tenant's sockets (recovery.ts).
  const offsets: OffsetKeeper | undefined = recovery
    ? startOffsetKeeper(io, {
        org: '*',
        recoveryMs: recovery.maxDisconnectionDuration,
        clock,
        ...(o.recoveryKeepaliveMs ? { everyMs: o.recoveryKeepaliveMs } : {}),
      })
    : undefined;
  // A session is restored only for a verified token of the same identity (recovery-guard.ts).
  if (recovery) guardRecovery(io, { authenticate, logger });

  io.use((socket, next) => {
    const r = authenticate({ auth: socket.handshake.auth, authorization: socket.handshake.headers.authorization });
    if (r.ok) {
      socket.data.claims = r.claims;
      // The token is not read again (a recovered session re-presents its own): Socket.IO would keep it for the
      // socket's lifetime in handshake.auth.
      if (typeof (socket.handshake.auth as { token?: unknown } | undefined)?.token === 'string')
        socket.handshake.auth = VERIFIED;
      return next();
    }
    logger.info({ code: r.code, reason: r.reason, ip: socket.handshake.address }, 'socket handshake refused');
    const err: ExtendedError = new Error(r.code);
    err.data = { code: r.code };
    next(err);
  });

  function authenticate(h: HandshakeInput): VerifyResult {
    const r = authenticateHandshake(h, o.verifier, undefined, logger);
    if (r.ok && !o.tenant(r.claims.org)) return { ok: false, code: 'forbidden', reason: 'org is not a tenant here' };
    return r;
  }

  const clientEvents = createClientEvents({
    logger,
    clock,
    graceMs,
    throttle: throttleSettings(o.throttle),
    // The tenant's own click-to-call and wrap-up (what the socket's org may use, and nothing of another tenant).
    dial: async (claims, body) =>
      (await o.tenant(claims.org)?.dial?.(claims, body)) ??
      unavailable('click-to-call is not available on this bridge'),
    wrapup: async (claims, body) =>
      (await o.tenant(claims.org)?.wrapup?.(claims, body)) ?? unavailable('wrap-up is not enabled on this bridge'),
    onThrottle: (what) => {
      throttled[what]++;
      o.onThrottle?.(what);
    },
  });

  io.on('connection', (socket) => {
    const claims = socket.data.claims;
    const tenant = claims ? o.tenant(claims.org) : undefined;
    if (closed || !claims || !tenant) {
      socket.disconnect(true);
      return;
    }
    if (claims.exp * 1000 + graceMs <= clock.now()) {
      end(socket, 'token_expired');
      return;
    }
    counts[claims.role]++;
    byOrg.set(claims.org, (byOrg.get(claims.org) ?? 0) + 1);
    o.onConnectionChange?.(claims.role, 1, claims.org);
    expiries.add(socket, claims.exp * 1000 + graceMs);
    // One listener function for every socket (no closure per socket): `this` is the socket. `on`, not `once`
    // (a wrapper per socket): Socket.IO emits `disconnect` once.
    socket.on('disconnect', onDisconnect);
    clientEvents.attach(socket);
    offsets?.connected(socket);
    tenant.connected(socket, claims);
  });

  function onDisconnect(this: FanoutSocket, reason: string): void {
    const claims = this.data.claims;
    if (!claims) return;
    expiries.remove(this, claims.exp * 1000 + graceMs);
    counts[claims.role]--;
    const left = (byOrg.get(claims.org) ?? 0) - 1;
    if (left > 0) byOrg.set(claims.org, left);
    else byOrg.delete(claims.org);
    o.onConnectionChange?.(claims.role, -1, claims.org);
    logger.debug({ sid: this.id, role: claims.role, reason }, 'socket disconnected');
  }

  /** Tells the client why (contract §7.1), then disconnects; engine.io flushes the message before closing. */
  function end(socket: FanoutSocket, code: 'token_expired' | 'tenant_removed'): void {
    logger.info({ sid: socket.id, role: socket.data.claims?.role, code }, 'session ended; socket disconnected');
    socket.emit('session_expired', { code });
    socket.disconnect(true);
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
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'socket.io adapter close failed');
    }
    io.engine.close();
  }

  return {
    io,
    connectedByRole: () => ({ ...counts }),
    ofOrg: (org) => ({
      count: () => byOrg.get(org) ?? 0,
      end: (code) => {
        // Rare (a removed tenant): every local socket is looked at, none is kept in a list of its org.
        const local = [...io.of('/').sockets.values()].filter((s) => s.data.claims?.org === org);
        for (const s of local) end(s, code);
      },
    }),
    throttleStats: () => ({ ...throttled }),
    close: () => (closing ??= doClose()),
  };
}
