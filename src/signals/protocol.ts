// What a wire protocol (socketio 0.9, blackhole JSON) provides to the subscriber, per connection.
import type { SignalProtocol } from '../shared/signal-protocol.js';

/** One inbound frame, as the subscriber needs to see it. */
export type Inbound =
  | { kind: 'connected' }
  | { kind: 'keepalive' }
  | { kind: 'event'; name?: string; payload: unknown }
  | { kind: 'ack'; ref: string }
  /** auth_failure / error. `ref` when tied to a request; `cause` when the server named the token it refused. */
  | { kind: 'failure'; what: 'auth_failure' | 'error'; ref?: string; cause?: string }
  | { kind: 'disconnect'; reason: string }
  | { kind: 'ignore' }
  | { kind: 'reject'; reason: string };

export interface Interpreted {
  /** For stats.framesIn: `heartbeat`, `event`, `ack`, `reply`, `invalid`, … */
  frameType: string;
  inbound: Inbound;
  /** A frame to send back right away (heartbeat echo, ack). */
  reply?: string;
}

export interface ConnectTarget {
  wsUrl: string;
  /**
   * Dead-socket timeout when the caller did not set one. undefined: the server sends nothing on a quiet link
   * (socket.io 0.9 with heartbeats off), so silence is never a reason to drop it (TCP keepalive watches the peer).
   */
  deadAfterMs: number | undefined;
}

/** One packet cut out of a websocket message, not parsed yet; or a packet whose framing was unreadable. */
export type RawPacket = { ok: true; text: string } | { ok: false; reason: string };

export interface ProtocolSession {
  readonly name: SignalProtocol;
  /** socketio waits for `1::` after the socket opens; blackhole is ready at open. */
  readonly awaitsConnectFrame: boolean;
  /** Anything needed before the websocket (socketio: the HTTP handshake). Rejects on abort. */
  prepare(signal: AbortSignal): Promise<ConnectTarget>;
  /** One websocket message → its packets, cut but not parsed (socketio may frame several in one). Cheap; never throws. */
  split(text: string): RawPacket[];
  /** A keep-alive packet to answer at once, ahead of any backlog (socketio `2::`); undefined for anything else. Cheap. */
  urgent(packet: string): Interpreted | undefined;
  /** One packet → what it means. Never throws. */
  interpret(packet: string): Interpreted;
  /** One subscribe frame; `ref` identifies its ack/reply. The frame carries the token: never log it. */
  subscribeFrame(binding: string, authToken: string): { ref: string; frame: string };
  /** A keep-alive to send periodically, when the protocol has one the client initiates. */
  pingFrame(): string | undefined;
  /** Said before a deliberate close. */
  closingFrame(): string | undefined;
}

/** `ws://` / `wss://` form of an http(s) or ws(s) URL, trailing slashes removed. */
export function toWsUrl(url: string): string {
  return trimSlash(url.replace(/^http(s?):\/\//i, 'ws$1://'));
}

/** `http://` / `https://` form of an http(s) or ws(s) URL, trailing slashes removed. */
export function toHttpUrl(url: string): string {
  return trimSlash(url.replace(/^ws(s?):\/\//i, 'http$1://'));
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
