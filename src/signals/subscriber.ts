// The bridge's upstream socket: connects to AntRing's call-signal socket (socketio 0.9 or blackhole JSON),
// subscribes every binding with an auth token, keeps the token fresh on the same socket, hands each channel
// event to onEvent, and reconnects (capped full-jitter backoff) whenever anything goes wrong. This file is the state
// machine (connecting, subscribing, live, backoff); the inbound frames (intake, backlog, routing) are in
// subscriber-frames.ts.
import type { AuthToken } from '../antring/token-source.js';
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import { errSummary } from '../shared/errors.js';
import { Backoff, DEFAULT_BACKOFF } from './backoff.js';
import { connectProblem } from './connect-problem.js';
import { SignalConnection } from './connection.js';
import { SignalConfigError } from './errors.js';
import { canTransition, type SignalState, type StateInfo } from './state.js';
import { createSession, RetryPacer, type Round, sendRound } from './subscribe-round.js';
import { SubscriberFrames } from './subscriber-frames.js';
import type { SignalStats, SignalSubscriberOptions } from './subscriber-options.js';
import { TimerSlots } from './timer-slots.js';
import { tokenWithin } from './token-wait.js';

export type { WebSocketLike } from './connection.js';
export type { FetchLike } from './protocol-socketio.js';
export type { SignalState, StateInfo } from './state.js';
export type { SignalStats, SignalSubscriberOptions } from './subscriber-options.js';

type TimerKey = 'backoff' | 'connect' | 'round' | 'retry' | 'token';

export class SignalSubscriber {
  private state: SignalState = 'idle';
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timers: TimerSlots<TimerKey>;
  private readonly backoff: Backoff;
  private readonly retries: RetryPacer;
  /** Inbound frames: intake, backlog pump, routing to the handlers below (subscriber-frames.ts). */
  private readonly frames: SubscriberFrames;
  /** A lasting reason the subscription cannot work (e.g. no websocket offered), said once until it clears. */
  private problem?: string;
  private readonly bindings: string[];
  private conn?: SignalConnection;
  private connSeq = 0;
  private round?: Round;
  private roundSeq = 0;
  private lastSubscribedToken?: string;
  private reconnects = 0;
  private unsubscribeRefresh?: () => void;
  private stopping?: Promise<void>;

  constructor(private readonly opts: SignalSubscriberOptions) {
    if (!/^(https?|wss?):\/\//i.test(opts.url))
      throw new SignalConfigError('signal url must be http(s):// or ws(s)://');
    if (!opts.accountId) throw new SignalConfigError('accountId is required');
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.timers = new TimerSlots<TimerKey>(this.clock);
    const random = opts.random ?? Math.random;
    const backoffOpts = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.backoff = new Backoff(backoffOpts, random);
    this.retries = new RetryPacer(backoffOpts, random);
    this.bindings = [...new Set(opts.bindings)];
    this.frames = new SubscriberFrames(opts, this.clock, this.log, () => this.conn, {
      connected: (conn) => this.onConnected(conn),
      ack: (conn, ref) => this.onAck(conn, ref),
      refused: (conn, what, ref, cause) => this.onRefused(conn, what, ref, cause),
      lost: (conn, reason) => this.fail(conn, reason),
      delivered: () => this.retries.reset(),
    });
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.unsubscribeRefresh = this.opts.tokens.onRefresh((t) => this.onTokenRefresh(t));
    this.connect();
  }

  /** Idempotent: clears every timer, drops the token listener, cancels a handshake, closes the socket. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  get currentState(): SignalState {
    return this.state;
  }

  stats(): SignalStats {
    const s: SignalStats = {
      state: this.state,
      reconnects: this.reconnects,
      backlog: this.frames.pump.waiting,
      ...this.frames.intake.snapshot(),
    };
    return this.problem === undefined ? s : { ...s, problem: this.problem };
  }

  private async doStop(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.round = undefined;
    this.setState('stopped', { reason: 'stop' });
    this.unsubscribeRefresh?.();
    this.unsubscribeRefresh = undefined;
    this.timers.clearAll();
    this.frames.pump.stop();
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
      session: createSession(this.opts, () => this.clock.now()),
      clock: this.clock,
      logger: this.log,
      createWebSocket: this.opts.createWebSocket,
      deadAfterMs: this.opts.deadAfterMs,
      pingEveryMs: this.opts.pingEveryMs ?? 10_000,
      onOpen: () => {
        if (this.conn === conn && !conn.session.awaitsConnectFrame) this.onConnected(conn);
      },
      onMessage: (data, isBinary) => this.frames.pump.message(conn, data, isBinary),
      onLost: (reason, err, extra) => this.fail(conn, reason, err, extra),
    });
    this.conn = conn;
    this.setState('connecting', { attempt: this.backoff.attempt });
    this.timers.set('connect', this.opts.connectTimeoutMs ?? 10_000, () => this.fail(conn, 'connect_timeout'));
    void conn.start();
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
    const problem = connectProblem(err);
    const fields = { reason, ...extra, ...(err === undefined ? {} : { err: errSummary(err) }), attempt, delayMs };
    if (problem && problem !== this.problem)
      this.log.error({ ...fields, problem }, `signal subscription cannot work: ${problem}`);
    else if (problem) this.log.debug(fields, 'signal socket lost (same problem)');
    else this.log.warn(fields, 'signal socket lost');
    this.problem = problem;
    this.setState('backoff', problem ? { reason, attempt, delayMs, problem } : { reason, attempt, delayMs });
    this.timers.set('backoff', delayMs, () => this.connect());
  }

  // ---- subscribing --------------------------------------------------------------------------------

  private onTokenRefresh(token: AuthToken): void {
    const conn = this.conn;
    if (!conn || (this.state !== 'live' && this.state !== 'subscribing')) return;
    if (this.timers.has('retry')) return; // a paced retry is pending: it will take this token
    if (token.value === this.lastSubscribedToken) return;
    this.log.info(
      { expiresAt: token.expiresAt, bindings: this.bindings.length },
      'auth token refreshed: subscribing again on the same socket',
    );
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
    this.lastSubscribedToken = token.value;
    const round = sendRound(conn.session, (frame) => conn.send(frame), this.bindings, token, trigger);
    this.round = round;
    this.log.info({ trigger, bindings: this.bindings.length }, 'signal subscribe sent');
    if (round.pending.size === 0) return this.completeRound(round, false);
    this.timers.set('round', this.opts.subscribeAckTimeoutMs ?? 5_000, () => this.onRoundTimeout(conn, round));
  }

  private getToken(): Promise<AuthToken> {
    const slot = {
      set: (ms: number, fn: () => void) => this.timers.set('token', ms, fn),
      clear: () => this.timers.clear('token'),
    };
    return tokenWithin(this.opts.tokens, this.opts.tokenTimeoutMs ?? 15_000, slot);
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
    this.problem = undefined;
    if (this.state !== 'live') {
      this.backoff.reset();
      this.setState('live', { reason: round.trigger, assumed });
    }
  }

  /** auth_failure / error: invalidate the token we used, subscribe again with a fresh one (paced). */
  private onRefused(conn: SignalConnection, what: 'auth_failure' | 'error', ref?: string, cause?: string): void {
    const round = this.round;
    if (this.conn !== conn || !round)
      return void this.log.debug({ what }, 'refusal while no subscription is in flight');
    if (ref !== undefined && !round.pending.has(ref))
      return void this.log.debug({ what }, 'refusal of an older request');
    if (cause !== undefined && cause !== round.token.value)
      return void this.log.debug({ what }, 'refusal of an older token');
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
    const { delayMs, failures } = this.retries.next(this.clock.now());
    if (delayMs > 0) this.log.info({ delayMs, failures }, 'signal subscribe retry delayed');
    this.timers.set('retry', delayMs, () => {
      if (this.conn === conn) void this.subscribeAll(conn, 'retry');
    });
  }
}
