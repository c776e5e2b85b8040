// AntRing's dashboard, queues and agents answers → the contract's Dashboard (pure, no I/O).
//
// - agents: the counts as AntRing gives them; a missing count is derived from `status_details` (logged out: the
//   agents directory minus the logged-in ones); details are the logged-in agents (username, name, status, since).
// - totals: org-wide (`scope: "org"`), from the dashboard's `queue` object; `waiting` = the number of waiting calls in the data.
// - queues: from the queues API (member count); `waiting` per queue only when every waiting call carries a queue id.
// - waitingCalls: `queue.waiting_call_logs` plus the agents' `waiting_calls`, de-duplicated by call id.
// Customer names (`caller_id_name`) are never copied: the contract's Dashboard has no field for them.
import { z } from 'zod';
import type { Agent, Queue } from '../antring/client.js';
import { type RawAgentStatusDetail, rawDashboardSchema } from '../antring/responses.js';
import type { Dashboard, DashboardAgentDetail } from '../contract.js';
import { coded } from '../shared/error-catalogue.js';
import { GREGORIAN_OFFSET, gregorianToUnixMs } from '../shared/gregorian.js';
import { type QueueMembers, queueMembers, withMembers } from './scope.js';

export class DashboardMappingError extends coded('DASHBOARD_MAPPING_INVALID') {
  override readonly name = 'DashboardMappingError';
}

export interface DashboardInput {
  org: string;
  /** When the data was fetched, unix ms. */
  at: number;
  /** GET /oapi/v1/call/dashboard's body (raw JSON or the client's RawDashboard). */
  raw: unknown;
  queues: Queue[];
  /** The agents directory (names, logged-out count when AntRing omits it). */
  agents?: Agent[];
}

export interface MappedDashboard {
  dashboard: Dashboard;
  /** Items dropped because they lacked what identifies them (agent without username, waiting call without id). */
  dropped: number;
  /** Queue id → member usernames (queue scoping); also attached to `dashboard` (scope.ts membersOf). */
  members: QueueMembers;
}

type WaitingCall = Dashboard['waitingCalls'][number];

const DIGITS = /^-?\d+(\.\d+)?$/;
const text = z
  .preprocess(
    (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : v),
    z.string().min(1),
  )
  .optional()
  .catch(undefined);
/** A time: a number (unix s/ms or Gregorian s) or a date string. */
const time = z.union([z.number(), z.string()]).optional().catch(undefined);

const waitingCallSchema = z.looseObject({
  call_id: text,
  callId: text,
  id: text,
  queue_id: text,
  queueId: text,
  caller_id_number: text,
  number: text,
  entered_timestamp: time,
  timestamp: time,
  unix_timestamp: time,
});

const UNIX_MS_FROM = 1e12; // numbers this large are milliseconds (2001 onwards)
const MAX_MS = Date.UTC(9999, 11, 31);

/** Unix seconds, unix ms, Gregorian seconds (Kazoo) or a date string → ISO 8601 UTC; undefined when unusable. */
export function toIsoTime(v: unknown): string | undefined {
  let ms: number | undefined;
  if (typeof v === 'string') {
    const s = v.trim();
    if (DIGITS.test(s)) return toIsoTime(Number(s));
    ms = s ? Date.parse(s) : undefined;
  } else if (typeof v === 'number' && Number.isFinite(v)) {
    if (v >= UNIX_MS_FROM) ms = v;
    else if (v >= GREGORIAN_OFFSET) ms = gregorianToUnixMs(v);
    else ms = v * 1000;
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0 || ms > MAX_MS) return undefined;
  return new Date(Math.round(ms)).toISOString();
}

/** A count or a number of seconds: finite and ≥ 0, else undefined (missing). */
function nonNegative(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Throws DashboardMappingError when `raw` is not `{ agent: {...}, queue: {...} }` (or that inside `{ data }`). */
export function mapDashboard(input: DashboardInput): MappedDashboard {
  const body = isObj(input.raw) && !('agent' in input.raw) && isObj(input.raw.data) ? input.raw.data : input.raw;
  const parsed = rawDashboardSchema.safeParse(body);
  if (!parsed.success) throw new DashboardMappingError('dashboard: expected { agent: {...}, queue: {...} }');
  const raw = parsed.data;
  const directory = input.agents ?? [];
  const byId = new Map(directory.map((a) => [a.id.toLowerCase(), a]));
  const byUsername = new Map(directory.map((a) => [a.username.toLowerCase(), a]));
  let dropped = 0;

  // ---- agents ----
  const details: DashboardAgentDetail[] = [];
  const seenAgents = new Set<string>();
  const agentWaiting: unknown[] = [];
  for (const d of raw.agent.status_details) {
    agentWaiting.push(...d.waiting_calls);
    const detail = mapAgentDetail(d, byId, byUsername);
    if (!detail) {
      dropped++;
      continue;
    }
    const key = detail.username.toLowerCase();
    if (seenAgents.has(key)) continue;
    seenAgents.add(key);
    details.push(detail);
  }
  details.sort((x, y) => cmp(x.username, y.username));
  const countOf = (status: string) => details.filter((d) => d.status === status).length;
  const a = raw.agent;
  const loggedIn = nonNegative(a.logged_in) ?? details.length;
  const agents: Dashboard['agents'] = {
    ready: nonNegative(a.ready) ?? countOf('ready'),
    loggedIn,
    loggedOut: nonNegative(a.logged_out) ?? Math.max(0, directory.length - loggedIn),
    wrapup: nonNegative(a.wrapup) ?? countOf('wrapup'),
    connected: nonNegative(a.connected) ?? countOf('connected'),
    paused: nonNegative(a.paused) ?? countOf('paused'),
    details,
  };

  // ---- waiting calls ----
  const waitingCalls: WaitingCall[] = [];
  const seenCalls = new Set<string>();
  for (const item of [...raw.queue.waiting_call_logs, ...agentWaiting]) {
    const w = mapWaitingCall(item);
    if (!w) {
      dropped++;
      continue;
    }
    if (seenCalls.has(w.callId)) continue;
    seenCalls.add(w.callId);
    waitingCalls.push(w);
  }
  waitingCalls.sort((x, y) => cmp(x.since ?? '', y.since ?? '') || cmp(x.callId, y.callId));

  // ---- totals ----
  const q = raw.queue;
  const totals: Dashboard['totals'] = {
    scope: 'org',
    offered: nonNegative(q.offered) ?? 0,
    handled: nonNegative(q.handled) ?? 0,
    abandoned: nonNegative(q.abandoned) ?? nonNegative(q.abandoned_calls) ?? 0,
    received: nonNegative(q.received) ?? 0,
    avgWaitingSec: nonNegative(q.avg_waiting) ?? 0,
    maxWaitingSec: nonNegative(q.max_waiting) ?? 0,
    avgTalkingSec: nonNegative(q.avg_talking) ?? 0,
    waiting: waitingCalls.length,
  };

  // ---- queues ----
  const perQueueKnown = waitingCalls.every((w) => w.queueId !== undefined);
  const queues: Dashboard['queues'] = [];
  const seenQueues = new Set<string>();
  for (const queue of input.queues) {
    if (seenQueues.has(queue.id)) continue;
    seenQueues.add(queue.id);
    const out: Dashboard['queues'][number] = { id: queue.id, name: queue.name, agents: new Set(queue.agents).size };
    if (perQueueKnown) out.waiting = waitingCalls.filter((w) => w.queueId === queue.id).length;
    queues.push(out);
  }
  queues.sort((x, y) => cmp(x.name, y.name) || cmp(x.id, y.id));

  const dashboard: Dashboard = {
    org: input.org,
    at: new Date(input.at).toISOString(),
    stale: false,
    agents,
    totals,
    queues,
    waitingCalls,
  };
  const members = queueMembers(input.queues, directory);
  withMembers(dashboard, members);
  return { dashboard, dropped, members };
}

/** The dashboard without `at`, as a string: two dashboards are "the same" when these are equal (stale included). */
export function canonicalDashboard(d: Dashboard): string {
  return JSON.stringify({ ...d, at: undefined });
}

function mapAgentDetail(
  d: RawAgentStatusDetail,
  byId: Map<string, Agent>,
  byUsername: Map<string, Agent>,
): DashboardAgentDetail | undefined {
  const known =
    (d.agent_id ? byId.get(d.agent_id.trim().toLowerCase()) : undefined) ??
    (d.username ? byUsername.get(d.username.trim().toLowerCase()) : undefined);
  const username = d.username?.trim() || known?.username;
  if (!username) return undefined;
  const out: DashboardAgentDetail = { username, status: d.status?.trim() || 'unknown' };
  const name = d.name?.trim() || known?.name;
  if (name) out.name = name;
  const since = toIsoTime(d.unix_timestamp) ?? toIsoTime(d.timestamp);
  if (since) out.since = since;
  return out;
}

function mapWaitingCall(item: unknown): WaitingCall | undefined {
  const r = waitingCallSchema.safeParse(item);
  if (!r.success) return undefined;
  const w = r.data;
  const callId = w.call_id ?? w.callId ?? w.id;
  if (!callId) return undefined;
  const out: WaitingCall = { callId, number: w.caller_id_number ?? w.number ?? '' };
  const queueId = w.queue_id ?? w.queueId;
  if (queueId) out.queueId = queueId;
  const since = toIsoTime(w.entered_timestamp) ?? toIsoTime(w.unix_timestamp) ?? toIsoTime(w.timestamp);
  if (since) out.since = since;
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
