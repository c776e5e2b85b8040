// The updates a call's change causes (docs/call-model.md): each audience's view (the call room, each agent's
// track) computed from the call's facts and offered; a view is emitted only when its visible content changed, and
// never backwards. Holds what the views need beyond the call: the org, the directory, the known extensions.
import type { AgentRef } from '../contract.js';
import { agentAudienceKey } from '../shared/audience.js';
import { BoundedSet } from './bounded-set.js';
import type { Call, View } from './call.js';
import { callFacts } from './facts.js';
import { settleRoot } from './link.js';
import type { AgentDirectory, CallUpdate } from './types.js';
import { sameShownView } from './view-equal.js';
import {
  callView,
  heldView,
  lostTrackView,
  rootAgentView,
  stateRank,
  toUpdate,
  trackState,
  trackView,
} from './views.js';

const MAX_KNOWN_EXTENSIONS = 10_000;

/** An agent's view key in Call.emitted (agentAudienceKey), made once per username, not per event (bounded). */
const AUDIENCE_KEYS_MAX = 20_000;
const audienceKeys = new Map<string, string>();

function audienceKey(username: string): string {
  let key = audienceKeys.get(username);
  if (key === undefined) {
    key = agentAudienceKey(username);
    if (audienceKeys.size >= AUDIENCE_KEYS_MAX) audienceKeys.clear();
    audienceKeys.set(username, key);
  }
  return key;
}

export class CallUpdateBuilder {
  private readonly knownExtensions = new BoundedSet(MAX_KNOWN_EXTENSIONS);
  private shownCounter = 0;

  constructor(
    private readonly org: string,
    private readonly directory: AgentDirectory,
  ) {}

  rememberExtensions(agent: AgentRef): void {
    for (const ext of agent.ext ?? []) if (typeof ext === 'string' && ext !== '') this.knownExtensions.add(ext);
  }

  /** Emits every view whose visible content changed; true once every view has ended (the call may be released). */
  emit(call: Call, receivedAt: number, out: CallUpdate[]): boolean {
    settleRoot(call);
    const facts = callFacts(call, this.directory, this.knownExtensions);
    const cv = callView(call, this.org, facts);
    const hasAgents = call.root.agent !== undefined || call.tracks.size > 0;
    // A customer's call in the IVR, before any agent is rung, is not shown ringing (its queue is not known yet).
    if (hasAgents || (call.root.seen && cv.state !== 'ringing')) this.offer(call, 'call', cv, receivedAt, out);
    let allEnded = cv.state === 'ended';
    const rootAgent = call.root.agent;
    if (rootAgent) {
      const key = audienceKey(rootAgent.username);
      // A view shown ended gets nothing more: it is not built.
      if (call.emitted.get(key)?.state !== 'ended')
        this.offer(call, key, rootAgentView(cv, rootAgent), receivedAt, out);
    }
    for (const track of call.tracks.values()) {
      if (track.agent.username === rootAgent?.username) continue;
      if (trackState(track) !== 'ended') allEnded = false;
      const key = audienceKey(track.agent.username);
      if (call.emitted.get(key)?.state !== 'ended')
        this.offer(call, key, trackView(call, this.org, facts, track), receivedAt, out);
    }
    return allEnded;
  }

  /** A forgotten call: every shown view not ended yet ends as lost track (the call room's first). */
  lostTrack(call: Call, atMs: number, receivedAt: number, out: CallUpdate[]): void {
    const emitted = [...call.emitted.entries()].sort(([a], [b]) => (a === 'call' ? -1 : b === 'call' ? 1 : 0));
    for (const [key, last] of emitted) {
      if (last.state === 'ended') continue;
      const v = lostTrackView(last, atMs);
      call.emitted.set(key, v);
      out.push(toUpdate(v, receivedAt));
    }
  }

  private offer(call: Call, key: string, computed: View, receivedAt: number, out: CallUpdate[]): void {
    const last = call.emitted.get(key);
    if (last?.state === 'ended') return;
    // Never backwards: a view whose facts were recomputed below its shown state keeps that state (and shows the rest).
    const v = last && stateRank(computed.state) < stateRank(last.state) ? heldView(computed, last) : computed;
    if (last && sameShownView(last, v)) return;
    call.emitted.set(key, v);
    call.shownOrder ??= ++this.shownCounter;
    out.push(toUpdate(v, receivedAt));
  }
}
