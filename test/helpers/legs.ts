// Builders of LegEvents (docs/call-model.md section 3) and a fake agent directory for call-engine tests.

import type { AgentDirectory, CallUpdate } from '../../src/calls/types.js';
import type { AgentRef } from '../../src/contract.js';
import type { ChannelEventName, LegEvent } from '../../src/signals/types.js';

export const ORG = '3f1c0d9a7b2e4c6d8e0f1a2b3c4d5e6f';
export const OTHER_ORG = '9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a9a';
export const CUSTOMER = '0934890883';
export const DID = '02873019555';
export const QUEUE = { id: 'q-sales', name: 'Sales' };

export const OWNER = {
  alice: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1',
  bob: 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2',
  carol: 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3',
} as const;
export type AgentName = keyof typeof OWNER;

export const AGENTS: Record<AgentName, AgentRef> = {
  alice: { username: 'alice', id: OWNER.alice, name: 'Alice Tran', ext: ['8001'] },
  bob: { username: 'bob', id: OWNER.bob, name: 'Bob Le', ext: ['8002'] },
  carol: { username: 'carol', id: OWNER.carol, name: 'Carol Pham', ext: ['8003'] },
};

export function fakeDirectory(): AgentDirectory {
  const byOwner = new Map<string, AgentRef>(Object.entries(OWNER).map(([u, id]) => [id, AGENTS[u as AgentName]]));
  return {
    agentByOwnerId: (id) => byOwner.get(id),
    queueName: (id) => (id === QUEUE.id ? QUEUE.name : undefined),
  };
}

export const T0 = Date.UTC(2025, 0, 15, 8, 0, 0);

/** Makes events with increasing Msg-IDs, time and receivedAt. */
export class Legs {
  t: number;
  private n = 0;

  constructor(start = T0) {
    this.t = start;
  }

  tick(sec = 1): this {
    this.t += sec * 1000;
    return this;
  }

  ev(name: ChannelEventName, legId: string, fields: Partial<LegEvent> = {}): LegEvent {
    this.n++;
    return {
      name,
      legId,
      msgId: `msg-${this.n}`,
      direction: 'outbound',
      accountId: ORG,
      at: this.t,
      receivedAt: 1000 + this.n,
      ...fields,
    };
  }

  /** The customer's leg of an inbound call (scenario step 1). */
  customer(legId: string, fields: Partial<LegEvent> = {}): LegEvent {
    return this.ev('CHANNEL_CREATE', legId, {
      direction: 'inbound',
      callerIdNumber: CUSTOMER,
      callerIdName: CUSTOMER,
      calleeIdNumber: DID,
      from: CUSTOMER,
      to: DID,
      request: DID,
      ...fields,
    });
  }

  /** An agent's leg rung for an inbound call (scenario step 3). */
  agentLeg(
    legId: string,
    agent: AgentName,
    rootId: string,
    queueId?: string,
    fields: Partial<LegEvent> = {},
  ): LegEvent {
    return this.ev('CHANNEL_CREATE', legId, {
      direction: 'outbound',
      otherLegId: rootId,
      ownerId: OWNER[agent],
      ...(queueId ? { queueId } : {}),
      callerIdNumber: CUSTOMER,
      callerIdName: CUSTOMER,
      calleeIdNumber: AGENTS[agent].ext![0],
      ...fields,
    });
  }

  answer(legId: string, fields: Partial<LegEvent> = {}): LegEvent {
    return this.ev('CHANNEL_ANSWER', legId, { disposition: 'ANSWER', ...fields });
  }

  bridge(legId: string, otherLegId: string, bridgeId: string, fields: Partial<LegEvent> = {}): LegEvent {
    return this.ev('CHANNEL_BRIDGE', legId, { otherLegId, bridgeId, ...fields });
  }

  destroy(legId: string, hangupCause: string, fields: Partial<LegEvent> = {}): LegEvent {
    return this.ev('CHANNEL_DESTROY', legId, { hangupCause, durationSec: 0, billingSec: 0, ringingSec: 0, ...fields });
  }
}

/** The fields a scenario asserts, without undefined keys. */
export interface Brief {
  aud: string;
  state: string;
  outcome?: string;
  agent?: string;
  queue?: string;
  direction: string;
  from: string;
  to: string;
  customerNumber?: string;
}

export function brief(u: CallUpdate): Brief {
  const b: Brief = {
    aud:
      u.audience.kind === 'call'
        ? `call${u.audience.queueId ? `:${u.audience.queueId}` : ''}`
        : `agent:${u.audience.username}`,
    state: u.state,
    direction: u.direction,
    from: u.from.number,
    to: u.to.number,
  };
  if (u.outcome) b.outcome = u.outcome;
  if (u.agent) b.agent = u.agent.username;
  if (u.queue) b.queue = u.queue.id;
  if (u.customerNumber) b.customerNumber = u.customerNumber;
  return b;
}
