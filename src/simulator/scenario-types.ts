// The scenario engine's inputs and outputs (scenarios.ts), and its errors.
import type { ChannelEventName } from './kazoo-payload.js';

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}
export class ScenarioAbortedError extends Error {
  override readonly name = 'ScenarioAbortedError';
  constructor() {
    super('simulator closed while the scenario was running');
  }
}

export interface ScenarioResult {
  /** The root leg's Call-ID (the call's id for every audience). */
  callId: string;
  /** Every leg id, in creation order. */
  legs: string[];
}

export interface InboundQueueCall {
  customer: string;
  customerName?: string;
  queueId?: string;
  /** Usernames rung together (1–3; 0 only with abandon). */
  agents: string[];
  /** Who answers (default: the first agent); null = nobody (abandoned). */
  answeredBy?: string | null;
  abandon?: boolean;
  /** Customer leg created → answered by the IVR; IVR answer → agent legs created. Defaults from Timing. */
  ivrMs?: number;
  queueMs?: number;
  ringMs?: number;
  talkMs?: number;
  /** Who hangs up first after the talk (default customer). */
  hangupBy?: 'customer' | 'agent';
}
export interface DirectCall {
  customer: string;
  agent: string;
  result: 'answered' | 'missed' | 'busy';
  ringMs?: number;
  talkMs?: number;
}
export type ClickResult = 'answered' | 'busy' | 'missed' | 'failed';
export interface ClickToCall {
  agent: string;
  number: string;
  result: ClickResult;
  /**
   * Who originates it: Kazoo's crossbar click-to-call (`cb_clicktocall`: a `c2c-` Call-ID, Authorizing-Type
   * `clicktocall`; the default), or AntRing's open API (`POST /oapi/v1/call/click-to-call/:number`, what the bridge
   * calls), whose device leg carries no click-to-call marker: a plain device leg.
   */
  via?: 'crossbar' | 'openapi';
  /** The agent's own device ringing before they pick up (default Timing.agentRingMs). */
  agentRingMs?: number;
  ringMs?: number;
  talkMs?: number;
}
/** An agent dials a customer from the desk phone: the agent's own leg is the call's first leg. */
export interface DeskDialOut {
  agent: string;
  number: string;
  result: ClickResult;
  /** The carrier leg is on the signal socket too (default true); false: only the agent's leg is seen. */
  carrierLegSeen?: boolean;
  hangupBy?: 'agent' | 'customer';
  ringMs?: number;
  talkMs?: number;
}
/** An agent dials a feature code (`*97` voicemail, `*8` pickup, `*3` park…) from the desk phone: one leg, no customer. */
export interface FeatureCodeCall {
  agent: string;
  code?: string;
  talkMs?: number;
}
export interface InternalCall {
  from: string;
  to: string;
  result?: 'answered' | 'missed' | 'busy';
  ringMs?: number;
  talkMs?: number;
}

export interface PublishedEvent {
  name: ChannelEventName;
  legId: string;
  callId: string;
  payload: Record<string, unknown>;
}
