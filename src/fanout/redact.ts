// The wallboard's dashboard: no customer names, customer numbers reduced to their last three digits
// (`•••••••879`); agent names stay. The default for createFanout's redactDashboard.
import type { Dashboard } from '../contract.js';
import { maskNumber } from '../shared/mask.js';

/** `0934890879` → `•••••••879` (shared/mask.ts, the one definition). */
export { maskNumber };

export function redactDashboardForWallboard(d: Dashboard): Dashboard {
  return {
    org: d.org,
    at: d.at,
    stale: d.stale,
    agents: { ...d.agents, details: d.agents.details.map((a) => ({ ...a })) },
    totals: { ...d.totals },
    queues: d.queues.map((q) => ({ ...q })),
    // Only the fields the contract defines are copied: a customer name never rides along.
    waitingCalls: d.waitingCalls.map((w) => {
      const out: Dashboard['waitingCalls'][number] = { callId: w.callId, number: maskNumber(w.number) };
      if (w.queueId !== undefined) out.queueId = w.queueId;
      if (w.since !== undefined) out.since = w.since;
      return out;
    }),
    // §9.3 recovery figures: counts only.
    ...(d.recovery ? { recovery: { ...d.recovery } } : {}),
  };
}
