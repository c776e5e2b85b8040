// One attempt at the signal socket: protocol preparation (socketio handshake), the websocket, the dead-socket
// watchdog and the client pings. Reports `lost` at most once; close() is idempotent and releases every timer.
import WebSocket from 'ws';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { errSummary } from '../shared/errors.js';
import type { ConnectTarget, ProtocolSession } from './protocol.js';
import { TimerSlots } from './timer-slots.js';

/** The part of a `ws` WebSocket the subscriber uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate?(): void;
  // biome-ignore lint/suspicious/noExplicitAny: listeners of `ws` and of test fakes take different arguments per event
  on(event: 'open' | 'message' | 'close' | 'error', listener: (...args: any[]) => void): unknown;
}

export interface ConnectionOptions {
  session: ProtocolSession;
  clock: Clock;
  logger: Logger;
  createWebSocket?: (url: string) => WebSocketLike;
  /** Overrides the protocol's dead-socket default. */
  deadAfterMs?: number;
  pingEveryMs: number;
  onOpen: () => void;
  onMessage: (data: unknown, isBinary: boolean) => void;
  onLost: (reason: string, err?: unknown, extra?: Record<string, unknown>) => void;
}

const OPEN = 1;
const CLOSED = 3;
const CLOSE_GRACE_MS = 1_000;
/**
 * TCP keepalive on the socket: what finds a dead peer on a link that is silent by design (socket.io 0.9 without
 * heartbeats). Not websocket pings: a real socket.io 0.9 server answers them with a malformed pong ("RSV1 must be
 * clear") that makes `ws` close the connection.
 */
export const TCP_KEEPALIVE_MS = 30_000;

export class SignalConnection {
  private readonly timers: TimerSlots<'watchdog' | 'ping' | 'grace'>;
  private readonly abort = new AbortController();
  private ws?: WebSocketLike;
  private closed = false;
  private lastFrameAt = 0;
  /** undefined: silence is normal on this link (no watchdog). */
  private deadMs: number | undefined = 30_000;
  private markClosed!: () => void;
  private readonly whenClosed = new Promise<void>((r) => (this.markClosed = r));

  constructor(private readonly opts: ConnectionOptions) {
    this.timers = new TimerSlots(opts.clock);
  }

  get session(): ProtocolSession {
    return this.opts.session;
  }

  get deadAfterMs(): number | undefined {
    return this.deadMs;
  }

  /** Prepares (handshake) and opens the websocket; failures arrive through onLost. */
  async start(): Promise<void> {
    let target: ConnectTarget;
    try {
      target = await this.opts.session.prepare(this.abort.signal);
    } catch (err) {
      if (!this.closed) this.lost('handshake_failed', err);
      else this.opts.logger.debug({ err: errSummary(err) }, 'abandoned handshake ended');
      return;
    }
    if (this.closed) return;
    this.deadMs = target.deadAfterMs === undefined ? undefined : (this.opts.deadAfterMs ?? target.deadAfterMs);
    let ws: WebSocketLike;
    try {
      ws = this.opts.createWebSocket ? this.opts.createWebSocket(target.wsUrl) : openWebSocket(target.wsUrl);
    } catch (err) {
      this.lost('websocket_failed', err);
      return;
    }
    this.ws = ws;
    ws.on('open', () => {
      if (this.closed) return;
      this.lastFrameAt = this.opts.clock.now();
      this.armWatchdog();
      if (this.opts.session.pingFrame() !== undefined) this.schedulePing();
      this.opts.onOpen();
    });
    ws.on('message', (data: unknown, isBinary: boolean) => {
      if (this.closed) return;
      this.lastFrameAt = this.opts.clock.now();
      this.opts.onMessage(data, isBinary === true);
    });
    ws.on('close', (code: number) => {
      this.markClosed();
      this.lost('socket_closed', undefined, { code });
    });
    ws.on('error', (err: unknown) => this.lost('socket_error', err));
  }

  /** Sends one frame when open. Frames may carry the token: only the error is logged. */
  send(frame: string): boolean {
    const ws = this.ws;
    if (this.closed || !ws || ws.readyState !== OPEN) return false;
    try {
      ws.send(frame);
      return true;
    } catch (err) {
      this.opts.logger.warn({ err: errSummary(err) }, 'signal socket send failed');
      return false;
    }
  }

  /** Idempotent. graceful: say goodbye, close(1000), wait up to 1 s, then terminate. */
  async close(graceful: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timers.clearAll();
    this.abort.abort();
    const ws = this.ws;
    if (!ws) return;
    try {
      if (graceful && ws.readyState === OPEN) {
        const bye = this.opts.session.closingFrame();
        if (bye) ws.send(bye);
        ws.close(1000, 'bye');
        let graceOver!: () => void;
        const grace = new Promise<void>((r) => (graceOver = r));
        this.timers.set('grace', CLOSE_GRACE_MS, graceOver);
        await Promise.race([this.whenClosed, grace]);
        this.timers.clear('grace');
        if ((ws.readyState as number) !== CLOSED) (ws.terminate ?? ws.close).call(ws);
      } else if (ws.terminate) ws.terminate();
      else ws.close();
    } catch (err) {
      this.opts.logger.debug({ err: errSummary(err) }, 'closing the signal socket failed');
    }
  }

  private lost(reason: string, err?: unknown, extra?: Record<string, unknown>): void {
    if (this.closed) {
      if (err !== undefined) this.opts.logger.debug({ err: errSummary(err) }, 'error on a closed signal socket');
      return;
    }
    this.timers.clearAll();
    this.opts.onLost(reason, err, extra);
  }

  private armWatchdog(): void {
    const deadMs = this.deadMs;
    if (deadMs === undefined) return;
    const wait = this.lastFrameAt + deadMs - this.opts.clock.now();
    this.timers.set('watchdog', Math.max(wait, 1), () => {
      const silentMs = this.opts.clock.now() - this.lastFrameAt;
      if (silentMs >= deadMs) this.lost('dead_socket', undefined, { silentMs });
      else this.armWatchdog();
    });
  }

  private schedulePing(): void {
    this.timers.set('ping', this.opts.pingEveryMs, () => {
      const ping = this.opts.session.pingFrame();
      if (ping) this.send(ping);
      this.schedulePing();
    });
  }
}

/** A `ws` client with TCP keepalive on its socket once upgraded. */
function openWebSocket(url: string): WebSocketLike {
  const ws = new WebSocket(url);
  ws.once('upgrade', (res) => res.socket.setKeepAlive(true, TCP_KEEPALIVE_MS));
  return ws;
}
