// What both simulated signal-socket protocols share: the websocket server (noServer), the set of open
// sockets, silence (a dead socket that stays open), raw and malformed frames, abrupt drops and close().
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { SignalHub, SignalProtocol } from './signal-hub.js';
import { type MalformedContext, type RawFrame, randomAccountId } from './signal-malformed.js';

/** Largest frame a client may send (bigger: ws closes the socket with 1009). */
export const MAX_INBOUND_FRAME = 1024 * 1024;

export interface WsServerBase {
  hub: SignalHub;
  clock: Clock;
  logger: Logger;
}

export interface WsConn {
  id: string;
  ws: WebSocket;
  /** Silenced by silence(true, { existingOnly }) or because the whole server was silent at open. */
  silenced: boolean;
  closed: boolean;
  remoteAddress: string;
}

export abstract class SignalWsServer<C extends WsConn> {
  protected readonly conns = new Map<string, C>();
  protected silentAll = false;
  protected closed = false;
  protected readonly wss: WebSocketServer;
  protected readonly log: Logger;
  private stopping: Promise<void> | undefined;
  protected readonly base = {
    framesIn: 0,
    framesOut: 0,
    rawFramesOut: 0,
    ignoredWhileSilent: 0,
    dropped: 0,
    opened: 0,
    handlerErrors: 0,
  };

  constructor(
    protected readonly opts: WsServerBase,
    protected readonly protocol: SignalProtocol,
  ) {
    this.log = opts.logger.child({ protocol });
    this.wss = new WebSocketServer({
      noServer: true,
      autoPong: false,
      maxPayload: MAX_INBOUND_FRAME,
      clientTracking: false,
    });
    this.wss.on('error', (err) => this.log.error({ err }, 'signal websocket server error'));
  }

  /** Completes the upgrade and hands the socket to `open`. */
  protected accept(req: IncomingMessage, socket: Duplex, head: Buffer, open: (ws: WebSocket) => void): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.closed) {
        ws.terminate();
        return;
      }
      try {
        open(ws);
      } catch (err) {
        this.base.handlerErrors++;
        this.log.error({ err }, 'signal socket open failed');
        ws.terminate();
      }
    });
  }

  /** Wires a new connection's events; `onFrame` gets every inbound frame unless the socket is silent. */
  protected track(c: C): void {
    this.conns.set(c.id, c);
    this.base.opened++;
    const { ws } = c;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (c.closed) return;
      this.base.framesIn++;
      if (this.isSilent(c)) {
        this.base.ignoredWhileSilent++;
        return;
      }
      try {
        this.onFrame(c, toBuffer(data), isBinary);
      } catch (err) {
        this.base.handlerErrors++;
        this.log.error({ err, connectionId: c.id }, 'signal frame handler failed');
      }
    });
    ws.on('ping', (data: Buffer) => {
      if (!this.isSilent(c) && ws.readyState === WebSocket.OPEN) ws.pong(data);
    });
    ws.on('error', (err) => this.log.debug({ err, connectionId: c.id }, 'signal socket error'));
    ws.on('close', () => this.release(c));
  }

  protected abstract onFrame(c: C, data: Buffer, isBinary: boolean): void;
  /** Frees what the protocol holds for a connection (timers); called once per connection. */
  protected abstract onRelease(c: C): void;
  protected abstract malformedList(ctx: MalformedContext): RawFrame[];

  protected isSilent(c: C): boolean {
    return this.silentAll || c.silenced;
  }

  /** Sends a frame the server sends on its own: suppressed while the socket is silent. */
  protected send(c: C, frame: string): boolean {
    if (c.closed || this.isSilent(c) || c.ws.readyState !== WebSocket.OPEN) return false;
    this.base.framesOut++;
    c.ws.send(frame, (err) => {
      if (err) this.log.debug({ err, connectionId: c.id }, 'signal send failed');
    });
    return true;
  }

  private sendRawTo(c: C, frame: RawFrame): boolean {
    if (c.closed || c.ws.readyState !== WebSocket.OPEN) return false;
    this.base.rawFramesOut++;
    c.ws.send(frame, { binary: Buffer.isBuffer(frame) }, (err) => {
      if (err) this.log.debug({ err, connectionId: c.id }, 'signal raw send failed');
    });
    return true;
  }

  protected release(c: C): void {
    if (c.closed) return;
    c.closed = true;
    this.conns.delete(c.id);
    this.opts.hub.removeConnection(c.id);
    this.onRelease(c);
  }

  /** Abruptly closes a socket (no close frame), like a dead TCP peer or a crashed server. */
  protected kill(c: C): void {
    c.ws.terminate();
    this.release(c);
  }

  /** on: every open socket goes silent, and new ones too unless existingOnly. off: every socket speaks again. */
  silence(on: boolean, existingOnly = false): void {
    if (!on) {
      this.silentAll = false;
      for (const c of this.conns.values()) c.silenced = false;
      return;
    }
    if (!existingOnly) this.silentAll = true;
    for (const c of this.conns.values()) c.silenced = true;
  }

  /** Sends a frame as is to every open socket (Buffer → binary frame), silent or not. Returns sockets reached. */
  sendRaw(frame: RawFrame): number {
    let n = 0;
    for (const c of [...this.conns.values()]) if (this.sendRawTo(c, frame)) n++;
    return n;
  }

  /** Sends n malformed frames (cycling through the protocol's list) to every open socket. Returns frames sent. */
  malformedFrames(n: number): number {
    let sent = 0;
    for (const c of [...this.conns.values()]) {
      const accountId = this.opts.hub.bindingsOf(c.id)[0]?.accountId ?? randomAccountId();
      let otherAccountId = randomAccountId();
      while (otherAccountId === accountId) otherAccountId = randomAccountId();
      const list = this.malformedList({ accountId, otherAccountId });
      for (let i = 0; i < n; i++) if (this.sendRawTo(c, list[i % list.length])) sent++;
    }
    return sent;
  }

  /** Terminates every open socket abruptly. Returns how many. */
  dropAll(): number {
    const all = [...this.conns.values()];
    for (const c of all) this.kill(c);
    this.base.dropped += all.length;
    return all.length;
  }

  openSockets(): number {
    return this.conns.size;
  }

  /** Idempotent: terminates every socket, frees every timer. */
  close(): Promise<void> {
    this.stopping ??= this.doClose();
    return this.stopping;
  }

  protected async doClose(): Promise<void> {
    this.closed = true;
    for (const c of [...this.conns.values()]) this.kill(c);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Answers a refused upgrade with a plain HTTP status and closes the TCP socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}
