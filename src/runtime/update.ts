// The one update every consumer of calls receives, and the consumer interface. A PipelineUpdate is the enriched call
// update (enrich/enricher.ts) plus, in cluster mode, the cluster-wide id the gate gave it (cluster/gate.ts), which the
// fan-out marks done after emitting so the standby holder does not publish it again.
import type { EnrichedUpdate } from '../fanout/types.js';

/** The enriched update; in cluster mode it carries the gate's `clusterUpdateId` (typed on CallUpdate). */
export type PipelineUpdate = EnrichedUpdate;

/** One consumer of call updates (the fan-out to Socket.IO; later the outbox). */
export interface CallConsumer {
  /** For logs and metrics. */
  readonly name: string;
  /** Called once per update, in the order of the call's updates. A rejection or a throw is logged, never passed on. */
  consume(u: PipelineUpdate): void | Promise<void>;
  /** Releases what the consumer holds. Called once, after the upstream pipeline stopped. */
  stop?(): void | Promise<void>;
}
