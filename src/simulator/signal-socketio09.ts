// The simulated AntRing call-signal socket, Socket.IO 0.9 flavour (Kazoo 3.x blackhole, as AntBuddy documents it):
// `GET /socket.io/1/?t=<ms>` → `<sid>:<heartbeat s>:<close timeout s>:websocket`, then a websocket on
// `/socket.io/1/websocket/<sid>`: `1::` on open, `2::` heartbeats the client echoes, `subscribe`/`unsubscribe`
// events, `auth_failure` on a bad token, call events as `5:::{"name":"<Event-Name>","args":[payload]}` (or, with
// `framing.objectArgs`, `"args":{payload}`), and with `framing.batch` the events of one tick in one message framed
// `\ufffd<len>\ufffd<packet>…`, len in Unicode code points (issue 9 item 7).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Delivery } from './signal-hub.js';
import { type MalformedContext, type RawFrame, socketio09MalformedFrames } from './signal-malformed.js';
import {
  CONNECT_FRAME,
  decodePacket,
  ERROR_FRAME,
  encodeEvent,
  encodePayload,
  HEARTBEAT_FRAME,
  NOT_HANDSHAKEN_FRAME,
  type Packet09,
  PacketType,
  splitPayload,
} from './signal-socketio09-codec.js';
import { onClientEvent } from './signal-socketio09-events.js';
import { refuseUpgrade, SignalWsServer, type WsConn, type WsServerBase } from './signal-ws-base.js';

export interface SocketIo09Options extends WsServerBase {
  /** Advertised in the handshake (first number). Default 5. */
  heartbeatSec?: number;
  /** How often `2::` is sent. Default heartbeatSec. */
  heartbeatIntervalSec?: number;
  /** Advertised in the handshake (second number); no `2::` echo within it → the socket is closed. Default 12. */
  closeTimeoutSec?: number;
  framing?: SocketIo09Framing;
}

/** How call events are framed; default: one `5:::` message per event with array args. */
export interface SocketIo09Framing {
  /** Chance that the events published in one tick go in one `\ufffd`-framed message (a single one framed too). */
  batch?: number;
  /** Chance that an event's `args` is the payload object instead of `[payload]`. */
  objectArgs?: number;
  random?: () => number;
}

interface Conn09 extends WsConn {
  sid: string;
  heartbeatTimer: unknown;
  echoTimer: unknown;
  /** Event packets waiting for the end of the tick (batching on). */
  outbox: string[];
}

const WS_PATH = /^\/socket\.io\/1\/websocket\/([^/]+)\/?$/;

export class SocketIo09Server extends SignalWsServer<Conn09> {
  private readonly heartbeatSec: number;
  private readonly heartbeatMs: number;
  private readonly closeTimeoutSec: number;
  private readonly framing: Required<SocketIo09Framing>;
  private readonly pending = new Map<string, unknown>(); // sid → expiry timer
  private readonly stats09 = {
    handshakes: 0,
    notHandshaken: 0,
    heartbeatsSent: 0,
    heartbeatEchoes: 0,
    heartbeatTimeouts: 0,
    malformedIn: 0,
    unknownEvents: 0,
    clientDisconnects: 0,
    refusedUpgrades: 0,
    batchedFrames: 0,
    objectArgEvents: 0,
  };

  constructor(opts: SocketIo09Options) {
    super(opts, 'socketio09');
    this.heartbeatSec = opts.heartbeatSec ?? 5;
    this.heartbeatMs = (opts.heartbeatIntervalSec ?? this.heartbeatSec) * 1000;
    this.closeTimeoutSec = opts.closeTimeoutSec ?? 12;
    this.framing = {
      batch: opts.framing?.batch ?? 0,
      objectArgs: opts.framing?.objectArgs ?? 0,
      random: opts.framing?.random ?? Math.random,
    };
  }

  /** Answers requests under `/socket.io/`; returns false (touching nothing) for any other path. */
  handleHandshake(req: IncomingMessage, res: ServerResponse): boolean {
    const path = pathOf(req);
    if (path !== '/socket.io' && !path.startsWith('/socket.io/')) return false;
    if (this.closed) {
      text(res, 503, 'signal server closed');
      return true;
    }
    if (path !== '/socket.io/1' && path !== '/socket.io/1/') {
      text(res, 400, 'unsupported socket.io protocol or transport (this server speaks socket.io 0.9)');
      return true;
    }
    const sid = randomBytes(10).toString('hex');
    this.pending.set(
      sid,
      this.opts.clock.setTimeout(() => this.pending.delete(sid), this.closeTimeoutSec * 1000),
    );
    this.stats09.handshakes++;
    text(res, 200, `${sid}:${this.heartbeatSec}:${this.closeTimeoutSec}:websocket`);
    return true;
  }

  /** Takes upgrades under `/socket.io/`; returns false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = pathOf(req);
    if (path !== '/socket.io' && !path.startsWith('/socket.io/')) return false;
    const m = WS_PATH.exec(path);
    if (!m) {
      this.stats09.refusedUpgrades++;
      refuseUpgrade(socket, 400, 'Bad Request');
      return true;
    }
    const sid = m[1];
    this.accept(req, socket, head, (ws) => this.open(ws, sid, req.socket.remoteAddress ?? ''));
    return true;
  }

  stats() {
    return { ...this.base, ...this.stats09, open: this.conns.size, pendingHandshakes: this.pending.size };
  }

  private open(ws: WebSocket, sid: string, remoteAddress: string): void {
    const expiry = this.pending.get(sid);
    if (expiry === undefined) {
      // Like a 0.9 server: error "client not handshaken", advice "reconnect", then close.
      this.stats09.notHandshaken++;
      ws.send(NOT_HANDSHAKEN_FRAME, () => ws.terminate()); // 0.9 ends the TCP socket, no close handshake
      return;
    }
    this.opts.clock.clearTimeout(expiry);
    this.pending.delete(sid);
    const c: Conn09 = {
      id: `sio-${sid}`,
      ws,
      sid,
      remoteAddress,
      silenced: this.silentAll,
      closed: false,
      heartbeatTimer: undefined,
      echoTimer: undefined,
      outbox: [],
    };
    this.opts.hub.addConnection(c.id, 'socketio09', (d) => this.deliver(c, d));
    this.track(c);
    this.send(c, CONNECT_FRAME);
    this.scheduleHeartbeat(c);
    this.log.debug({ connectionId: c.id }, 'socket.io 0.9 connection open');
  }

  private deliver(c: Conn09, d: Delivery): boolean {
    const asObject = this.chance(this.framing.objectArgs);
    if (asObject) this.stats09.objectArgEvents++;
    const packet = encodeEvent(d.eventName, asObject ? d.payload : [d.payload]);
    if (!(this.framing.batch > 0)) return this.send(c, packet);
    if (c.closed || this.isSilent(c) || c.ws.readyState !== c.ws.OPEN) return false;
    c.outbox.push(packet);
    if (c.outbox.length === 1) queueMicrotask(() => this.flush(c));
    return true;
  }

  /** Sends the events queued this tick: by chance in one framed message (a single one framed too), else one by one. */
  private flush(c: Conn09): void {
    const packets = c.outbox.splice(0);
    if (!packets.length) return;
    if (this.chance(this.framing.batch)) {
      if (super.send(c, encodePayload(packets))) this.stats09.batchedFrames++;
      return;
    }
    for (const p of packets) super.send(c, p);
  }

  /** Every other frame waits for the events queued before it (order kept). */
  protected override send(c: Conn09, frame: string): boolean {
    if (c.outbox.length) this.flush(c);
    return super.send(c, frame);
  }

  private chance(p: number): boolean {
    return p > 0 && this.framing.random() < p;
  }

  private scheduleHeartbeat(c: Conn09): void {
    c.heartbeatTimer = this.opts.clock.setTimeout(() => {
      c.heartbeatTimer = undefined;
      if (c.closed) return;
      if (this.send(c, HEARTBEAT_FRAME)) {
        this.stats09.heartbeatsSent++;
        c.echoTimer ??= this.opts.clock.setTimeout(() => this.echoTimedOut(c), this.closeTimeoutSec * 1000);
      }
      this.scheduleHeartbeat(c);
    }, this.heartbeatMs);
  }

  private echoTimedOut(c: Conn09): void {
    c.echoTimer = undefined;
    if (c.closed || this.isSilent(c)) return;
    this.stats09.heartbeatTimeouts++;
    this.log.info({ connectionId: c.id }, 'socket.io 0.9: no heartbeat echo within the close timeout, closing');
    this.kill(c);
  }

  protected onRelease(c: Conn09): void {
    c.outbox.length = 0;
    if (c.heartbeatTimer !== undefined) this.opts.clock.clearTimeout(c.heartbeatTimer);
    if (c.echoTimer !== undefined) this.opts.clock.clearTimeout(c.echoTimer);
    c.heartbeatTimer = c.echoTimer = undefined;
  }

  protected malformedList(ctx: MalformedContext): RawFrame[] {
    return socketio09MalformedFrames(ctx);
  }

  protected onFrame(c: Conn09, data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.malformed(c, 'binary frame');
    const packets = splitPayload(data.toString('utf8'));
    if (!packets) return this.malformed(c, 'broken payload framing');
    for (const raw of packets) {
      const p = decodePacket(raw);
      if (!p) {
        this.malformed(c, 'not a socket.io 0.9 packet');
        continue;
      }
      this.onPacket(c, p);
      if (c.closed) return;
    }
  }

  private onPacket(c: Conn09, p: Packet09): void {
    switch (p.type) {
      case PacketType.heartbeat:
        this.stats09.heartbeatEchoes++;
        if (c.echoTimer !== undefined) this.opts.clock.clearTimeout(c.echoTimer);
        c.echoTimer = undefined;
        return;
      case PacketType.disconnect:
        if (p.endpoint === '') {
          this.stats09.clientDisconnects++;
          this.kill(c); // like 0.9: the server ends the TCP socket
        }
        return;
      case PacketType.event:
        return this.onEvent(c, p);
      default:
        return; // connect, message, json, ack, error, noop: nothing to do for this server
    }
  }
  private onEvent(c: Conn09, p: Packet09): void {
    onClientEvent(this.opts.hub, c.id, p, {
      send: (frame) => this.send(c, frame),
      malformed: (why) => this.malformed(c, why),
      unhandled: (event) => {
        this.stats09.unknownEvents++;
        this.log.debug({ connectionId: c.id, event }, 'socket.io 0.9: unhandled event');
      },
    });
  }

  private malformed(c: Conn09, why: string): void {
    this.stats09.malformedIn++;
    this.log.debug({ connectionId: c.id, why }, 'socket.io 0.9: malformed client frame');
    this.send(c, ERROR_FRAME);
  }

  protected override async doClose(): Promise<void> {
    for (const t of this.pending.values()) this.opts.clock.clearTimeout(t);
    this.pending.clear();
    await super.doClose();
  }
}

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Length': Buffer.byteLength(body),
    'Access-Control-Allow-Origin': '*',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}
