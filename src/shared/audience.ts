// The key of one audience of a call inside a call's state ('call', 'agent:<username>'), defined once: the engine's
// last views, the enricher's last updates and the write-back's per-audience facts all use it.
import type { Audience } from '../calls/types.js';

/** The key of an agent's own view of a call. */
export const agentAudienceKey = (username: string): string => `agent:${username}`;

export function audienceKey(a: Audience): string {
  return a.kind === 'call' ? 'call' : agentAudienceKey(a.username);
}
