// The outbox keys, defined once: every key format (its builder) and the one parser that reads a key back. A key is
// the idempotency of a delivery: `ticket:<callId>`, `lead:<national number>`, `wrapup:<callId>` (first wrap-up) or
// `wrapup:<callId>:<n>` (n ≥ 2), `webhook:<viewId>:<endpointId>`. Nothing else builds or slices a key.

export type OutboxKey =
  | { kind: 'ticket'; callId: string }
  | { kind: 'lead'; number: string }
  | { kind: 'wrapup'; callId: string; n: number }
  | { kind: 'webhook'; viewId: string; endpoint: string };

export const ticketKey = (callId: string): string => `ticket:${callId}`;
export const leadKey = (number: string): string => `lead:${number}`;
/** The key of a call's n-th wrap-up (n = 1 for the first). */
export const wrapupKey = (callId: string, n = 1): string => (n <= 1 ? `wrapup:${callId}` : `wrapup:${callId}:${n}`);
/** One view (`<callId>:<seq>`) to one endpoint (its short id, never its URL). */
export const webhookKey = (viewId: string, endpoint: string): string => `webhook:${viewId}:${endpoint}`;

const WRAPUP_N = /^(.+):(\d+)$/;
const WEBHOOK = /^(.+):([0-9a-f]+)$/;

/** A key back to what it names, or undefined for a key of no known format. */
export function parseOutboxKey(key: string): OutboxKey | undefined {
  const i = key.indexOf(':');
  if (i <= 0 || i === key.length - 1) return undefined;
  const kind = key.slice(0, i);
  const rest = key.slice(i + 1);
  if (kind === 'ticket') return { kind, callId: rest };
  if (kind === 'lead') return { kind, number: rest };
  if (kind === 'wrapup') {
    const m = WRAPUP_N.exec(rest);
    const n = m ? Number(m[2]) : 1;
    return m && n >= 2 ? { kind, callId: m[1], n } : { kind, callId: rest, n: 1 };
  }
  if (kind === 'webhook') {
    const m = WEBHOOK.exec(rest);
    return m ? { kind, viewId: m[1], endpoint: m[2] } : undefined;
  }
  return undefined;
}

/** The call a ticket or wrap-up key belongs to (a lead's call is looked up by number: recent-calls). */
export function callIdOfKey(key: string): string | undefined {
  const k = parseOutboxKey(key);
  return k?.kind === 'ticket' || k?.kind === 'wrapup' ? k.callId : undefined;
}

/**
 * The lane of a delivery: the target whose trouble must hold nothing else (a concurrency limit each). Every webhook
 * endpoint is a lane (`webhook:<endpointId>`, the key's last segment), AntCRM's targets share one (`antcrm`), any other
 * target is its own (AntBot's). The Redis claim script (redis-scripts.ts) applies the same rule in Lua.
 */
export function laneOf(target: string, key: string): string {
  if (target === 'webhook') return `webhook:${key.slice(key.lastIndexOf(':') + 1)}`;
  if (target.startsWith('antcrm.')) return 'antcrm';
  return target;
}
