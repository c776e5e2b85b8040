// The one update every consumer of calls receives, and the consumer interface. A PipelineUpdate is the enriched call
// update (enrich/enricher.ts) plus, in cluster mode, the cluster-wide id the gate gave it (cluster/gate.ts), which the
// fan-out marks done after emitting so the standby holder does not publish it again.
import type { EnrichedUpdate } from '../enrich/enricher.js';

export type PipelineUpdate = EnrichedUpdate & {
  /** Cluster mode: `<Msg-ID>:<index>` (or `<callId>:c<n>`), the same on every upstream holder. Absent on one node. */
  clusterUpdateId?: string;
};

/** One consumer of call updates (the fan-out to Socket.IO; later the outbox). */
export interface CallConsumer {
  /** For logs and metrics. */
  readonly name: string;
  /** Called once per update, in the order of the call's updates. A rejection or a throw is logged, never passed on. */
  consume(u: PipelineUpdate): void | Promise<void>;
  /** Releases what the consumer holds. Called once, after the upstream pipeline stopped. */
  stop?(): void | Promise<void>;
}

/**
 * The enricher's output typed at the pipeline boundary: the enricher copies the update with a spread, so the gate's
 * `clusterUpdateId` is still on it; anything but a string there is dropped.
 */
export function toPipelineUpdate(u: EnrichedUpdate): PipelineUpdate {
  const id = (u as { clusterUpdateId?: unknown }).clusterUpdateId;
  if (id === undefined || typeof id === 'string') return u as PipelineUpdate;
  const { clusterUpdateId: _dropped, ...rest } = u as PipelineUpdate;
  return rest;
}
