// Real socket.io-client connections that record what they receive.
import { io, type Socket } from 'socket.io-client';
import type { CallView, ClientToServerEvents, Dashboard, ServerToClientEvents } from '../../src/contract.js';
import { waitFor } from './wait.js';

export interface RecordingClient {
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  calls: CallView[];
  dashboards: Dashboard[];
  /** Latest view per callId (highest seq), as a client keeps it. */
  latest(callId: string): CallView | undefined;
  waitCall(pred: (v: CallView) => boolean, what?: string, timeoutMs?: number): Promise<CallView>;
  close(): void;
}

export async function connectClient(
  url: string,
  token: string,
  opts: { expectError?: boolean } = {},
): Promise<RecordingClient> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const calls: CallView[] = [];
  const dashboards: Dashboard[] = [];
  socket.on('call', (v) => calls.push(v));
  socket.on('dashboard', (d) => dashboards.push(d));
  if (!opts.expectError) {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
  }
  return {
    socket,
    calls,
    dashboards,
    latest(callId) {
      let best: CallView | undefined;
      for (const v of calls) if (v.callId === callId && (!best || v.seq > best.seq)) best = v;
      return best;
    },
    waitCall(pred, what = 'a call message', timeoutMs = 10_000) {
      return waitFor(() => calls.find(pred), { what, timeoutMs });
    },
    close() {
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
}

/** The connect_error a refused handshake gives (over WebSocket unless told). */
export function connectError(
  url: string,
  token: unknown,
  transports: ('websocket' | 'polling')[] = ['websocket'],
): Promise<{ message: string; code?: string }> {
  const socket = io(url, { auth: { token }, transports, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.disconnect();
      reject(new Error('handshake was accepted'));
    });
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => {
      resolve({ message: err.message, code: err.data?.code }); // first: disconnect() closes the transport at once
      socket.disconnect();
    });
    // A transport the server closes without a Socket.IO answer gives no connect_error: said so, not waited on forever.
    // (A refused handshake closes the transport too, just before its connect_error: that one wins.)
    socket.io.once('close', (reason) => {
      setImmediate(() => {
        socket.disconnect();
        resolve({ message: `transport closed (${reason})` });
      });
    });
  });
}
