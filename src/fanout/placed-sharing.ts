// Cluster mode: a click-to-call placed through one node is told to every other node (Socket.IO serverSideEmit over
// the adapter), so that whichever nodes hold the upstream subscription know it is the bridge's own call.
import type { Logger } from '../log.js';
import type { FanoutServer } from './server.js';

export interface PlacedRecords {
  onRecord(listener: (agent: string, number: string) => void): () => void;
  remember(agent: string, number: string): void;
}

const FIELD = /^[^\n]{1,64}$/;

/** Wires the sharing both ways; returns the detach. */
export function sharePlacedCalls(io: FanoutServer, placed: PlacedRecords, logger: Logger): () => void {
  const onPeer = (agent: unknown, number: unknown) => {
    if (typeof agent !== 'string' || typeof number !== 'string' || !FIELD.test(agent) || !FIELD.test(number)) {
      logger.warn('inter-node placedCall refused (malformed)');
      return;
    }
    placed.remember(agent, number);
  };
  io.on('placedCall', onPeer);
  const off = placed.onRecord((agent, number) => {
    try {
      io.serverSideEmit('placedCall', agent, number);
    } catch (err) {
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'placedCall could not be told to the other nodes',
      );
    }
  });
  return () => {
    off();
    io.off('placedCall', onPeer);
  };
}
