// The simulated AntRing call-signal socket, Kazoo 4.x blackhole flavour: JSON over a plain websocket.
// Client: {"action":"subscribe"|"unsubscribe","auth_token","request_id","data":{"account_id","binding"|"bindings"}},
// {"action":"ping","request_id"}. Server: {"action":"reply","request_id","status","data"} and
// {"action":"event","subscribed_key","subscription_key","name","routing_key","data"}.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Delivery } from './signal-hub.js';
import { type BlackholeLimits, blackholeLimits, TokenBucket } from './signal-limits.js';
import { blackholeMalformedFrames, type MalformedContext, type RawFrame } from './signal-malformed.js';
import { isValidBinding } from './signal-topic.js';
import { refuseUpgrade, SignalWsServer, type WsConn, type WsServerBase } from './signal-ws-base.js';

export interface BlackholeOptions extends WsServerBase {
  limits?: Partial<BlackholeLimits>;
}

interface ConnBh extends WsConn {
  bucket: TokenBucket;
}

type Status = 'success' | 'error';

export class BlackholeServer extends SignalWsServer<ConnBh> {
  private readonly limits: BlackholeLimits;
  private seq = 0;
  private readonly statsBh = {
    requests: 0,
    pings: 0,
    malformedIn: 0,
    unknownActions: 0,
    rateLimited: 0,
    refusedPerIp: 0,
    refusedPerAccount: 0,
    authFailures: 0,
  };

  constructor(opts: BlackholeOptions) {
    super(opts, 'blackhole');
    this.limits = blackholeLimits(opts.limits);
  }

  /** Takes the upgrade (the caller decides which paths are blackhole's). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const remoteAddress = req.socket.remoteAddress ?? '';
    let fromIp = 0;
    for (const c of this.conns.values()) if (c.remoteAddress === remoteAddress) fromIp++;
    if (fromIp >= this.limits.maxConnectionsPerIp) {
      this.statsBh.refusedPerIp++;
      this.log.info({ remoteAddress, fromIp }, 'blackhole: too many connections from this address');
      refuseUpgrade(socket, 429, 'Too Many Requests');
      return;
    }
    this.accept(req, socket, head, (ws) => this.open(ws, remoteAddress));
  }

  stats() {
    return { ...this.base, ...this.statsBh, open: this.conns.size };
  }

  private open(ws: WebSocket, remoteAddress: string): void {
    const now = () => this.opts.clock.now();
    const c: ConnBh = {
      id: `bh-${++this.seq}`,
      ws,
      remoteAddress,
      silenced: this.silentAll,
      closed: false,
      bucket: new TokenBucket(this.limits.bucketSize, this.limits.refillPerSec, now),
    };
    this.opts.hub.addConnection(c.id, 'blackhole', (d) => this.deliver(c, d));
    this.track(c);
    this.log.debug({ connectionId: c.id }, 'blackhole connection open');
  }

  private deliver(c: ConnBh, d: Delivery): boolean {
    return this.send(
      c,
      JSON.stringify({
        action: 'event',
        subscribed_key: d.binding,
        subscription_key: d.binding,
        name: d.eventName,
        routing_key: d.routingKey,
        data: d.payload,
      }),
    );
  }

  protected onRelease(): void {
    // nothing held per connection beyond the hub entry (the base removes it)
  }

  protected malformedList(ctx: MalformedContext): RawFrame[] {
    return blackholeMalformedFrames(ctx);
  }

  private reply(c: ConnBh, requestId: unknown, status: Status, data: Record<string, unknown>): void {
    const msg: Record<string, unknown> = { action: 'reply' };
    if (typeof requestId === 'string' || typeof requestId === 'number') msg.request_id = requestId;
    msg.status = status;
    msg.data = data;
    this.send(c, JSON.stringify(msg));
  }

  private error(c: ConnBh, requestId: unknown, message: string, extra: Record<string, unknown> = {}): void {
    this.reply(c, requestId, 'error', { message, ...extra });
  }

  protected onFrame(c: ConnBh, data: Buffer, isBinary: boolean): void {
    this.statsBh.requests++;
    let msg: Record<string, unknown> | undefined;
    let why: string | undefined;
    if (isBinary) why = 'binary frames are not supported';
    else {
      try {
        const v: unknown = JSON.parse(data.toString('utf8'));
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) msg = v as Record<string, unknown>;
        else why = 'expected a JSON object';
      } catch {
        why = 'invalid JSON';
      }
    }
    const requestId = msg?.request_id;
    if (!c.bucket.take()) {
      this.statsBh.rateLimited++;
      return this.error(c, requestId, 'rate limit exceeded');
    }
    if (!msg) {
      this.statsBh.malformedIn++;
      return this.error(c, undefined, why ?? 'invalid request');
    }
    switch (msg.action) {
      case 'ping':
        this.statsBh.pings++;
        return this.reply(c, requestId, 'success', { response: 'pong' });
      case 'subscribe':
      case 'unsubscribe':
        return this.onSubscription(c, msg, msg.action);
      default:
        this.statsBh.unknownActions++;
        return this.error(c, requestId, 'unknown action', {
          action: typeof msg.action === 'string' ? msg.action : null,
        });
    }
  }

  private onSubscription(c: ConnBh, msg: Record<string, unknown>, action: 'subscribe' | 'unsubscribe'): void {
    const requestId = msg.request_id;
    const hub = this.opts.hub;
    if (hub.checkToken(msg.auth_token) !== 'valid') {
      this.statsBh.authFailures++;
      return this.error(c, requestId, 'invalid auth token');
    }
    const data = msg.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      return this.error(c, requestId, 'missing data');
    const d = data as Record<string, unknown>;
    const accountId = typeof d.account_id === 'string' && d.account_id.length > 0 ? d.account_id : undefined;
    const raw: unknown[] =
      d.bindings !== undefined
        ? Array.isArray(d.bindings)
          ? d.bindings
          : [d.bindings]
        : d.binding !== undefined
          ? [d.binding]
          : [];
    if (!accountId) return this.error(c, requestId, 'missing account_id');
    if (raw.length === 0) return this.error(c, requestId, 'missing binding');
    const invalid = raw.filter((b) => !isValidBinding(b));
    if (invalid.length) return this.error(c, requestId, 'invalid binding', { invalid });
    const bindings = [...new Set(raw as string[])];
    if (action === 'unsubscribe') {
      for (const b of bindings) hub.unsubscribe(c.id, b, accountId);
      return this.reply(c, requestId, 'success', { unsubscribed: bindings });
    }
    if (!this.accountHasRoom(c, accountId)) {
      this.statsBh.refusedPerAccount++;
      return this.error(c, requestId, 'too many connections for this account');
    }
    for (const binding of bindings) {
      const r = hub.subscribe({ connectionId: c.id, accountId, binding, token: msg.auth_token as string });
      if (!r.ok)
        return this.error(
          c,
          requestId,
          r.reason === 'expired' || r.reason === 'unknown' || r.reason === 'revoked' ? 'invalid auth token' : r.reason,
        );
    }
    this.reply(c, requestId, 'success', { subscribed: bindings });
  }

  /** A socket already bound to the account is fine; a new one counts against maxConnectionsPerAccount. */
  private accountHasRoom(c: ConnBh, accountId: string): boolean {
    const hub = this.opts.hub;
    if (hub.bindingsOf(c.id).some((b) => b.accountId === accountId)) return true;
    let n = 0;
    for (const other of this.conns.values()) {
      if (other !== c && hub.bindingsOf(other.id).some((b) => b.accountId === accountId)) n++;
    }
    return n < this.limits.maxConnectionsPerAccount;
  }
}
