// Every AntRing open-API request signature, in one place (the client and the simulator both use these).
// All hashes are sha256 over plain string concatenation (no separator), as lowercase hex.
// The results are secrets in effect (they prove knowledge of appSecret): never log them.
import { createHash } from 'node:crypto';

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** `x-auth-app-hash` header (auth_token, click-to-call): sha256(appId + appSecret). */
export function appHash(appId: string, appSecret: string): string {
  return sha256Hex(appId + appSecret);
}

export interface HistoryQuery {
  /** Start of the window, as AntRing expects it (passed through verbatim). */
  created_from: string;
  /** End of the window (at most 31 days after created_from). */
  created_to: string;
  /** Records per page: default 20, at most 100. */
  limit: number;
  /** 1-based page. */
  page: number;
}

export type HistoryHashField = keyof HistoryQuery | 'appId' | 'appSecret';

/**
 * Field order of the call-history `hash` query parameter. The Vietnamese and English docs are said to
 * disagree; both copies we hold read `created_from+created_to+limit+page+appID+appSecret`. Change it here
 * (only here) if the real API disagrees: the client and the simulator both sign with this order.
 */
export const HISTORY_HASH_ORDER: readonly HistoryHashField[] = Object.freeze([
  'created_from',
  'created_to',
  'limit',
  'page',
  'appId',
  'appSecret',
] as const);

/** `hash` of GET /oapi/v1/call/histories, in HISTORY_HASH_ORDER. */
export function historyHash(q: HistoryQuery, appId: string, appSecret: string): string {
  const fields: Record<HistoryHashField, string> = {
    created_from: q.created_from,
    created_to: q.created_to,
    limit: String(q.limit),
    page: String(q.page),
    appId,
    appSecret,
  };
  return sha256Hex(HISTORY_HASH_ORDER.map((f) => fields[f]).join(''));
}

/** `hash` of GET /oapi/v1/call/play_recording: sha256(appId + media + appSecret). */
export function recordingHash(appId: string, media: string, appSecret: string): string {
  return sha256Hex(appId + media + appSecret);
}

/** `hash` of GET /oapi/v1/call/dashboard, /oapi/v1/queues, /oapi/v1/agents: sha256(appId + domain + email + appSecret). */
export function directoryHash(appId: string, domain: string, email: string, appSecret: string): string {
  return sha256Hex(appId + domain + email + appSecret);
}
