// Test kit for the signal subscriber: a fake AntRing signal socket (socketio 0.9 handshake + websocket, or
// blackhole JSON) on real local servers (port 0), a fake TokenSource (the log capture and the
// timer-tracking clock are in test/helpers).
// Not a test file itself (no `.test.ts`).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as assert from 'uvu/assert';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AuthToken, TokenSource } from '../../src/antring/token-source.js';
import type { SignalProtocol } from '../../src/shared/signal-protocol.js';
import { encodeEventFrame, encodeReply } from '../../src/signals/blackhole-codec.js';
import { decode, encodeAck, encodeEvent } from '../../src/signals/socketio09-codec.js';
import {
  type SignalState,
  SignalSubscriber,
  type SignalSubscriberOptions,
  type StateInfo,
} from '../../src/signals/subscriber.js';
import type { LegEvent } from '../../src/signals/types.js';
import { trackingClock } from '../helpers/clock.js';
import { captureLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/wait.js';

export const ACCOUNT = '0123456789abcdef0123456789abcdef';
export const BINDINGS = ['call.CHANNEL_CREATE.*', 'call.CHANNEL_DESTROY.*'];

export function kazooEvent(name: string, callId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'Event-Category': 'call_event',
    'Event-Name': name,
    'Call-ID': callId,
    'Call-Direction': 'inbound',
    'Caller-ID-Number': '0934890883',
    'Custom-Channel-Vars': { 'Account-ID': ACCOUNT },
    Timestamp: 63910891956,
    ...extra,
  };
}

// ---- tokens -----------------------------------------------------------------------------------------

export class FakeTokens implements TokenSource {
  private n = 0;
  current: AuthToken;
  readonly issued: string[] = [];
  readonly invalidated: string[] = [];
  gets = 0;
  private readonly listeners = new Set<(t: AuthToken) => void>();

  constructor() {
    this.current = this.issue();
  }

  private issue(): AuthToken {
    this.n += 1;
    const t = {
      value: `SECRET-token-${this.n}-${Math.random().toString(36).slice(2)}`,
      expiresAt: Date.now() + 3_600_000,
    };
    this.issued.push(t.value);
    return t;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** The next N get() calls fail / never answer. */
  failGets = 0;
  hangGets = 0;

  async get(): Promise<AuthToken> {
    this.gets += 1;
    if (this.hangGets > 0) {
      this.hangGets -= 1;
      return new Promise<AuthToken>(() => undefined);
    }
    if (this.failGets > 0) {
      this.failGets -= 1;
      throw new Error('upstream token endpoint down');
    }
    return this.current;
  }

  invalidate(value: string): void {
    this.invalidated.push(value);
    if (value !== this.current.value) return;
    this.current = this.issue();
    const t = this.current;
    setImmediate(() => this.emit(t)); // like the real keeper: the refresh lands a little later
  }

  /** Silent rotation: the next get() returns a new token (as after an expiry), no onRefresh. */
  rotateQuietly(): AuthToken {
    this.current = this.issue();
    return this.current;
  }

  /** Proactive refresh ahead of expiry: new token + onRefresh. */
  refresh(): AuthToken {
    this.current = this.issue();
    this.emit(this.current);
    return this.current;
  }

  /** onRefresh with the token already in use (a keeper may report the same token twice). */
  reannounce(): void {
    this.emit(this.current);
  }

  onRefresh(listener: (token: AuthToken) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(t: AuthToken): void {
    for (const l of [...this.listeners]) l(t);
  }
}

// ---- logs and timers --------------------------------------------------------------------------------

// ---- the fake upstream ------------------------------------------------------------------------------

export interface Subscribe {
  conn: number;
  binding: string;
  token: string;
  accountId: string;
  ref?: string;
}

export interface UpstreamOptions {
  protocol: SignalProtocol;
  /** Which tokens the server accepts (default: every token). */
  accept?: (token: string) => boolean;
  /** socketio: ack subscribes (default true). blackhole always replies unless `mute`. */
  ack?: boolean;
  /** socketio: heartbeat seconds announced in the handshake (default 60); 0 = heartbeats off (empty field). */
  heartbeatSec?: number;
  /** socketio: transports offered in the handshake (default `websocket,xhr-polling`). */
  transports?: string;
  /** socketio: the handshake never answers (to test cancelling it). */
  hangHandshake?: boolean;
}

export class FakeUpstream {
  readonly http = http.createServer((req, res) => this.onHttp(req, res));
  readonly wss = new WebSocketServer({ noServer: true });
  readonly sockets: WebSocket[] = [];
  readonly received: Array<{ conn: number; text: string }> = [];
  readonly subscribes: Subscribe[] = [];
  readonly closedConns = new Set<number>();
  handshakes = 0;
  /** Connections that go silent: the server reads nothing and answers nothing (no pong, no ack). */
  readonly muted = new Set<number>();
  private sid = 0;
  private hanging: http.ServerResponse[] = [];

  constructor(readonly opts: UpstreamOptions) {
    this.http.on('upgrade', (req, socket, head) => {
      const path = req.url ?? '/';
      const okPath = opts.protocol === 'socketio' ? /^\/socket\.io\/1\/websocket\/sid\d+$/.test(path) : path === '/';
      if (!okPath) return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
    const { port } = this.http.address() as AddressInfo;
    return this.opts.protocol === 'socketio' ? `http://127.0.0.1:${port}` : `ws://127.0.0.1:${port}/`;
  }

  get connections(): number {
    return this.sockets.length;
  }

  last(): WebSocket {
    return this.sockets[this.sockets.length - 1];
  }

  subscribesOn(conn: number): Subscribe[] {
    return this.subscribes.filter((s) => s.conn === conn);
  }

  /** Sends a raw frame to the latest connection. */
  sendRaw(frame: string | Buffer, binary = false): void {
    this.last().send(frame, { binary });
  }

  /** A channel event in the protocol's framing, to the latest connection. */
  sendEvent(payload: Record<string, unknown>): void {
    const name = String(payload['Event-Name'] ?? payload.event_name ?? 'CHANNEL_CREATE');
    if (this.opts.protocol === 'socketio') this.sendRaw(encodeEvent(name, [payload]));
    else
      this.sendRaw(
        encodeEventFrame({ subscribedKey: `call.${name}.*`, name, routingKey: `call.${name}.x`, data: payload }),
      );
  }

  /** socketio: the server's `auth_failure` event naming the refused token. */
  sendAuthFailure(token: string): void {
    this.sendRaw(encodeEvent('auth_failure', [{ message: 'invalid auth token', cause: token }]));
  }

  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.opts.protocol !== 'socketio' || !/^\/socket\.io\/1\/\?t=\d+$/.test(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    this.handshakes += 1;
    if (this.opts.hangHandshake) {
      this.hanging.push(res);
      return;
    }
    this.sid += 1;
    const hb = this.opts.heartbeatSec === 0 ? '' : String(this.opts.heartbeatSec ?? 60);
    res
      .writeHead(200, { 'content-type': 'text/plain' })
      .end(`sid${this.sid}:${hb}:60:${this.opts.transports ?? 'websocket,xhr-polling'}`);
  }

  private onSocket(ws: WebSocket): void {
    const conn = this.sockets.length;
    this.sockets.push(ws);
    ws.on('close', () => this.closedConns.add(conn));
    ws.on('message', (data) => {
      const text = String(data);
      this.received.push({ conn, text });
      if (!this.muted.has(conn)) this.onFrame(ws, conn, text);
    });
    if (this.opts.protocol === 'socketio') ws.send('1::');
  }

  private onFrame(ws: WebSocket, conn: number, text: string): void {
    const accept = this.opts.accept ?? (() => true);
    if (this.opts.protocol === 'socketio') {
      const d = decode(text);
      if (!d.ok || d.frame.type !== 'event' || d.frame.name !== 'subscribe') return;
      const a = d.frame.args[0] as { account_id: string; auth_token: string; binding: string };
      const ref = d.frame.id === undefined ? undefined : String(d.frame.id);
      this.subscribes.push({ conn, binding: a.binding, token: a.auth_token, accountId: a.account_id, ref });
      if (!accept(a.auth_token))
        return void ws.send(encodeEvent('auth_failure', [{ message: 'invalid auth token', cause: a.auth_token }]));
      if ((this.opts.ack ?? true) && d.frame.id !== undefined) ws.send(encodeAck(d.frame.id, [{ status: 'success' }]));
      return;
    }
    const m = JSON.parse(text) as {
      action: string;
      request_id: string;
      auth_token?: string;
      data?: { account_id: string; binding: string };
    };
    if (m.action === 'ping') return void ws.send(encodeReply(m.request_id, 'success', { response: 'pong' }));
    if (m.action !== 'subscribe' || !m.data) return;
    this.subscribes.push({
      conn,
      binding: m.data.binding,
      token: m.auth_token ?? '',
      accountId: m.data.account_id,
      ref: m.request_id,
    });
    if (accept(m.auth_token ?? '')) ws.send(encodeReply(m.request_id, 'success', { subscribed: [m.data.binding] }));
    else ws.send(encodeReply(m.request_id, 'error', { message: 'invalid auth token' }));
  }
}

// ---- one subscriber against one fake upstream -------------------------------------------------------

export async function setup(
  protocol: SignalProtocol,
  upstream: Partial<UpstreamOptions> = {},
  options: Partial<SignalSubscriberOptions> = {},
) {
  const up = new FakeUpstream({ protocol, ...upstream });
  const url = await up.listen();
  const tokens = new FakeTokens();
  const { logger, records: lines, text: raw } = captureLogger('debug');
  const clock = trackingClock();
  const { live } = clock;
  const events: LegEvent[] = [];
  const states: Array<{ state: SignalState; info: StateInfo }> = [];
  const sub = new SignalSubscriber({
    url,
    protocol,
    accountId: ACCOUNT,
    bindings: BINDINGS,
    tokens,
    logger,
    clock,
    onEvent: (e) => events.push(e),
    onStateChange: (state, info) => states.push({ state, info }),
    backoff: { baseMs: 20, maxMs: 200 },
    ...options,
  });
  const stateNames = () => states.map((s) => s.state);
  const waitLive = (label = 'live') => waitFor(() => sub.currentState === 'live', { what: label });
  async function teardown(): Promise<void> {
    await sub.stop();
    await up.close();
    assert.is(live.size, 0, 'no timer left after stop()');
    assert.is(tokens.listenerCount, 0, 'token listener removed');
    const text = raw();
    for (const t of tokens.issued) assert.not.ok(text.includes(t), 'a token reached the logs');
    assert.not.ok(
      lines.some((l) => l.msg === 'illegal signal state transition'),
      'illegal transition',
    );
  }
  return { up, url, tokens, lines, raw, live, events, states, stateNames, sub, waitLive, teardown };
}
