// The CallGate's options, stats and the update it forwards (gate.ts).
import type { Redis } from 'ioredis';
import type { CallUpdate } from '../calls/types.js';
import type { Logger } from '../log.js';
import type { DoneMarks } from './broadcast-marks.js';
import type { GateTicker } from './gate-ticker.js';
import type { ClusterKeys } from './keys.js';

/** A CallUpdate as the gate forwards it: `clusterUpdateId` set (CallUpdate types it). */
export type TaggedUpdate = CallUpdate;

export interface CallGateOptions {
  redis: Redis;
  /** Where the done marks go: with the broadcast they stand for, in one Redis script (broadcast-marks.ts), so a
   *  mark never exists without its broadcast in the stream, nor a broadcast without its mark (a node killed between
   *  the two would leave the standby to skip an update nobody received, or to publish one again). Default: a plain SET
   *  on `redis`. */
  marks?: DoneMarks;
  keys: ClusterKeys;
  nodeId: string;
  logger: Logger;
  /** Where the updates this node publishes go (the enricher). */
  forward: (u: TaggedUpdate) => void;
  /** The tenant heartbeat's lifetime (tenant-leases.ts). */
  heartbeatTtlMs: number;
  /** After a won claim, or a renewal of this node's heartbeat (CallGate.heartbeat), the owner publishes the call's
   *  next updates without claiming again for this long: the claim or the renewal wrote the heartbeat, nobody takes a
   *  call over before it lapses (heartbeatTtlMs), and the rest of that lifetime covers the enrichment and the
   *  broadcast. Default heartbeatTtlMs / 2, at most 2/3 of it; 0 = claim at every event. */
  ownerTrustMs?: number;
  /** A standby re-checks a call owned by a node whose heartbeat is live only once its oldest pending update is this
   *  old (to prune what the owner marked done); each tick it reads the owners' heartbeats (one command) and claims
   *  at once the calls of an owner whose heartbeat lapsed. Default 5000 ms; 0 = re-check every call at every tick. */
  standbyPruneMs?: number;
  /** Owner key lifetime, refreshed at each claim of the call; default 1 h (2 min after the call ended). */
  ownerTtlMs?: number;
  /** Done marks' lifetime; default 2 min. */
  doneTtlMs?: number;
  /** The process-wide ticker (cluster/node.ts) that re-checks the calls of every tenant's gate; without it the gate
   *  has a ticker of its own, of period `tickMs`. */
  ticker?: GateTicker;
  /** Re-check of calls with pending updates (take-over, pruning), without `ticker`; default 500 ms. */
  tickMs?: number;
  /** Pending updates kept per call; default 500 (oldest dropped). */
  maxPendingPerCall?: number;
  /** Pending updates older than this are dropped; default = doneTtlMs. */
  maxPendingAgeMs?: number;
  /** Calls tracked; default 50 000 (least recently seen dropped). */
  maxCalls?: number;
  now?: () => number;
}

export interface CallGateStats {
  calls: number;
  pending: number;
  forwarded: number;
  skippedDone: number;
  takeovers: number;
  dropped: number;
  /** Claims left to a holder whose engine started first. */
  deferred: number;
}
