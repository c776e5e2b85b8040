// The mode the bridge runs in, as one object: a single node (memory stores, the node always holds the upstream) or
// a cluster over Redis (cluster/). The composition root asks the mode for its stores instead of forking on it.
import type { ServerOptions } from 'socket.io';
import type { CallUpdate } from '../calls/types.js';
import type { Clock } from '../clock.js';
import type { GateEvent } from '../cluster/gate.js';
import type { ClusterSettings } from '../cluster/settings.js';
import type { DashboardSource } from '../dashboard/poller.js';
import type { IdempotencyStore } from '../dial/idempotency.js';
import type { RateLimiter } from '../dial/rate-limiter.js';
import type { SecondLevelCache } from '../enrich/contact-directory.js';
import type { LiveCallStore } from '../fanout/live-calls.js';
import type { PlacedRecords } from '../fanout/placed-sharing.js';
import type { SeqSource } from '../fanout/seq.js';
import type { FanoutServer } from '../fanout/server.js';
import type { Logger } from '../log.js';
import type { WritebackDeps } from '../writeback/create.js';
import type { PipelineUpdate } from './update.js';

/** Called as this node's right to hold the upstream subscription comes and goes. */
export interface LeaseHooks {
  /** Build a fresh engine and subscriber and start them. */
  acquire(): void;
  /** Stop the subscriber. */
  release(): Promise<void> | void;
  /** Live calls in the engine (cluster: a holder no longer assigned keeps the upstream until they end). */
  busy?(): boolean;
}

/** Who runs the upstream and which engine output this node publishes. */
export interface UpstreamLeases {
  /** Starts taking leases; `forward` gets the updates this node publishes (to the enricher). */
  start(hooks: LeaseHooks, forward: (u: CallUpdate) => void): void;
  /** The engine's output for one upstream event (undefined: a sweep). */
  route(event: GateEvent | undefined, updates: CallUpdate[]): void;
  holdsUpstream(): boolean;
  /** Cluster mode: the nodes holding this tenant's upstream (GET /api/tenants `holders`). */
  holders?(): string[];
  /** Graceful stop, step 1: take no new lease. */
  stopAcquiring(): void;
  /** Give the lease back (hooks.release runs). Idempotent. */
  leave(): Promise<void>;
}

export interface BridgeMode {
  readonly kind: 'single' | 'cluster';
  /** Cluster mode: this node's id (logs). */
  readonly nodeId?: string;
  readonly seq: SeqSource;
  readonly live: LiveCallStore;
  /** The contact cache's shared second level (cluster mode). */
  readonly contactCache?: SecondLevelCache;
  readonly rateLimiter: RateLimiter;
  readonly idempotency: IdempotencyStore;
  /** Socket.IO adapter and connection state recovery (cluster mode; the fan-out's defaults otherwise). */
  readonly sockets: {
    adapter?: ServerOptions['adapter'];
    connectionStateRecovery?: ServerOptions['connectionStateRecovery'];
  };
  readonly leases: UpstreamLeases;
  /** The dashboard poller's source. */
  dashboardSource(upstream: DashboardSource, pollMs: number): DashboardSource;
  /** Whether this node emits dashboard changes (cluster: the adapter broadcasts everywhere, only the leader emits). */
  emitsDashboard(): boolean;
  /** The fan-out emitted this update. */
  published(u: PipelineUpdate): void;
  /** Not-ready reasons of the mode itself (Redis down). */
  notReadyReasons(): string[];
  /** Cluster mode: the write-back's outbox and recent calls live in Redis (writeback/create.ts `cluster`). */
  readonly writebackStore?: WritebackDeps['cluster'];
  /** Cluster mode: a click-to-call placed through this node is made known to the upstream holders' engines (the
   *  detach is returned); a single node has nothing to share. */
  sharePlacedCalls(io: FanoutServer, placed: PlacedRecords, logger: Logger): (() => void) | undefined;
  /** Releases the stores' connections. Call after the fan-out (and its adapter) closed. Idempotent. */
  close(): Promise<void>;
}

export interface ModeDeps {
  logger: Logger;
  clock: Clock;
  /** Cluster mode: settings over config.cluster (tests shorten them). */
  cluster?: Partial<ClusterSettings>;
}
