// The call domain's inputs and outputs. calls/ is pure: no I/O, time comes in with the events.
import type { AgentRef, CallDirection, CallOutcome, CallState, Party, QueueRef } from '../contract.js';

/** Agent and queue names known from AntRing's agents and queues APIs (enrich/directory.ts keeps it fresh). */
export interface AgentDirectory {
  /** `Owner-ID` (= agents API `anttel.userId`) → agent, or undefined when that owner is not an agent. */
  agentByOwnerId(ownerId: string): AgentRef | undefined;
  queueName(queueId: string): string | undefined;
}

/** Who a CallUpdate is for. */
export type Audience =
  /** One agent's own view of the call (their leg): rooms of that agent. */
  | { kind: 'agent'; username: string }
  /** The call as a whole: admins of the org, supervisors of its queue (when it has one). */
  | { kind: 'call'; queueId?: string };

/** One change of a call as one audience sees it. Enrichment adds the contact; the publisher adds seq and id. */
export interface CallUpdate {
  audience: Audience;
  callId: string;
  org: string;
  state: CallState;
  direction: CallDirection;
  from: Party;
  to: Party;
  did?: string;
  agent?: AgentRef;
  queue?: QueueRef;
  /** The customer's number to look up in the CRM (normalised later); undefined for internal calls. */
  customerNumber?: string;
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  outcome?: CallOutcome;
  hangupCause?: string;
  /** The surviving callId, on the last view of a call merged into another (CallView.mergedInto). */
  mergedInto?: string;
  durationSec?: number;
  billingSec?: number;
  /** performance.now() of the frame that caused this update (latency metric). */
  receivedAt: number;
  /**
   * Cluster mode: `<Msg-ID>:<index>` (or `<callId>:c<n>`), given by the gate (cluster/gate.ts), the same on every
   * upstream holder; the fan-out marks it done after emitting. Absent on one node.
   */
  clusterUpdateId?: string;
}
