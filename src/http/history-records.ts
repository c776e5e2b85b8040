// AntRing call-history records → normalised items, and which records a role may see.
import type { CallDirection, Claims } from '../contract.js';
import { MEDIA_RE } from './history-query.js';

export type HistoryStatus = 'success' | 'ivr' | 'cancelled' | 'busy' | 'unsuccess' | 'unknown';
export interface HistoryParty {
  number: string;
  username?: string;
}
export interface HistoryItem {
  callId?: string;
  direction: CallDirection;
  from: HistoryParty;
  to: HistoryParty;
  did?: string;
  /** AntRing's status_detail, lowercased. */
  status: HistoryStatus;
  durationSec: number;
  billingSec: number;
  startedAt: string;
  /** The recording's media name: GET /api/recordings/:media plays it. */
  recording?: string;
  queues: string[];
  /** The agent who took the call: the queue's handler, else the user party. */
  agent?: string;
}
export interface ParsedRecord {
  item: HistoryItem;
  usernames: Set<string>;
  queueIds: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};
const STATUSES: ReadonlySet<string> = new Set(['success', 'ivr', 'cancelled', 'busy', 'unsuccess']);

function party(v: unknown): { p: HistoryParty; user?: string } {
  if (!isObj(v)) return { p: { number: '' } };
  const user = str(v.type)?.toLowerCase() === 'user' ? str(v.username) : undefined;
  return { p: { number: str(v.number) ?? '', ...(user ? { username: user } : {}) }, user };
}

/** The media name of a `recording` field: the name itself, or the last segment of a path; undefined when unsafe. */
export function mediaName(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const last = s.split('/').pop() ?? '';
  return MEDIA_RE.test(last) && !/^\.+$/.test(last) ? last : undefined;
}

/** One AntRing history record → a normalised item (+ who it concerns), or undefined when it has no usable time. */
export function parseHistoryRecord(raw: unknown): ParsedRecord | undefined {
  if (!isObj(raw)) return undefined;
  const ts = num(raw.unix_timestamp);
  if (ts === undefined) return undefined;
  const ms = ts > 1e12 ? ts : ts * 1000;
  if (!Number.isFinite(new Date(ms).getTime())) return undefined;
  const caller = party(raw.caller);
  const callee = party(raw.callee);
  const usernames = new Set<string>();
  for (const u of [caller.user, callee.user]) if (u) usernames.add(u);
  const queueIds: string[] = [];
  let handler: string | undefined;
  for (const q of Array.isArray(raw.queue_stat) ? raw.queue_stat : []) {
    if (!isObj(q)) continue;
    const qid = str(q.queue_id);
    if (qid && !queueIds.includes(qid)) queueIds.push(qid);
    const u = str(q.username);
    if (u) {
      usernames.add(u);
      handler ??= u;
    }
    for (const miss of Array.isArray(q.misses) ? q.misses : []) {
      const mu = isObj(miss) ? str(miss.username) : undefined;
      if (mu) usernames.add(mu);
    }
  }
  const cls = str(raw.class)?.toLowerCase();
  const dir = str(raw.direction)?.toLowerCase();
  const direction: CallDirection =
    cls === 'one_one' || (caller.user && callee.user)
      ? 'internal'
      : dir === 'to_ab'
        ? 'inbound'
        : dir === 'from_ab'
          ? 'outbound'
          : caller.user
            ? 'outbound'
            : 'inbound';
  const status = str(raw.status_detail)?.toLowerCase() ?? 'unknown';
  const did = str(raw.did_number);
  const callId = str(raw.call_id);
  const recording = mediaName(raw.recording);
  const agent = handler ?? (direction === 'outbound' ? caller.user : (callee.user ?? caller.user));
  const item: HistoryItem = {
    ...(callId ? { callId } : {}),
    direction,
    from: caller.p,
    to: callee.p,
    ...(did ? { did } : {}),
    status: (STATUSES.has(status) ? status : 'unknown') as HistoryStatus,
    durationSec: Math.round(num(raw.duration_seconds) ?? 0),
    billingSec: Math.round(num(raw.billing_seconds) ?? 0),
    startedAt: new Date(ms).toISOString(),
    ...(recording ? { recording } : {}),
    queues: queueIds,
    ...(agent ? { agent } : {}),
  };
  return { item, usernames, queueIds };
}

// ---- who sees what ------------------------------------------------------------------------------

/** A predicate over parsed records, or null when the role may not read the history at all (wallboards). */
export function historyScope(c: Claims): ((r: ParsedRecord) => boolean) | null {
  switch (c.role) {
    case 'admin':
      return () => true;
    case 'supervisor': {
      const all = c.queues.includes('*');
      const mine = new Set(c.queues);
      return (r) => r.queueIds.length > 0 && (all || r.queueIds.some((q) => mine.has(q)));
    }
    case 'agent': {
      const me = c.agent;
      return me ? (r) => r.usernames.has(me) : null;
    }
    default:
      return null;
  }
}

// ---- upstream errors ----------------------------------------------------------------------------
