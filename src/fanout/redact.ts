// The wallboard's dashboard: no customer names, customer numbers reduced to their last three digits
// (`•••••••879`); agent names stay. The default for createFanout's redactDashboard.
import type { Dashboard } from '../contract.js';

const BULLET = '\u2022';

/** `0934890879` → `•••••••879`; three characters or fewer → `•••`. */
export function maskNumber(n: string): string {
  const s = String(n);
  if (s.length <= 3) return BULLET.repeat(3);
  return BULLET.repeat(s.length - 3) + s.slice(-3);
}

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
  };
}
