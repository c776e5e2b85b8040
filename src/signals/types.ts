// What the signal subscriber hands to the call domain: one Kazoo channel event, parsed at the edge.
// Produced by signals/kazoo-event.ts (parseKazooEvent) from Title-Case or snake_case payloads.

import type { ChannelEventName } from '../shared/channel-events.js';

/** The event names, listed once in shared/channel-events.ts. */
export type { ChannelEventName };

export interface LegEvent {
  name: ChannelEventName;
  /** Kazoo `Msg-ID`, used for de-duplication (absent on some deployments). */
  msgId?: string;
  /** Leg id (`Call-ID`). */
  legId: string;
  /** `Other-Leg-Call-ID`: the leg this one is tied to. */
  otherLegId?: string;
  /** `Bridge-ID` (top level or inside `Custom-Channel-Vars`). */
  bridgeId?: string;
  /** `Bridge-B-Unique-ID` (FreeSWITCH, on CHANNEL_BRIDGE): the leg bridged to. */
  bridgeBLegId?: string;
  /** `Other-Leg-Caller-ID-Number` / `Other-Leg-Destination-Number` (BRIDGE and later). */
  otherLegCallerIdNumber?: string;
  otherLegDestinationNumber?: string;
  /** `Call-Direction`, seen from the switch. */
  direction: 'inbound' | 'outbound';
  callerIdNumber?: string;
  callerIdName?: string;
  calleeIdNumber?: string;
  calleeIdName?: string;
  /** User part of the SIP `From` / `To` / `Request` URIs. */
  from?: string;
  to?: string;
  request?: string;
  /** Custom-Channel-Vars */
  accountId?: string;
  ownerId?: string;
  authorizingId?: string;
  authorizingType?: string;
  username?: string;
  queueId?: string;
  /** Unix milliseconds, from Kazoo's Gregorian-seconds `Timestamp` (or receipt time when absent). */
  at: number;
  /** Unix milliseconds, from `Channel-Created-Time` (FreeSWITCH microseconds): when the leg started. */
  createdAt?: number;
  disposition?: string;
  /** CHANNEL_DESTROY only */
  hangupCause?: string;
  durationSec?: number;
  billingSec?: number;
  /** `Billing-Milli-Seconds` when a deployment sends it. */
  billingMs?: number;
  ringingSec?: number;
  /** `Hangup-Code` (`sip:486`): the SIP code behind the cause. */
  hangupCode?: string;
  /** performance.now() when the bridge read the frame (ring-to-emit latency). */
  receivedAt: number;
}

/** Where the subscriber's frames go. */
export type LegEventSink = (event: LegEvent) => void;
