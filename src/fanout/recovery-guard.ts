// Connection state recovery only for the same verified identity (issue 15 item 11). Socket.IO 4.8 restores a session
// while it builds the socket, before any middleware runs: its rooms, its socket.data and its missed packets, which
// are written to the transport at once (whatever `skipMiddlewares` says). So a client that presents a session id and
// an offset (`auth: { pid, offset }`) must be checked before the adapter's `restoreSession` answers:
//
//  1. An engine hook reads each connection's first CONNECT packet first (a `data` listener put before Socket.IO's
//     own, removed once it has seen it) and verifies its token (`auth.token`, else `Authorization: Bearer`) with
//     the handshake's rules.
//  2. The adapter's `restoreSession` is wrapped: it restores a session only when (1) verified a token for that
//     session id, and the stored session's claims name the same identity (org, role, sub, agent, queues; `exp` may
//     differ: a refreshed token). Otherwise it answers null: Socket.IO builds a fresh socket, and the middleware
//     then refuses it (unauthorized / token_expired / forbidden) or serves it as any new connection.
//
// (1) and (2) meet within one synchronous dispatch (engine `data` → decoder → namespace `_add` → `restoreSession`);
// the verified claims are kept only until the next microtask. Were Socket.IO ever to defer `restoreSession`, the
// guard would find nothing verified and refuse: it fails closed (a fresh session), never open.
import type { Claims } from '../contract.js';
import type { Logger } from '../log.js';
import type { HandshakeInput } from './handshake.js';
import type { VerifyResult } from './jwt.js';
import type { FanoutServer } from './server.js';

type Adapter = ReturnType<FanoutServer['of']>['adapter'];

interface EngineConn {
  request: { headers: { authorization?: string | undefined } };
  prependListener(event: 'data', fn: (this: EngineConn, data: unknown) => void): unknown;
  removeListener(event: 'data', fn: (this: EngineConn, data: unknown) => void): unknown;
}

export interface RecoveryGuardOptions {
  authenticate(h: HandshakeInput): VerifyResult;
  logger: Logger;
}

/** Same person, same scope: what a restored session (its rooms, its missed packets) was built for. */
export function sameIdentity(a: Claims, b: Claims): boolean {
  return (
    a.org === b.org &&
    a.role === b.role &&
    a.sub === b.sub &&
    a.agent === b.agent &&
    a.queues.length === b.queues.length &&
    [...a.queues].sort().join('\n') === [...b.queues].sort().join('\n')
  );
}

/** The auth payload of a Socket.IO (protocol 5) CONNECT packet: `0`, then `/nsp,` unless the main namespace, then
 *  JSON. Anything else (another packet, binary, malformed): undefined. */
export function connectPacketAuth(data: unknown): Record<string, unknown> | undefined {
  if (typeof data !== 'string' || data[0] !== '0') return undefined;
  let body = data.slice(1);
  if (body.startsWith('/')) {
    const comma = body.indexOf(',');
    if (comma < 0) return undefined;
    body = body.slice(comma + 1);
  }
  if (body === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function guardRecovery(io: FanoutServer, o: RecoveryGuardOptions): void {
  /** Session id → the claims of a token verified for it in the current dispatch. */
  const verified = new Map<string, Claims>();

  // One listener function for every connection (`this` is the connection), removed at the connection's first
  // CONNECT packet: nothing of it stays per connection. A later CONNECT on the same connection (another namespace;
  // the bridge serves `/` only) finds nothing verified: its session is not restored (fails closed).
  function onData(this: EngineConn, data: unknown): void {
    if (typeof data !== 'string' || data[0] !== '0') return;
    this.removeListener('data', onData);
    const auth = connectPacketAuth(data);
    if (!auth || typeof auth.pid !== 'string' || typeof auth.offset !== 'string') return;
    const pid = auth.pid;
    const r = o.authenticate({ auth, authorization: this.request.headers.authorization });
    if (!r.ok) return;
    verified.set(pid, r.claims);
    queueMicrotask(() => {
      if (verified.get(pid) === r.claims) verified.delete(pid);
    });
  }
  io.engine.on('connection', (conn: EngineConn) => {
    conn.prependListener('data', onData);
  });

  const wrap = (adapter: Adapter) => {
    const restore = adapter.restoreSession.bind(adapter);
    adapter.restoreSession = (pid, offset) => {
      // Read synchronously: the claims live until the next microtask.
      const claims = verified.get(pid);
      verified.delete(pid);
      if (!claims) {
        o.logger.info({ reason: 'no verified token' }, 'session recovery refused');
        return Promise.resolve(null as unknown as Awaited<ReturnType<Adapter['restoreSession']>>);
      }
      return Promise.resolve(restore(pid, offset)).then((session) => {
        if (!session) return session;
        const prior = (session.data as { claims?: Claims } | null | undefined)?.claims;
        if (prior && typeof prior === 'object' && Array.isArray(prior.queues) && sameIdentity(prior, claims)) {
          return session;
        }
        o.logger.info({ reason: 'another identity', role: claims.role }, 'session recovery refused');
        return null as unknown as typeof session;
      });
    };
  };
  wrap(io.of('/').adapter);
  io.on('new_namespace', (nsp) => wrap(nsp.adapter));
}
