// Socket.IO 0.9 session: HTTP handshake, `1::`, heartbeat echo, subscribe events with ack ids.

import type { FetchLike } from '../upstream/fetch.js';
import { SignalConnectError } from './errors.js';
import {
  type ConnectTarget,
  type Interpreted,
  type ProtocolSession,
  type RawPacket,
  toHttpUrl,
  toWsUrl,
} from './protocol.js';
import {
  DISCONNECT,
  decode,
  decodePayload,
  encodeAck,
  encodeEvent,
  HEARTBEAT,
  parseHandshake,
} from './socketio09-codec.js';

/** The upstream kit's fetch shape (src/upstream/fetch.ts), the one every upstream client takes. */
export type { FetchLike };

/** Dead-socket default: 2.5 × the heartbeat the server announced; none when it announced none (heartbeats off). */
export const HEARTBEAT_DEAD_FACTOR = 2.5;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An ack whose first argument says error/failure (or is `false`) is a refusal; anything else confirms. */
function ackRefuses(args: unknown[]): boolean {
  const a = args[0];
  if (a === false) return true;
  if (!isObject(a)) return false;
  if (a.status === 'error' || a.status === 'failure' || a.status === 'auth_failure') return true;
  return a.error !== undefined && a.error !== null && a.error !== false;
}

export class SocketIoSession implements ProtocolSession {
  readonly name = 'socketio';
  readonly awaitsConnectFrame = true;
  private ackSeq = 0;

  constructor(private readonly opts: { url: string; accountId: string; fetch: FetchLike; now: () => number }) {}

  async prepare(signal: AbortSignal): Promise<ConnectTarget> {
    const res = await this.opts.fetch(`${toHttpUrl(this.opts.url)}/socket.io/1/?t=${this.opts.now()}`, {
      method: 'GET',
      headers: {},
      signal,
    });
    if (res.status < 200 || res.status > 299)
      throw new SignalConnectError(`socket.io handshake answered HTTP ${res.status}`, 'handshake_http_status');
    const body = await res.text();
    const hs = parseHandshake(body);
    if (!hs.ok) {
      if (hs.reason === 'no_websocket') {
        const offered = hs.transports?.length ? hs.transports.join(', ') : 'nothing usable';
        throw new SignalConnectError(
          `socket.io server offers no websocket transport (offered: ${offered})`,
          hs.reason,
          hs.transports,
        );
      }
      throw new SignalConnectError(`socket.io handshake unusable (${hs.reason})`, hs.reason);
    }
    const { sid, heartbeatMs } = hs.handshake;
    return {
      wsUrl: `${toWsUrl(this.opts.url)}/socket.io/1/websocket/${encodeURIComponent(sid)}`,
      deadAfterMs: heartbeatMs ? Math.round(heartbeatMs * HEARTBEAT_DEAD_FACTOR) : undefined,
    };
  }

  split(text: string): RawPacket[] {
    return decodePayload(text).map((p) => (p.ok ? { ok: true, text: p.packet } : p));
  }

  urgent(packet: string): Interpreted | undefined {
    return packet.length <= 16 && packet.startsWith('2:') ? this.interpret(packet) : undefined;
  }

  interpret(text: string): Interpreted {
    const d = decode(text);
    if (!d.ok) return { frameType: 'invalid', inbound: { kind: 'reject', reason: d.reason } };
    const f = d.frame;
    switch (f.type) {
      case 'heartbeat':
        return { frameType: f.type, inbound: { kind: 'keepalive' }, reply: HEARTBEAT };
      case 'connect':
        return { frameType: f.type, inbound: f.endpoint ? { kind: 'ignore' } : { kind: 'connected' } };
      case 'disconnect':
        return {
          frameType: f.type,
          inbound: f.endpoint ? { kind: 'ignore' } : { kind: 'disconnect', reason: 'server_disconnect' },
        };
      case 'noop':
        return { frameType: f.type, inbound: { kind: 'ignore' } };
      case 'message':
      case 'json':
        // Kazoo sends channel events as `5:` events only: a `3:`/`4:` packet carries nothing the bridge reads.
        return {
          frameType: f.type,
          inbound: { kind: 'reject', reason: f.type === 'message' ? 'unexpected_message' : 'unexpected_json' },
          reply: f.id !== undefined ? encodeAck(f.id, f.ackData ? [] : undefined) : undefined,
        };
      case 'event': {
        const reply = f.id !== undefined ? encodeAck(f.id, f.ackData ? [] : undefined) : undefined;
        if (f.name === 'auth_failure' || f.name === 'error') {
          const a = f.args[0];
          const cause = isObject(a) && typeof a.cause === 'string' ? a.cause : undefined;
          return { frameType: f.type, inbound: { kind: 'failure', what: f.name, cause }, reply };
        }
        return { frameType: f.type, inbound: { kind: 'event', name: f.name, payload: f.args[0] }, reply };
      }
      case 'ack': {
        const ref = String(f.ackId);
        const inbound = ackRefuses(f.args)
          ? ({ kind: 'failure', what: 'error', ref } as const)
          : ({ kind: 'ack', ref } as const);
        return { frameType: f.type, inbound };
      }
      case 'error': {
        // 0.9 may send numeric codes: reason 1 = client not handshaken, advice 0 = reconnect.
        const reconnect =
          f.advice === 'reconnect' || f.advice === '0' || f.reason === '1' || f.reason === 'client not handshaken';
        return {
          frameType: f.type,
          inbound: reconnect
            ? { kind: 'disconnect', reason: 'server_error_reconnect' }
            : { kind: 'reject', reason: 'server_error' },
        };
      }
    }
  }

  subscribeFrame(binding: string, authToken: string): { ref: string; frame: string } {
    this.ackSeq += 1;
    const frame = encodeEvent(
      'subscribe',
      [{ account_id: this.opts.accountId, auth_token: authToken, binding }],
      this.ackSeq,
    );
    return { ref: String(this.ackSeq), frame };
  }

  pingFrame(): undefined {
    return undefined;
  }

  closingFrame(): string {
    return DISCONNECT;
  }
}
