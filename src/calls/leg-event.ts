// One Kazoo event applied to its leg (docs/call-model.md): the leg's fields, its agent from the directory, its
// queue, and its answer or end.
import type { AgentRef } from '../contract.js';
import type { LegEvent } from '../signals/types.js';
import { answerLeg, type Call, destroyLeg, noteQueue, seeLeg, setAgent } from './call.js';
import { isClickToCall, type PlacedCalls } from './click-to-call.js';
import { createdAtFrom, fillLeg, impliedAnswerAt, type Leg, legEndOf } from './leg.js';
import type { AgentDirectory } from './types.js';

export function applyLegEvent(
  call: Call,
  leg: Leg,
  event: LegEvent,
  at: number,
  directory: AgentDirectory,
  placed: PlacedCalls | undefined,
  onAgent: (agent: AgentRef) => void,
): void {
  if (!leg.seen && event.otherLegId !== undefined && event.otherLegId !== leg.id) leg.parentId ??= event.otherLegId;
  fillLeg(leg, event);
  seeLeg(call, leg, createdAtFrom(event, at));
  if (leg.agent === undefined && leg.ownerId !== undefined) {
    const agent = directory.agentByOwnerId(leg.ownerId);
    if (agent) {
      onAgent(agent);
      setAgent(call, leg, agent);
      leg.clickToCall ??= isClickToCall(leg, agent, placed);
    }
  }
  noteQueue(call, leg);
  switch (event.name) {
    case 'CHANNEL_ANSWER':
    case 'CHANNEL_BRIDGE': // a bridged leg is up, even if its ANSWER was missed
      answerLeg(call, leg, at);
      break;
    case 'CHANNEL_DESTROY': {
      const answeredAt = impliedAnswerAt(event, at);
      if (answeredAt !== undefined) answerLeg(call, leg, answeredAt);
      destroyLeg(call, leg, legEndOf(event, at));
      break;
    }
    default:
      break;
  }
}
