// The load process (forked by bench/run.ts, IPC): N socket.io-clients over WebSocket, each with its own JWT.
// Records, per client, when it first received each call (callId) and counts every `call` message in 100 ms slots.
// Times are `performance.timeOrigin + performance.now()` (unix ms, sub-millisecond), the clock every bench process
// uses, so they compare with the send times of the orchestrator on the same machine.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { CallView } from '../src/contract.js';

export interface LoadClientSpec {
  /** Index into `urls`. */
  u: number;
  token: string;
}

export type ToLoad =
  | { type: 'connect'; urls: string[]; clients: LoadClientSpec[]; concurrency: number; timeoutMs: number }
  | { type: 'mark' }
  | { type: 'collect' }
  | { type: 'close' };

export interface LoadResult {
  type: 'result';
  markAt: number;
  /** Every `call` message per 100 ms slot from markAt. */
  slots: number[];
  messages: number;
  dashboards: number;
  disconnects: number;
  /** First receipt of each call per client: parallel arrays. */
  first: { client: number[]; callId: string[]; t: number[] };
  cpuMs: number;
  /**
   * Event-loop delay of the load process during the measurement (ms): how late its sampling timer fired, beyond the
   * sampling interval (the histogram records whole intervals: an idle loop reads ~0, not LOOP_RESOLUTION_MS).
   */
  loopDelay: { p50: number; p99: number; max: number };
}

export type FromLoad =
  | { type: 'connected'; connected: number; failed: number; ms: number; errors: string[] }
  | { type: 'marked'; at: number }
  | LoadResult
  | { type: 'closed' };

const SLOT_MS = 100;
const now = () => performance.timeOrigin + performance.now();
const send = (m: FromLoad) => process.send?.(m);

let sockets: Socket[] = [];
let seen: Set<string>[] = [];
let markAt = now();
let slots: number[] = [];
let messages = 0;
let dashboards = 0;
let disconnects = 0;
let first = { client: [] as number[], callId: [] as string[], t: [] as number[] };
let cpuAtMark = process.cpuUsage();
const LOOP_RESOLUTION_MS = 10;
const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });

function reset(): void {
  markAt = now();
  slots = [];
  messages = 0;
  dashboards = 0;
  disconnects = 0;
  first = { client: [], callId: [], t: [] };
  cpuAtMark = process.cpuUsage();
  loop.reset();
}

function connectOne(i: number, url: string, token: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(url, {
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
      forceNew: true,
      timeout: timeoutMs,
    });
    const seenCalls = new Set<string>();
    seen[i] = seenCalls;
    s.on('call', (v: CallView) => {
      const t = now();
      messages++;
      const slot = Math.floor((t - markAt) / SLOT_MS);
      if (slot >= 0) slots[slot] = (slots[slot] ?? 0) + 1;
      const id = v?.callId;
      if (typeof id === 'string' && !seenCalls.has(id)) {
        seenCalls.add(id);
        first.client.push(i);
        first.callId.push(id);
        first.t.push(t);
      }
    });
    s.on('dashboard', () => void dashboards++);
    s.once('connect', () => {
      s.on('disconnect', () => void disconnects++);
      resolve(s);
    });
    s.once('connect_error', (err: Error) => {
      s.close();
      reject(err);
    });
  });
}

async function connectAll(m: Extract<ToLoad, { type: 'connect' }>): Promise<void> {
  const started = now();
  sockets = new Array(m.clients.length);
  seen = new Array(m.clients.length);
  let next = 0;
  let failed = 0;
  const errors: string[] = [];
  await Promise.all(
    Array.from({ length: Math.min(m.concurrency, m.clients.length) }, async () => {
      while (next < m.clients.length) {
        const i = next++;
        const c = m.clients[i];
        try {
          sockets[i] = await connectOne(i, m.urls[c.u], c.token, m.timeoutMs);
        } catch (err) {
          failed++;
          if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
        }
      }
    }),
  );
  send({ type: 'connected', connected: m.clients.length - failed, failed, ms: Math.round(now() - started), errors });
}

process.on('message', (raw: unknown) => {
  const m = raw as ToLoad;
  switch (m.type) {
    case 'connect':
      loop.enable();
      void connectAll(m);
      break;
    case 'mark':
      reset();
      send({ type: 'marked', at: markAt });
      break;
    case 'collect': {
      const cpu = process.cpuUsage(cpuAtMark);
      const ns = (v: number) => Math.round(Math.max(0, v / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100;
      send({
        type: 'result',
        markAt,
        slots: Array.from(slots, (v) => v ?? 0),
        messages,
        dashboards,
        disconnects,
        first,
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        loopDelay: { p50: ns(loop.percentile(50)), p99: ns(loop.percentile(99)), max: ns(loop.max) },
      });
      break;
    }
    case 'close':
      for (const s of sockets) s?.close();
      sockets = [];
      loop.disable();
      send({ type: 'closed' });
      setTimeout(() => process.exit(0), 100).unref();
      break;
  }
});

process.on('disconnect', () => process.exit(0));
