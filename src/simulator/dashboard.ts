// GET /oapi/v1/call/dashboard's body, in AntRing's shape (seed document), computed from the live simulated state.
import { toGregorian } from './kazoo-payload.js';
import type { SimState } from './state.js';

export interface DashboardStatusDetail {
  timestamp: number;
  status: string;
  id: string;
  agent_id: string;
  username: string;
  name: string;
  unix_timestamp: number;
  start_idle_time?: number;
  idle_time?: number;
  waiting_calls: unknown[];
}

export interface DashboardBody {
  agent: {
    ready: number;
    logged_out: number;
    wrapup: number;
    logged_in: number;
    connected: number;
    paused: number;
    status_details: DashboardStatusDetail[];
  };
  queue: {
    abandoned: number;
    abandoned_detail: Record<string, number>;
    offered: number;
    handled: number;
    avg_waiting: number;
    max_waiting: number;
    avg_talking: number;
    abandoned_calls: number;
    received: number;
    status_details: unknown[];
    waiting_call_logs: {
      call_id: string;
      queue_id: string;
      caller_id_number: string;
      caller_id_name: string;
      entered_timestamp: number;
      wait_time: number;
    }[];
  };
}

export function dashboardBody(state: SimState, nowMs: number = Date.now()): DashboardBody {
  const agent: DashboardBody['agent'] = {
    ready: 0,
    logged_out: 0,
    wrapup: 0,
    logged_in: 0,
    connected: 0,
    paused: 0,
    status_details: [],
  };
  for (const a of state.data.agents) {
    const { status, since } = state.agentStatus(a);
    if (status === 'logged_out') {
      agent.logged_out++;
      continue; // not in status_details: "if not in the list, then logged out"
    }
    agent.logged_in++;
    if (status === 'ready') agent.ready++;
    else if (status === 'wrapup') agent.wrapup++;
    else if (status === 'connected') agent.connected++;
    else if (status === 'paused') agent.paused++;
    const greg = toGregorian(since);
    agent.status_details.push({
      timestamp: greg,
      status,
      id: `${a.userId}::${greg}`,
      agent_id: a.userId,
      username: a.username,
      name: a.name,
      unix_timestamp: Math.floor(since / 1000),
      ...(status === 'ready'
        ? { start_idle_time: greg, idle_time: Math.max(0, Math.floor((nowMs - since) / 1000)) }
        : {}),
      waiting_calls: [],
    });
  }
  const t = state.totals;
  const abandonedDetail: Record<string, number> = {};
  for (const [queueId, c] of state.perQueue) if (c.abandoned) abandonedDetail[queueId] = c.abandoned;
  return {
    agent,
    queue: {
      abandoned: t.abandoned,
      abandoned_detail: abandonedDetail,
      offered: t.offered,
      handled: t.handled,
      avg_waiting: t.waitCount ? Math.round(t.waitSum / t.waitCount) : 0,
      max_waiting: t.maxWaiting,
      avg_talking: t.talkCount ? Math.round(t.talkSum / t.talkCount) : 0,
      abandoned_calls: t.abandoned,
      received: t.received,
      status_details: [],
      waiting_call_logs: [...state.waiting.values()].map((w) => ({
        call_id: w.callId,
        queue_id: w.queueId,
        caller_id_number: w.number,
        caller_id_name: w.name,
        entered_timestamp: Math.floor(w.enteredAt / 1000),
        wait_time: Math.max(0, Math.floor((nowMs - w.enteredAt) / 1000)),
      })),
    },
  };
}
