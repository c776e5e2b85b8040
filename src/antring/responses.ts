// Defensive parsers of AntRing open-API response bodies: unknown JSON → typed values, bad items counted and skipped.
import { z } from 'zod';

export interface Agent {
  /** `anttel.userId` (= the signals' Owner-ID), lowercased. */
  id: string;
  username: string;
  name?: string;
  /** Internal numbers (extensions). */
  ext: string[];
}

export interface Queue {
  id: string;
  /** The queue's name; its id when AntRing gave none. */
  name: string;
  /** Agent ids (`anttel.userId`), lowercased. */
  agents: string[];
}

export interface Parsed<T> {
  items: T[];
  skipped: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const DIGITS = /^\d+(\.\d+)?$/;

/** A plain array, or an envelope `{ data: [...] }` (also `items`, `result`). Undefined when neither. */
export function unwrapList(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (isObj(body)) {
    for (const k of ['data', 'items', 'result']) {
      const v = body[k];
      if (Array.isArray(v)) return v;
    }
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s ? s : undefined;
}

function strList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(str).filter((s): s is string => s !== undefined);
  const one = str(v);
  return one === undefined ? [] : [one];
}

export function parseAgent(item: unknown): Agent | undefined {
  if (!isObj(item)) return undefined;
  const anttel = item.anttel;
  const id = str(isObj(anttel) ? anttel.userId : undefined) ?? str(item['anttel.userId']);
  const username = str(item.username);
  if (!id || !username) return undefined;
  const agent: Agent = { id: id.toLowerCase(), username, ext: strList(item.ext) };
  const name = str(item.name);
  if (name !== undefined) agent.name = name;
  return agent;
}

export function parseQueue(item: unknown): Queue | undefined {
  if (!isObj(item)) return undefined;
  const id = str(item.id) ?? str(item._id) ?? str(item.queue_id);
  if (!id) return undefined;
  return { id, name: str(item.name) ?? id, agents: strList(item.agents).map((a) => a.toLowerCase()) };
}

function parseList<T>(list: unknown[], parse: (item: unknown) => T | undefined): Parsed<T> {
  const items: T[] = [];
  let skipped = 0;
  for (const raw of list) {
    const v = parse(raw);
    if (v === undefined) skipped++;
    else items.push(v);
  }
  return { items, skipped };
}

export const parseAgents = (list: unknown[]): Parsed<Agent> => parseList(list, parseAgent);
export const parseQueues = (list: unknown[]): Parsed<Queue> => parseList(list, parseQueue);

// ---- dashboard: loose schema, unknown keys kept, bad fields dropped rather than failing the whole answer ----

const num = z
  .preprocess((v) => (typeof v === 'string' && DIGITS.test(v.trim()) ? Number(v) : v), z.number())
  .optional()
  .catch(undefined);
const optStr = z.string().optional().catch(undefined);

/** An array whose bad items are dropped; anything but an array (or absent) becomes []. */
function lenientArray<T extends z.ZodType>(item: T) {
  return z
    .array(z.unknown())
    .catch([])
    .transform((xs) =>
      xs.flatMap((x) => {
        const r = item.safeParse(x);
        return r.success ? [r.data as z.output<T>] : [];
      }),
    );
}

export const agentStatusDetailSchema = z.looseObject({
  id: optStr,
  agent_id: optStr,
  username: optStr,
  name: optStr,
  status: optStr,
  /** Gregorian seconds (Kazoo), e.g. 63936806933. */
  timestamp: num,
  /** Unix seconds. */
  unix_timestamp: num,
  start_idle_time: num,
  idle_time: num,
  waiting_calls: lenientArray(z.unknown()),
});

export const dashboardAgentSchema = z.looseObject({
  ready: num,
  logged_out: num,
  wrapup: num,
  logged_in: num,
  connected: num,
  paused: num,
  status_details: lenientArray(agentStatusDetailSchema),
});

export const dashboardQueueSchema = z.looseObject({
  abandoned: num,
  abandoned_detail: z.unknown().optional(),
  offered: num,
  handled: num,
  avg_waiting: num,
  max_waiting: num,
  avg_talking: num,
  abandoned_calls: num,
  received: num,
  status_details: lenientArray(z.unknown()),
  waiting_call_logs: lenientArray(z.unknown()),
});

export const rawDashboardSchema = z.looseObject({ agent: dashboardAgentSchema, queue: dashboardQueueSchema });

/** GET /oapi/v1/call/dashboard as AntRing sends it (counts may be absent; arrays always present). */
export type RawDashboard = z.output<typeof rawDashboardSchema>;
export type RawAgentStatusDetail = z.output<typeof agentStatusDetailSchema>;

/** `{ agent, queue }` (or the same inside `{ data: ... }`) → RawDashboard, or undefined when unusable. */
export function parseDashboard(body: unknown): RawDashboard | undefined {
  const candidate = isObj(body) && !('agent' in body) && isObj(body.data) ? body.data : body;
  const r = rawDashboardSchema.safeParse(candidate);
  return r.success ? r.data : undefined;
}

/** `{ data: [...], total }` or a plain array. */
export function parseHistories(body: unknown): { items: unknown[]; total?: number } | undefined {
  const items = unwrapList(body);
  if (!items) return undefined;
  const out: { items: unknown[]; total?: number } = { items };
  if (isObj(body)) {
    const t = body.total;
    const total = typeof t === 'number' ? t : typeof t === 'string' && DIGITS.test(t.trim()) ? Number(t) : undefined;
    if (total !== undefined && Number.isFinite(total) && total >= 0) out.total = total;
  }
  return out;
}

/** `{ media: "<url>" }` (or inside `{ data: ... }`) → the URL. */
export function parseMedia(body: unknown): string | undefined {
  const o = isObj(body) && isObj(body.data) && !('media' in body) ? body.data : body;
  if (!isObj(o)) return undefined;
  return str(o.media);
}
