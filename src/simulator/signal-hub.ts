// The simulated AntRing signal socket's subscription registry, shared by both wire protocols
// (Socket.IO 0.9 and Kazoo 4 blackhole JSON). Pure in-memory logic: the protocols deliver.
import { pino } from 'pino';
import type { Logger } from '../log.js';
import type { SimulatedSignalProtocol } from '../shared/signal-protocol.js';
import { accountIdOf, bindingMatches, callRouteOf, isValidBinding } from './signal-topic.js';
import type { TokenCheck, TokenRegistry } from './token-registry.js';

/** The simulator's wire names for the bridge's protocols (src/shared/signal-protocol.ts). */
export type SignalProtocol = SimulatedSignalProtocol;

export interface SubscriptionRequest {
  connectionId: string;
  accountId: string;
  binding: string;
  token: string;
}

export type SubscribeResult =
  | { ok: true; replaced: boolean }
  | { ok: false; reason: Exclude<TokenCheck, 'valid'> | 'invalid_binding' | 'invalid_account' | 'unknown_connection' };

/** One event for one subscription. The protocol turns it into its frame. */
export interface Delivery {
  connectionId: string;
  accountId: string;
  binding: string;
  routingKey: string;
  eventName: string;
  payload: Record<string, unknown>;
}

/** Sends a delivery; returns false when it was not sent (socket closed or silenced). */
export type DeliverFn = (d: Delivery) => boolean;

/** What `onSubscribed` listeners receive. Never the token itself. */
export interface SubscribedInfo {
  connectionId: string;
  protocol: SignalProtocol;
  accountId: string;
  binding: string;
  replaced: boolean;
  at: number;
  /** When the hub first saw this token (or the registry's issue time when it knows one). */
  tokenFreshAt: number;
  tokenExpiresAt: number | undefined;
}

export interface SignalHubStats {
  subscribeRequests: number;
  unsubscribeRequests: number;
  activeSubscriptions: number;
  authFailures: number;
  connections: number;
  connectionsTotal: number;
  published: number;
  unroutable: number;
  deliveries: number;
  skippedInvalidToken: number;
  notSent: number;
}

export interface SignalHubOptions {
  tokens: TokenRegistry;
  now?: () => number;
  logger?: Logger;
}

interface Sub {
  accountId: string;
  binding: string;
  token: string;
}

interface Conn {
  protocol: SignalProtocol;
  deliver: DeliverFn;
  subs: Map<string, Sub>; // key: accountId + ' ' + binding
}

export class SignalHub {
  private readonly tokens: TokenRegistry;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly conns = new Map<string, Conn>();
  private readonly tokenFirstSeen = new Map<string, number>();
  private readonly listeners = new Set<(info: SubscribedInfo) => void>();
  private readonly counters = {
    subscribeRequests: 0,
    unsubscribeRequests: 0,
    authFailures: 0,
    connectionsTotal: 0,
    published: 0,
    unroutable: 0,
    deliveries: 0,
    skippedInvalidToken: 0,
    notSent: 0,
  };

  constructor(opts: SignalHubOptions) {
    this.tokens = opts.tokens;
    this.now = opts.now ?? Date.now;
    this.log = opts.logger ?? pino({ level: 'silent' });
  }

  addConnection(connectionId: string, protocol: SignalProtocol, deliver: DeliverFn): void {
    if (this.conns.has(connectionId)) throw new SignalHubError(`connection ${connectionId} already registered`);
    this.conns.set(connectionId, { protocol, deliver, subs: new Map() });
    this.counters.connectionsTotal++;
  }

  /** Forgets a connection and its bindings; returns how many bindings it had. */
  removeConnection(connectionId: string): number {
    const c = this.conns.get(connectionId);
    if (!c) return 0;
    this.conns.delete(connectionId);
    return c.subs.size;
  }

  hasConnection(connectionId: string): boolean {
    return this.conns.has(connectionId);
  }

  subscribe(req: SubscriptionRequest): SubscribeResult {
    this.counters.subscribeRequests++;
    const conn = this.conns.get(req.connectionId);
    if (!conn) return { ok: false, reason: 'unknown_connection' };
    const check = this.checkToken(req.token);
    if (check !== 'valid') return { ok: false, reason: check };
    if (typeof req.accountId !== 'string' || req.accountId.length === 0)
      return { ok: false, reason: 'invalid_account' };
    if (!isValidBinding(req.binding)) return { ok: false, reason: 'invalid_binding' };
    const at = this.now();
    if (!this.tokenFirstSeen.has(req.token)) this.tokenFirstSeen.set(req.token, at);
    this.pruneTokens();
    const key = `${req.accountId} ${req.binding}`;
    const replaced = conn.subs.has(key);
    conn.subs.set(key, { accountId: req.accountId, binding: req.binding, token: req.token });
    const info: SubscribedInfo = {
      connectionId: req.connectionId,
      protocol: conn.protocol,
      accountId: req.accountId,
      binding: req.binding,
      replaced,
      at,
      tokenFreshAt: this.freshAt(req.token),
      tokenExpiresAt: this.tokens.expiresAt(req.token),
    };
    this.log.debug({ connectionId: req.connectionId, binding: req.binding, replaced }, 'signal subscribed');
    for (const l of [...this.listeners]) {
      try {
        l(info);
      } catch (err) {
        this.log.error({ err }, 'onSubscribed listener threw');
      }
    }
    return { ok: true, replaced };
  }

  /** Checks a token a client presented; a token that is not valid counts as an auth failure. */
  checkToken(token: unknown): TokenCheck {
    const check = this.tokens.check(token);
    if (check !== 'valid') {
      this.counters.authFailures++;
      this.log.debug({ check }, 'signal socket: auth failure');
    }
    return check;
  }

  /** Removes one binding of a connection (of every account when accountId is omitted). */
  unsubscribe(connectionId: string, binding: string, accountId?: string): boolean {
    this.counters.unsubscribeRequests++;
    const conn = this.conns.get(connectionId);
    if (!conn) return false;
    let removed = false;
    for (const [key, s] of conn.subs) {
      if (s.binding === binding && (accountId === undefined || s.accountId === accountId)) {
        conn.subs.delete(key);
        removed = true;
      }
    }
    return removed;
  }

  /** The bindings of a connection (for fault injection: "an event for another account"). */
  bindingsOf(connectionId: string): Array<{ accountId: string; binding: string }> {
    const c = this.conns.get(connectionId);
    return c ? [...c.subs.values()].map((s) => ({ accountId: s.accountId, binding: s.binding })) : [];
  }

  /**
   * Routes a Kazoo call event: one delivery per matching binding of the event's account whose token is
   * valid now (an expired token silently stops delivery). Returns the number of deliveries sent.
   */
  publish(payload: Record<string, unknown>): number {
    this.counters.published++;
    const route = callRouteOf(payload);
    const accountId = accountIdOf(payload);
    if (!route || !accountId) {
      this.counters.unroutable++;
      this.log.warn(
        { hasRoute: !!route, hasAccount: !!accountId },
        'signal publish: event without Event-Name, Call-ID or Account-ID',
      );
      return 0;
    }
    let sent = 0;
    for (const [connectionId, conn] of [...this.conns]) {
      for (const s of [...conn.subs.values()]) {
        if (s.accountId !== accountId || !bindingMatches(s.binding, route.routingKey)) continue;
        if (this.tokens.check(s.token) !== 'valid') {
          this.counters.skippedInvalidToken++;
          continue;
        }
        let ok = false;
        try {
          ok = conn.deliver({
            connectionId,
            accountId,
            binding: s.binding,
            routingKey: route.routingKey,
            eventName: route.eventName,
            payload,
          });
        } catch (err) {
          this.log.error({ err, connectionId }, 'signal delivery threw');
        }
        if (ok) sent++;
        else this.counters.notSent++;
      }
    }
    this.counters.deliveries += sent;
    return sent;
  }

  /** Active bindings, optionally only those with a valid token first used (or issued) at or after freshAfter. */
  countSubscriptions(opts: { freshAfter?: number; validOnly?: boolean; accountId?: string } = {}): number {
    let n = 0;
    for (const c of this.conns.values()) {
      for (const s of c.subs.values()) {
        if (opts.accountId !== undefined && s.accountId !== opts.accountId) continue;
        if ((opts.validOnly || opts.freshAfter !== undefined) && this.tokens.check(s.token) !== 'valid') continue;
        if (opts.freshAfter !== undefined && this.freshAt(s.token) < opts.freshAfter) continue;
        n++;
      }
    }
    return n;
  }

  /** True when one connection has, for each routing key, a binding of this account with a valid token that matches it. */
  covers(accountId: string, routingKeys: string[]): boolean {
    for (const c of this.conns.values()) {
      const subs = [...c.subs.values()].filter(
        (s) => s.accountId === accountId && this.tokens.check(s.token) === 'valid',
      );
      if (routingKeys.every((k) => subs.some((s) => bindingMatches(s.binding, k)))) return true;
    }
    return false;
  }

  /** Registers a listener called after each successful subscribe; returns its remover. */
  onSubscribed(cb: (info: SubscribedInfo) => void): () => void {
    this.listeners.add(cb);
    return () => {
      this.listeners.delete(cb);
    };
  }

  stats(): SignalHubStats {
    let active = 0;
    for (const c of this.conns.values()) active += c.subs.size;
    return { ...this.counters, activeSubscriptions: active, connections: this.conns.size };
  }

  /** Forgets every connection and listener (used by close()). */
  clear(): void {
    this.conns.clear();
    this.listeners.clear();
    this.tokenFirstSeen.clear();
  }

  private freshAt(token: string): number {
    // Use the registry's issue time if it ever offers one; else when the hub first saw the token.
    const issuedAt = (this.tokens as unknown as { issuedAt?: (t: string) => number | undefined }).issuedAt;
    const fromRegistry = typeof issuedAt === 'function' ? issuedAt.call(this.tokens, token) : undefined;
    return fromRegistry ?? this.tokenFirstSeen.get(token) ?? 0;
  }

  private pruneTokens(): void {
    if (this.tokenFirstSeen.size < 10_000) return;
    const inUse = new Set<string>();
    for (const c of this.conns.values()) for (const s of c.subs.values()) inUse.add(s.token);
    for (const t of this.tokenFirstSeen.keys()) if (!inUse.has(t)) this.tokenFirstSeen.delete(t);
  }
}

export class SignalHubError extends Error {
  override readonly name = 'SignalHubError';
}
