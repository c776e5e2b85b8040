// The call engine's options and counters.

import type { PlacedCalls } from './click-to-call.js';
import type { AgentDirectory } from './types.js';

export interface CallEngineOptions {
  /** The AntRing account id; events whose accountId is set and differs are ignored (counted). */
  org: string;
  directory: AgentDirectory;
  /** A call still ringing (or whose root has ended) with no event for this long is forgotten. Default 10 min. */
  ringTimeoutMs?: number;
  /** Any call older than this is forgotten. Default 6 h. */
  maxCallMs?: number;
  /** Live calls kept at most; the least recently updated is forgotten first. Default 20,000. */
  maxCalls?: number;
  /** Msg-IDs remembered for de-duplication. Default 50,000. */
  dedupeSize?: number;
  /** Leg ids of ended calls remembered, to ignore their late events. Default 50,000. */
  endedMemory?: number;
  /** Legs kept per call; beyond it the oldest destroyed leg is dropped. Default 64. */
  maxLegsPerCall?: number;
  /** Tells the click-to-call legs the bridge placed (the agent's pickup is not the customer answering). */
  placed?: PlacedCalls;
}

export interface CallEngineStats {
  duplicates: number;
  otherOrg: number;
  lateIgnored: number;
  forgotten: number;
  /** Events without a leg id or with an unknown event name. */
  invalid: number;
  /** New legs refused because their call already had maxLegsPerCall live legs. */
  legOverflow: number;
  /** Two live calls joined into one (legs linked late). */
  merged: number;
}
