// Test helpers for the simulated signal socket: a real http server on port 0 and raw `ws` clients.

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import {
  attachSignalServers,
  type SignalServers,
  type SignalServersOptions,
} from '../../src/simulator/signal-servers.js';
import { TokenRegistry } from '../../src/simulator/token-registry.js';
import { waitFor } from '../helpers/wait.js';

export const ACCOUNT = 'a'.repeat(32);

export interface Fixture {
  server: Server;
  port: number;
  signals: SignalServers;
  tokens: TokenRegistry;
  /** Moves the token registry's clock forward. */
  advance(ms: number): void;
  clients: RawClient[];
  close(): Promise<void>;
}

export async function startFixture(opts: Partial<SignalServersOptions> = {}): Promise<Fixture> {
  let offset = 0;
  const tokens = new TokenRegistry(() => Date.now() + offset);
  let signals: SignalServers | undefined;
  const server = createServer((req, res) => {
    if (signals?.handleHandshake(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  signals = attachSignalServers(server, { tokens, ...opts });
  const sig = signals;
  const f: Fixture = {
    server,
    port: (server.address() as AddressInfo).port,
    signals: sig,
    tokens,
    clients: [],
    advance: (ms) => {
      offset += ms;
    },
    close: async () => {
      for (const c of f.clients) c.ws.terminate();
      await sig.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return f;
}

export class RawClient {
  readonly texts: string[] = [];
  readonly binaries: Buffer[] = [];
  closed = false;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) this.binaries.push(buf);
      else this.texts.push(buf.toString('utf8'));
    });
    ws.on('close', () => {
      this.closed = true;
    });
    ws.on('error', () => {
      /* the close event follows */
    });
  }

  static async open(f: Fixture, path: string): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${f.port}${path}`);
    const c = new RawClient(ws);
    f.clients.push(c);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return c;
  }

  send(s: string): void {
    this.ws.send(s);
  }

  async next(pred: (t: string) => boolean, what: string, timeoutMs = 5000): Promise<string> {
    let found: string | undefined;
    await waitFor(() => (found = this.texts.find(pred)) !== undefined, { what: what, timeoutMs: timeoutMs });
    return found as string;
  }

  count(pred: (t: string) => boolean): number {
    return this.texts.filter(pred).length;
  }

  jsons(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const t of this.texts) {
      try {
        const v = JSON.parse(t);
        if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v);
      } catch {
        /* not JSON */
      }
    }
    return out;
  }
}

/** Socket.IO 0.9 handshake over HTTP; returns the parsed body. */
export async function handshake(f: Fixture): Promise<{
  sid: string;
  heartbeat: number;
  closeTimeout: number;
  transports: string;
  status: number;
  contentType: string | null;
}> {
  const res = await fetch(`http://127.0.0.1:${f.port}/socket.io/1/?t=${Date.now()}`, {
    headers: { connection: 'close' },
  });
  const body = await res.text();
  const [sid, hb, ct, transports] = body.split(':');
  return {
    sid,
    heartbeat: Number(hb),
    closeTimeout: Number(ct),
    transports,
    status: res.status,
    contentType: res.headers.get('content-type'),
  };
}

/** Handshake + websocket; echoes `2::` heartbeats unless told not to. */
export async function sioConnect(f: Fixture, echoHeartbeats = true): Promise<RawClient> {
  const hs = await handshake(f);
  const c = await RawClient.open(f, `/socket.io/1/websocket/${hs.sid}`);
  if (echoHeartbeats)
    c.ws.on('message', (d) => {
      if (d.toString() === '2::') c.ws.send('2::');
    });
  await c.next((t) => t === '1::', 'socket.io connect frame');
  return c;
}

export function sioSubscribe(c: RawClient, token: string, binding: string, ackId?: number, accountId = ACCOUNT): void {
  const id = ackId === undefined ? '' : `${ackId}+`;
  c.send(
    `5:${id}::${JSON.stringify({ name: 'subscribe', args: [{ account_id: accountId, auth_token: token, binding }] })}`,
  );
}

export function bhSend(c: RawClient, msg: Record<string, unknown>): string {
  const request_id = randomUUID();
  c.send(JSON.stringify({ request_id, ...msg }));
  return request_id;
}

export async function bhReply(c: RawClient, requestId: string): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await waitFor(
    () => (found = c.jsons().find((m) => m.action === 'reply' && m.request_id === requestId)) !== undefined,
    { what: `reply ${requestId}` },
  );
  return found as Record<string, unknown>;
}

export function callEvent(name: string, callId: string, accountId = ACCOUNT): Record<string, unknown> {
  return {
    'Event-Category': 'call_event',
    'Event-Name': name,
    'Msg-ID': randomUUID(),
    'Call-ID': callId,
    'Call-Direction': 'inbound',
    'Caller-ID-Name': '0934890883',
    'Caller-ID-Number': '0934890883',
    'Callee-ID-Number': '02873019555',
    'Custom-Channel-Vars': { 'Account-ID': accountId },
    Timestamp: 63910891956,
  };
}
