// The simulated AntRing call-signal socket on an existing http.Server: Socket.IO 0.9 under /socket.io/ and
// Kazoo 4 blackhole on the other upgrade paths, one subscription hub, and the fault-injection handles.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { pino } from 'pino';
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import { BlackholeServer } from './signal-blackhole.js';
import { SignalHub, type SignalHubStats } from './signal-hub.js';
import type { BlackholeLimits } from './signal-limits.js';
import type { RawFrame } from './signal-malformed.js';
import { pathOf, type SocketIo09Framing, SocketIo09Server } from './signal-socketio09.js';
import type { TokenRegistry } from './token-registry.js';

export interface SignalServersOptions {
  tokens: TokenRegistry;
  /** Socket.IO 0.9: advertised heartbeat (s), also the `2::` period unless heartbeatIntervalSec. Default 5. */
  heartbeatSec?: number;
  heartbeatIntervalSec?: number;
  /** Socket.IO 0.9: advertised close timeout (s); no `2::` echo within it → the server closes the socket. Default 12. */
  closeTimeoutSec?: number;
  /** Socket.IO 0.9: batched `\ufffd` frames and object args (default: neither). */
  framing?: SocketIo09Framing;
  /** Kazoo 4 blackhole limits (per account, per IP, token bucket). */
  limits?: Partial<BlackholeLimits>;
  /** Upgrade paths served by blackhole. Default: every path outside /socket.io/. */
  blackholePaths?: string[];
  logger?: Logger;
  clock?: Clock;
}

export interface WaitForSubscriptionsOptions {
  /** Count only bindings whose token was first used (or issued, if the registry knows) at or after this time (ms). */
  freshAfter?: number;
  accountId?: string;
  /** Default 30 s. */
  timeoutMs?: number;
}

export interface SignalServersStats extends SignalHubStats {
  silenced: boolean;
  socketio: ReturnType<SocketIo09Server['stats']>;
  blackhole: ReturnType<BlackholeServer['stats']>;
}

export interface SignalServers {
  hub: SignalHub;
  /** Same as hub.publish: routes one Kazoo call event; returns deliveries sent. */
  publish(payload: Record<string, unknown>): number;
  /** For the composition's request router: answers /socket.io/ paths, returns false for anything else. */
  handleHandshake(req: IncomingMessage, res: ServerResponse): boolean;
  stats(): SignalServersStats;
  /** Terminates every socket of both protocols abruptly. Returns how many. */
  dropAll(): number;
  /** Stops heartbeats, pongs, replies and deliveries without closing (and ignores what clients send).
   *  on: open sockets and, unless existingOnly, new ones too. off: every socket speaks again. */
  silence(on: boolean, opts?: { existingOnly?: boolean }): void;
  /** Sends a frame as is to every open socket of both protocols (Buffer → binary). Returns sockets reached. */
  sendRaw(frame: RawFrame): number;
  /** Sends n varied malformed frames to every open socket, per protocol. Returns frames sent. */
  malformedFrames(n: number): number;
  /** Resolves when n bindings with a valid (and, with freshAfter, fresh) token are active. */
  waitForSubscriptions(n: number, opts?: WaitForSubscriptionsOptions): Promise<void>;
  /** Resolves when one connection is subscribed to every one of these call events of the account (a bridge listening). */
  waitForListener(accountId: string, eventNames: string[], opts?: { timeoutMs?: number }): Promise<void>;
  /** Idempotent: closes every socket, clears every timer, removes the listeners it added. */
  close(): Promise<void>;
}

export class SignalWaitError extends Error {
  override readonly name = 'SignalWaitError';
}

export function attachSignalServers(server: Server, opts: SignalServersOptions): SignalServers {
  const logger = (opts.logger ?? pino({ level: 'silent' })).child({ mod: 'sim-signal' });
  const clock = opts.clock ?? systemClock;
  const hub = new SignalHub({ tokens: opts.tokens, now: () => clock.now(), logger });
  const base = { hub, clock, logger };
  const sio = new SocketIo09Server({
    ...base,
    heartbeatSec: opts.heartbeatSec,
    heartbeatIntervalSec: opts.heartbeatIntervalSec,
    closeTimeoutSec: opts.closeTimeoutSec,
    framing: opts.framing,
  });
  const bh = new BlackholeServer({ ...base, limits: opts.limits });
  const bhPaths = opts.blackholePaths ? new Set(opts.blackholePaths) : undefined;
  let silenced = false;
  let closing: Promise<void> | undefined;
  const waits = new Set<{ check: () => void; fail: (err: Error) => void }>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      if (sio.handleUpgrade(req, socket, head)) return;
      const path = pathOf(req);
      if (bhPaths && !bhPaths.has(path)) return; // someone else's upgrade
      bh.handleUpgrade(req, socket, head);
    } catch (err) {
      logger.error({ err }, 'signal upgrade failed');
      socket.destroy();
    }
  };
  server.on('upgrade', onUpgrade);

  const offSubscribed = hub.onSubscribed(() => {
    for (const w of [...waits]) w.check();
  });

  const waitForSubscriptions = (n: number, w: WaitForSubscriptionsOptions = {}): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (closing) return reject(new SignalWaitError('signal servers closed'));
      const count = () => hub.countSubscriptions({ validOnly: true, freshAfter: w.freshAfter, accountId: w.accountId });
      if (count() >= n) return resolve();
      const entry = {
        check: () => {
          if (count() < n) return;
          done();
          resolve();
        },
        fail: (err: Error) => {
          done();
          reject(err);
        },
      };
      const timer = clock.setTimeout(
        () =>
          entry.fail(new SignalWaitError(`waited ${w.timeoutMs ?? 30_000} ms for ${n} subscriptions, have ${count()}`)),
        w.timeoutMs ?? 30_000,
      );
      const done = () => {
        clock.clearTimeout(timer);
        waits.delete(entry);
      };
      waits.add(entry);
    });

  const doClose = async (): Promise<void> => {
    server.off('upgrade', onUpgrade);
    offSubscribed();
    for (const w of [...waits]) w.fail(new SignalWaitError('signal servers closed'));
    await Promise.all([sio.close(), bh.close()]);
    hub.clear();
    logger.debug('signal servers closed');
  };

  return {
    hub,
    publish: (payload) => hub.publish(payload),
    handleHandshake: (req, res) => sio.handleHandshake(req, res),
    stats: () => ({ ...hub.stats(), silenced, socketio: sio.stats(), blackhole: bh.stats() }),
    dropAll: () => {
      const n = sio.dropAll() + bh.dropAll();
      logger.info({ sockets: n }, 'fault: dropped every signal socket');
      return n;
    },
    silence: (on, s = {}) => {
      silenced = on;
      sio.silence(on, s.existingOnly ?? false);
      bh.silence(on, s.existingOnly ?? false);
      logger.info({ on, existingOnly: s.existingOnly ?? false }, 'fault: signal silence');
    },
    sendRaw: (frame) => sio.sendRaw(frame) + bh.sendRaw(frame),
    malformedFrames: (n) => sio.malformedFrames(n) + bh.malformedFrames(n),
    waitForSubscriptions,
    waitForListener: (accountId, eventNames, o = {}) =>
      new Promise<void>((resolve, reject) => {
        if (closing) return reject(new SignalWaitError('signal servers closed'));
        const keys = eventNames.map((n) => `call.${n}.x`);
        if (hub.covers(accountId, keys)) return resolve();
        const entry = {
          check: () => {
            if (!hub.covers(accountId, keys)) return;
            done();
            resolve();
          },
          fail: (err: Error) => {
            done();
            reject(err);
          },
        };
        const ms = o.timeoutMs ?? 30_000;
        const timer = clock.setTimeout(
          () => entry.fail(new SignalWaitError(`no listener for ${eventNames.join(', ')} within ${ms} ms`)),
          ms,
        );
        const done = () => {
          clock.clearTimeout(timer);
          waits.delete(entry);
        };
        waits.add(entry);
      }),
    close: () => (closing ??= doClose()),
  };
}
