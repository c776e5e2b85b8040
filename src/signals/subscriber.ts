// The bridge's upstream socket: connects to AntRing's call-signal socket (socketio 0.9 or blackhole JSON),
// subscribes every binding with an auth token, keeps the token fresh on the same socket, hands each channel
// event to onEvent, and reconnects (capped full-jitter backoff) whenever anything goes wrong.
import type { AuthToken } from '../antring/token-source.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { Backoff, DEFAULT_BACKOFF, fullJitterDelay, type BackoffOptions } from './backoff.js';
import { canTransition, type SignalState, type StateInfo } from './state.js';
import { errSummary, SignalConfigError, SignalTokenError } from './errors.js';
import { TimerSlots } from './timer-slots.js';
import { FrameIntake } from './frame-intake.js';
import type { Inbound, ProtocolSession } from './protocol.js';
import { SignalConnection } from './connection.js';
import type { SignalStats, SignalSubscriberOptions } from './subscriber-options.js';
import { SocketIoSession, type FetchLike } from './protocol-socketio.js';
import { BlackholeSession } from './protocol-blackhole.js';

export type { SignalState, StateInfo } from './state.js';
export type { FetchLike } from './protocol-socketio.js';
export type { WebSocketLike } from './connection.js';
export type { SignalSubscriberOptions, SignalStats } from './subscriber-options.js';

interface Round {
  token: AuthToken;
  trigger: 'connect' | 'refresh' | 'retry';
  pending: Map<string, string>;
  done: boolean;
}

type TimerKey = 'backoff' | 'connect' | 'round' | 'retry' | 'token';
/** Consecutive subscribe refusals further apart than this start the retry backoff over. */
const RETRY_FORGET_MS = 60_000;

export class SignalSubscriber {
  private state: SignalState = 'idle';
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timers: TimerSlots<TimerKey>;
  private readonly backoff: Backoff;
  private readonly backoffOpts: BackoffOptions;
  private readonly random: () => number;
  private readonly intake: FrameIntake;
  private readonly bindings: string[];
  private conn?: SignalConnection;
  private connSeq = 0;
  private round?: Round;
  private roundSeq = 0;
  private lastSubscribedToken?: string;
  private retryFailures = 0;
  private lastRetryAt = -Infinity;
  private reconnects = 0;
  private unsubscribeRefresh?: () => void;
  private stopping?: Promise<void>;

  constructor(private readonly opts: SignalSubscriberOptions) {
    if (!/^(https?|wss?):\/\//i.test(opts.url)) throw new SignalConfigError('signal url must be http(s):// or ws(s)://');
    if (!opts.accountId) throw new SignalConfigError('accountId is required');
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.timers = new TimerSlots<TimerKey>(this.clock);
    this.random = opts.random ?? Math.random;
    this.backoffOpts = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.backoff = new Backoff(this.backoffOpts, this.random);
    this.bindings = [...new Set(opts.bindings)];
    this.intake = new FrameIntake({
      accountId: opts.accountId,
      maxFrameBytes: opts.maxFrameBytes ?? 262_144,
      logger: this.log,
      now: () => this.clock.now(),
      onEvent: opts.onEvent,
      onFrame: opts.onFrame,
      onReject: opts.onReject,
    });
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.unsubscribeRefresh = this.opts.tokens.onRefresh((t) => this.onTokenRefresh(t));
    this.connect();
  }

  /** Idempotent: clears every timer, drops the token listener, cancels a handshake, closes the socket. */
  stop(): Promise<void> {
    return (this.stopping ??= this.doStop());
  }

  get currentState(): SignalState {
    return this.state;
  }

  stats(): SignalStats {
    return { state: this.state, reconnects: this.reconnects, ...this.intake.snapshot() };
  }

  private async doStop(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.round = undefined;
    this.setState('stopped', { reason: 'stop' });
    this.unsubscribeRefresh?.();
    this.unsubscribeRefresh = undefined;
    this.timers.clearAll();
    if (conn) await conn.close(true);
  }

  private setState(next: SignalState, info: StateInfo = {}): void {
    const prev = this.state;
    if (prev === next || prev === 'stopped') return;
    if (!canTransition(prev, next)) this.log.error({ from: prev, to: next }, 'illegal signal state transition');
    this.state = next;
    this.log.info({ from: prev, to: next, ...info }, 'signal state');
    try {
      this.opts.onStateChange?.(next, info);
    } catch (err) {
      this.log.error({ err: errSummary(err) }, 'onStateChange listener threw');
    }
  }

  // ---- connecting ---------------------------------------------------------------------------------

  private connect(): void {
    if (this.state === 'stopped') return;
    const id = ++this.connSeq;
    if (id > 1) this.reconnects += 1;
    const conn: SignalConnection = new SignalConnection({
      session: this.createSession(),
      clock: this.clock,
      logger: this.log,
      createWebSocket: this.opts.createWebSocket,
      deadAfterMs: this.opts.deadAfterMs,
      pingEveryMs: this.opts.pingEveryMs ?? 10_000,
      onOpen: () => {
        if (this.conn === conn && !conn.session.awaitsConnectFrame) this.onConnected(conn);
      },
      onMessage: (data, isBinary) => this.onMessage(conn, data, isBinary),
      onLost: (reason, err, extra) => this.fail(conn, reason, err, extra),
    });
    this.conn = conn;
    this.setState('connecting', { attempt: this.backoff.attempt });
    this.timers.set('connect', this.opts.connectTimeoutMs ?? 10_000, () => this.fail(conn, 'connect_timeout'));
    void conn.start();
  }

  private createSession(): ProtocolSession {
    const { url, accountId } = this.opts;
    if (this.opts.protocol === 'blackhole') return new BlackholeSession({ url, accountId });
    const fetchFn: FetchLike = this.opts.fetch ?? ((u, init) => fetch(u, init));
    return new SocketIoSession({ url, accountId, fetch: fetchFn, now: () => this.clock.now() });
  }

  private onConnected(conn: SignalConnection): void {
    if (this.state !== 'connecting') return;
    this.timers.clear('connect');
    this.setState('subscribing', { reason: 'connected' });
    void this.subscribeAll(conn, 'connect');
  }

  /** Any failure of the current connection: drop it, wait (full jitter), connect again. */
  private fail(conn: SignalConnection, reason: string, err?: unknown, extra: Record<string, unknown> = {}): void {
    if (this.conn !== conn || this.state === 'stopped') return;
    this.conn = undefined;
    this.round = undefined;
    this.timers.clearAll();
    void conn.close(false);
    const attempt = this.backoff.attempt;
    const delayMs = this.backoff.next();
    this.log.warn({ reason, ...extra, ...(err === undefined ? {} : { err: errSummary(err) }), attempt, delayMs }, 'signal socket lost');
    this.setState('backoff', { reason, attempt, delayMs });
    this.timers.set('backoff', delayMs, () => this.connect());
  }

  // ---- frames -------------------------------------------------------------------------------------

  private onMessage(conn: SignalConnection, data: unknown, isBinary: boolean): void {
    if (this.conn !== conn) return;
    for (const r of this.intake.read(conn.session, data, isBinary)) {
      if (this.conn !== conn) return; // an earlier packet of the same message ended this connection
      if (r.reply) conn.send(r.reply);
      this.handle(conn, r.inbound, r.receivedAt);
    }
  }

  private handle(conn: SignalConnection, inbound: Inbound, receivedAt: number): void {
    switch (inbound.kind) {
      case 'connected':
        return this.onConnected(conn);
      case 'event':
        if (this.intake.deliver(inbound.name, inbound.payload, receivedAt)) this.retryFailures = 0;
        return;
      case 'ack':
        return this.onAck(conn, inbound.ref);
      case 'failure':
        return this.onRefused(conn, inbound.what, inbound.ref, inbound.cause);
      case 'disconnect':
        return this.fail(conn, inbound.reason);
      case 'reject':
        return this.intake.reject(inbound.reason);
      case 'keepalive':
      case 'ignore':
        return;
    }
  }

  // ---- subscribing --------------------------------------------------------------------------------

  private onTokenRefresh(token: AuthToken): void {
    const conn = this.conn;
    if (!conn || (this.state !== 'live' && this.state !== 'subscribing')) return;
    if (this.timers.has('retry')) return; // a paced retry is pending: it will take this token
    if (token.value === this.lastSubscribedToken) return;
    this.log.info({ expiresAt: token.expiresAt, bindings: this.bindings.length }, 'auth token refreshed: subscribing again on the same socket');
    void this.subscribeAll(conn, 'refresh', token);
  }

  private async subscribeAll(conn: SignalConnection, trigger: Round['trigger'], given?: AuthToken): Promise<void> {
    const seq = ++this.roundSeq;
    if (this.round && !this.round.done) {
      this.round = undefined;
      this.timers.clear('round');
    }
    let token = given;
    if (!token) {
      try {
        token = await this.getToken();
      } catch (err) {
        if (seq !== this.roundSeq || this.conn !== conn) return;
        this.log.warn({ err: errSummary(err) }, 'no auth token for the signal subscription');
        this.scheduleRetry(conn);
        return;
      }
      if (seq !== this.roundSeq || this.conn !== conn) return;
    }
    const round: Round = { token, trigger, pending: new Map(), done: false };
    this.round = round;
    this.lastSubscribedToken = token.value;
    for (const binding of this.bindings) {
      const { ref, frame } = conn.session.subscribeFrame(binding, token.value);
      round.pending.set(ref, binding);
      conn.send(frame);
    }
    this.log.info({ trigger, bindings: this.bindings.length }, 'signal subscribe sent');
    if (round.pending.size === 0) return this.completeRound(round, false);
    this.timers.set('round', this.opts.subscribeAckTimeoutMs ?? 5_000, () => this.onRoundTimeout(conn, round));
  }

  private getToken(): Promise<AuthToken> {
    return new Promise<AuthToken>((resolve, reject) => {
      this.timers.set('token', this.opts.tokenTimeoutMs ?? 15_000, () => reject(new SignalTokenError('auth token request timed out')));
      Promise.resolve()
        .then(() => this.opts.tokens.get())
        .then(
          (t) => {
            this.timers.clear('token');
            if (t && typeof t.value === 'string' && t.value) resolve(t);
            else reject(new SignalTokenError('token source returned no token'));
          },
          (err: unknown) => {
            this.timers.clear('token');
            reject(err);
          },
        );
    });
  }

  private onAck(conn: SignalConnection, ref: string): void {
    const round = this.round;
    if (this.conn !== conn || !round || !round.pending.has(ref)) {
      this.log.debug('subscribe reply for no pending request');
      return;
    }
    round.pending.delete(ref);
    if (round.pending.size === 0) this.completeRound(round, false);
  }

  private onRoundTimeout(conn: SignalConnection, round: Round): void {
    if (this.conn !== conn || this.round !== round || round.done) return;
    // Real Kazoo (socketio) may never ack a subscribe: no refusal within the timeout counts as subscribed.
    if (conn.session.name === 'socketio') this.completeRound(round, true);
    else this.fail(conn, 'subscribe_timeout', undefined, { unanswered: round.pending.size });
  }

  private completeRound(round: Round, assumed: boolean): void {
    if (round.done) return;
    round.done = true;
    this.timers.clear('round');
    this.log.info({ trigger: round.trigger, bindings: this.bindings.length, assumed }, 'signal subscriptions in place');
    if (this.state !== 'live') {
      this.backoff.reset();
      this.setState('live', { reason: round.trigger, assumed });
    }
  }

  /** auth_failure / error: invalidate the token we used, subscribe again with a fresh one (paced). */
  private onRefused(conn: SignalConnection, what: 'auth_failure' | 'error', ref?: string, cause?: string): void {
    const round = this.round;
    if (this.conn !== conn || !round) return void this.log.debug({ what }, 'refusal while no subscription is in flight');
    if (ref !== undefined && !round.pending.has(ref)) return void this.log.debug({ what }, 'refusal of an older request');
    if (cause !== undefined && cause !== round.token.value) return void this.log.debug({ what }, 'refusal of an older token');
    if (this.timers.has('retry')) return;
    this.round = undefined;
    this.lastSubscribedToken = undefined;
    this.timers.clear('round');
    this.opts.tokens.invalidate(round.token.value);
    this.log.warn({ what, trigger: round.trigger }, 'signal subscription refused: subscribing again with a new token');
    if (this.state === 'live') this.setState('subscribing', { reason: what });
    this.scheduleRetry(conn);
  }

  /** First retry right away (a fresh token); further consecutive ones after a full-jitter backoff. */
  private scheduleRetry(conn: SignalConnection): void {
    const now = this.clock.now();
    if (now - this.lastRetryAt > RETRY_FORGET_MS) this.retryFailures = 0;
    this.lastRetryAt = now;
    const delayMs = this.retryFailures === 0 ? 0 : fullJitterDelay(this.retryFailures - 1, this.backoffOpts, this.random);
    this.retryFailures += 1;
    if (delayMs > 0) this.log.info({ delayMs, failures: this.retryFailures }, 'signal subscribe retry delayed');
    this.timers.set('retry', delayMs, () => {
      if (this.conn === conn) void this.subscribeAll(conn, 'retry');
    });
  }
}
