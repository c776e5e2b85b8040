// Options and stats of the SignalSubscriber.
import type { TokenSource } from '../antring/token-source.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { SignalProtocol } from '../shared/signal-protocol.js';
import type { BackoffOptions } from './backoff.js';
import type { WebSocketLike } from './connection.js';
import type { FetchLike } from './protocol-socketio.js';
import type { SignalState, StateInfo } from './state.js';
import type { LegEvent } from './types.js';

export interface SignalSubscriberOptions {
  /** http(s):// or ws(s)://. socketio: handshake at `{url}/socket.io/1/`; blackhole: the websocket itself. */
  url: string;
  protocol: SignalProtocol;
  accountId: string;
  bindings: string[];
  tokens: TokenSource;
  onEvent: (e: LegEvent) => void;
  logger: Logger;
  fetch?: FetchLike;
  createWebSocket?: (url: string) => WebSocketLike;
  clock?: Clock;
  random?: () => number;
  backoff?: Partial<BackoffOptions>;
  /**
   * No frame of any kind for this long = dead socket. Default: socketio 2.5 × announced heartbeat (no silence
   * timeout when the server announces no heartbeat); blackhole 30 s.
   */
  deadAfterMs?: number;
  /** blackhole keep-alive ping period. */
  pingEveryMs?: number;
  subscribeAckTimeoutMs?: number;
  maxFrameBytes?: number;
  /** Most packets waiting to be parsed at once; beyond it a packet is refused (`backlog_full`). Default 10,000. */
  maxBacklog?: number;
  /** Handshake + websocket open (+ `1::`) must finish within this. */
  connectTimeoutMs?: number;
  /** tokens.get() must answer within this. */
  tokenTimeoutMs?: number;
  onStateChange?: (state: SignalState, info: StateInfo) => void;
  onFrame?: (type: string) => void;
  onReject?: (reason: string) => void;
}

export interface SignalStats {
  state: SignalState;
  reconnects: number;
  framesIn: Record<string, number>;
  rejected: Record<string, number>;
  events: number;
  lastEventAt?: number;
  /** Packets read but not parsed yet. */
  backlog: number;
  /** A lasting reason the subscription cannot work (also in the backoff StateInfo), until a subscription succeeds. */
  problem?: string;
}
