// Connection state recovery for every client, quiet or not. Socket.IO recovers a session only from the offset of a
// broadcast the client received, and the adapters forget offsets (memory: older than the recovery window; Redis
// streams: trimmed past maxLen). So every socket of this node gets a `keepalive` broadcast (no payload) through a room
// of this node: shortly after it connects (`soonMs`, one broadcast for all the sockets that connected meanwhile, so
// a reconnect storm adds a few stream entries, not one per socket), then every `everyMs` (well within the window).
// A client that received nothing else still holds a recent offset.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { rooms } from './rooms.js';
import type { FanoutServer, FanoutSocket } from './server.js';

/** Default recovery window when the caller gives none (the README's CLUSTER_RECOVERY_MS default). */
export const DEFAULT_RECOVERY_MS = 30_000;

export interface OffsetKeeper {
  /** A (re)connected socket: join this node's room, get a fresh offset. */
  connected(socket: FanoutSocket): void;
  stop(): void;
}

/** A keepalive period well within the window: a third of it, at most 10 s, at least 250 ms. */
export function keepalivePeriod(recoveryMs: number): number {
  return Math.max(250, Math.min(10_000, Math.floor(recoveryMs / 3)));
}

export function startOffsetKeeper(
  io: FanoutServer,
  o: { org: string; recoveryMs: number; clock: Clock; everyMs?: number; soonMs?: number },
): OffsetKeeper {
  const nodeRoom = rooms.node(o.org, randomUUID());
  const everyMs = o.everyMs ?? keepalivePeriod(o.recoveryMs);
  const soonMs = o.soonMs ?? 250;
  let timer: unknown;
  let soon: unknown;
  let stopped = false;
  const emit = () => {
    if ((io.of('/').adapter.rooms.get(nodeRoom)?.size ?? 0) > 0) io.to(nodeRoom).emit('keepalive');
  };
  const tick = () => {
    if (stopped) return;
    emit();
    timer = o.clock.setTimeout(tick, everyMs);
    (timer as { unref?: () => void }).unref?.();
  };
  timer = o.clock.setTimeout(tick, everyMs);
  (timer as { unref?: () => void }).unref?.();
  return {
    connected(socket) {
      void socket.join(nodeRoom);
      if (soon !== undefined || stopped) return;
      soon = o.clock.setTimeout(() => {
        soon = undefined;
        if (!stopped) emit();
      }, soonMs);
      (soon as { unref?: () => void }).unref?.();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) o.clock.clearTimeout(timer);
      if (soon !== undefined) o.clock.clearTimeout(soon);
    },
  };
}
