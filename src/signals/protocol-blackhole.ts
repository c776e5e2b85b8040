// Kazoo blackhole (JSON) session: plain websocket, subscribe/reply by request_id, client pings.
import { randomUUID } from 'node:crypto';
import { decodeServerFrame, encodePing, encodeSubscribe } from './blackhole-codec.js';
import { type ConnectTarget, type Interpreted, type ProtocolSession, type RawPacket, toWsUrl } from './protocol.js';

export const BLACKHOLE_DEAD_MS = 30_000;

export class BlackholeSession implements ProtocolSession {
  readonly name = 'blackhole';
  readonly awaitsConnectFrame = false;

  constructor(private readonly opts: { url: string; accountId: string; newId?: () => string }) {}

  private newId(): string {
    return (this.opts.newId ?? randomUUID)();
  }

  async prepare(): Promise<ConnectTarget> {
    return { wsUrl: toWsUrl(this.opts.url), deadAfterMs: BLACKHOLE_DEAD_MS };
  }

  split(text: string): RawPacket[] {
    return [{ ok: true, text }];
  }

  /** blackhole keep-alives are replies to our pings: nothing to answer, and arrival alone feeds the watchdog. */
  urgent(): undefined {
    return undefined;
  }

  interpret(text: string): Interpreted {
    const d = decodeServerFrame(text);
    if (!d.ok) return { frameType: 'invalid', inbound: { kind: 'reject', reason: d.reason } };
    const f = d.frame;
    if (f.type === 'event') return { frameType: 'event', inbound: { kind: 'event', name: f.name, payload: f.data } };
    if (f.pong) return { frameType: 'pong', inbound: { kind: 'keepalive' } };
    if (f.status === 'success') return { frameType: 'reply', inbound: { kind: 'ack', ref: f.requestId } };
    return { frameType: 'reply', inbound: { kind: 'failure', what: 'error', ref: f.requestId } };
  }

  subscribeFrame(binding: string, authToken: string): { ref: string; frame: string } {
    const requestId = this.newId();
    return {
      ref: requestId,
      frame: encodeSubscribe({ authToken, requestId, accountId: this.opts.accountId, binding }),
    };
  }

  pingFrame(): string {
    return encodePing(this.newId());
  }

  closingFrame(): undefined {
    return undefined;
  }
}
