// The events a client of the simulated Socket.IO 0.9 signal socket sends (signal-socketio09.ts runs the socket):
// `subscribe` / `unsubscribe` with an auth token, an account and bindings, answered with acks, `auth_failure`
// (a bad token) or `error` (a bad account or binding).
import type { SignalHub } from './signal-hub.js';
import { decodeEvent, encodeAck, encodeEvent, type Packet09 } from './signal-socketio09-codec.js';

/** How the socket answers a client event. */
export interface EventReplies {
  send(frame: string): void;
  malformed(why: string): void;
  /** An event other than subscribe/unsubscribe. */
  unhandled(name: string): void;
}

export function onClientEvent(hub: SignalHub, connectionId: string, p: Packet09, r: EventReplies): void {
  const ev = decodeEvent(p.data);
  if (!ev) return r.malformed('event is not {"name","args"}');
  if (p.id !== undefined && !p.dataAck) r.send(encodeAck(p.id)); // plain ack: at once, like 0.9
  if (ev.name !== 'subscribe' && ev.name !== 'unsubscribe') {
    return r.unhandled(ev.name);
  }
  const arg = ev.args[0];
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg))
    return r.malformed(`${ev.name} without an object argument`);
  const a = arg as Record<string, unknown>;
  const token = a.auth_token;
  const accountId = typeof a.account_id === 'string' ? a.account_id : '';
  const bindings = bindingList(a.binding ?? a.bindings);
  if (ev.name === 'unsubscribe') {
    if (hub.checkToken(token) !== 'valid') return authFailure(r, token);
    for (const b of bindings) hub.unsubscribe(connectionId, b, accountId || undefined);
    if (p.id !== undefined && p.dataAck) r.send(encodeAck(p.id, ['ok']));
    return;
  }
  const bad: string[] = [];
  for (const binding of bindings.length ? bindings : ['']) {
    const res = hub.subscribe({
      connectionId,
      accountId,
      binding,
      token: typeof token === 'string' ? token : '',
    });
    if (res.ok) continue;
    if (res.reason === 'expired' || res.reason === 'unknown' || res.reason === 'revoked') return authFailure(r, token);
    bad.push(res.reason);
  }
  if (bad.length) {
    r.send(
      encodeEvent('error', [{ message: bad.includes('invalid_account') ? 'invalid account_id' : 'invalid binding' }]),
    );
    return;
  }
  if (p.id !== undefined && p.dataAck) r.send(encodeAck(p.id, ['ok']));
}

function authFailure(r: EventReplies, token: unknown): void {
  // Kazoo echoes the token as `cause`: this is the simulated server talking to its own client.
  r.send(encodeEvent('auth_failure', [{ message: 'invalid auth token', cause: token ?? null }]));
}

function bindingList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map((b) => (typeof b === 'string' ? b : ''));
  return [];
}
