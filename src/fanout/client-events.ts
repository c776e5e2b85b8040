// What a connected socket may send: `dial` (click-to-call) and `wrapup` (the agent's note on an ended call), each
// through a per-socket token bucket (throttle.ts) before any work: an event over the bucket is dropped, its ack (if
// any) gets `rate_limited`; past `abuseDrops` drops in a row the socket is disconnected. Other events have no
// listener: Socket.IO drops them, no work is done for them. Acks are answered once; errors never escape.

import type { Clock } from '../clock.js';
import type { Claims, DialResult, ErrorBody, WrapupResult } from '../contract.js';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import type { FanoutSocket } from './server.js';
import { type ThrottleSettings, TokenBucket } from './throttle.js';

export interface ClientEventsOptions {
  logger: Logger;
  clock: Clock;
  graceMs: number;
  throttle: ThrottleSettings;
  dial?: (claims: Claims, body: unknown) => Promise<DialResult>;
  wrapup?: (claims: Claims, body: unknown) => Promise<WrapupResult>;
  onThrottle: (what: 'dropped' | 'disconnected') => void;
}

export function createClientEvents(o: ClientEventsOptions): { attach(socket: FanoutSocket): void } {
  const { logger, clock } = o;
  /** Made at a socket's first event (most sockets never send one); it starts full either way. */
  const buckets = new WeakMap<FanoutSocket, TokenBucket>();

  /** The throttle, before any work: whether the event may go on (else it was answered or the socket cut). */
  function admit(socket: FanoutSocket, ack: unknown): boolean {
    if (!socket.connected) return false;
    const now = clock.now();
    let bucket = buckets.get(socket);
    if (!bucket) buckets.set(socket, (bucket = new TokenBucket(o.throttle, now)));
    const verdict = bucket.take(now);
    if (verdict === 'ok') return true;
    o.onThrottle('dropped');
    if (verdict === 'disconnect') {
      o.onThrottle('disconnected');
      logger.warn(
        { sid: socket.id, role: socket.data.claims?.role },
        'client events over the limit; socket disconnected',
      );
      socket.disconnect(true);
      return false;
    }
    if (typeof ack === 'function')
      answer(ack, { error: 'rate_limited', message: 'too many events on this connection' });
    return false;
  }

  function answer(ack: unknown, r: DialResult | WrapupResult | ErrorBody): void {
    try {
      (ack as (r: unknown) => void)(r);
    } catch (err) {
      logger.warn({ err: errText(err) }, 'ack failed');
    }
  }

  /** One acked request: answered once, with the handler's result or an error body; never throws. */
  function onRequest<R>(
    event: 'dial' | 'wrapup',
    socket: FanoutSocket,
    claims: Claims,
    body: unknown,
    ack: unknown,
    handler: ((claims: Claims, body: unknown) => Promise<R>) | undefined,
    unavailable: string,
  ): void {
    if (typeof ack !== 'function') {
      logger.debug({ sid: socket.id, event }, 'event without an ack function ignored');
      return;
    }
    let answered = false;
    const reply = (r: R | ErrorBody) => {
      if (answered) return;
      answered = true;
      answer(ack, r as DialResult | WrapupResult);
    };
    if (!handler) {
      reply({ error: 'upstream_unavailable', message: unavailable });
      return;
    }
    if (claims.exp * 1000 + o.graceMs <= clock.now()) {
      reply({ error: 'token_expired', message: 'the token has expired' });
      return;
    }
    let p: Promise<R>;
    try {
      p = Promise.resolve(handler(claims, body));
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(reply, (err: unknown) => {
      logger.error({ sid: socket.id, event, err: errText(err) }, `${event} failed`);
      reply(
        event === 'dial'
          ? { error: 'internal_error', message: 'click-to-call failed (internal error)' }
          : { error: 'internal_error', message: 'the wrap-up could not be accepted' },
      );
    });
  }

  // One listener function per event for every socket (no closure, middleware or map entry per socket): `this` is
  // the socket, its claims are its socket.data's (set at the handshake, again at a recovered session's).
  function onDial(this: FanoutSocket, body: unknown, ack: unknown): void {
    const claims = this.data.claims;
    if (claims && admit(this, ack))
      onRequest('dial', this, claims, body, ack, o.dial, 'click-to-call is not available on this bridge');
  }
  function onWrapup(this: FanoutSocket, body: unknown, ack: unknown): void {
    const claims = this.data.claims;
    if (claims && admit(this, ack))
      onRequest('wrapup', this, claims, body, ack, o.wrapup, 'wrap-up is not enabled on this bridge');
  }

  return {
    attach(socket) {
      socket.on('dial', onDial);
      socket.on('wrapup', onWrapup);
    },
  };
}
