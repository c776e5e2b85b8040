// Validation of GET /oapi/v1/call/histories' query: dates, the 31-day window, limit (default 20, max 100), page.
// Pure logic: a query in, a window or a 400 message out.

export const MAX_WINDOW_MS = 31 * 86_400_000;
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** Dates without a zone are read in Vietnam's time (UTC+7), as AntRing's users write them. */
const VN_OFFSET = '+07:00';

/**
 * `created_from` / `created_to`: unix seconds, unix ms (13+ digits), `YYYY-MM-DD` (a whole day),
 * `YYYY-MM-DD HH:mm[:ss]`, or any ISO 8601 date. Returns [start, end] of the instant or day, unix ms.
 */
export function parseWhen(s: string): [number, number] | undefined {
  const v = s.trim();
  if (/^\d{9,11}$/.test(v)) return same(Number(v) * 1000);
  if (/^\d{12,14}$/.test(v)) return same(Number(v));
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const start = Date.parse(`${v}T00:00:00${VN_OFFSET}`);
    return Number.isFinite(start) ? [start, start + 86_400_000 - 1] : undefined;
  }
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(v);
  const t = m ? Date.parse(`${m[1]}T${m[2]}${VN_OFFSET}`) : /\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? same(t) : undefined;
}

const same = (t: number): [number, number] => [t, t];

export interface HistoryQuery {
  fromMs: number;
  toMs: number;
  limit: number;
  page: number;
}

export type HistoryQueryResult = { ok: true; query: HistoryQuery } | { ok: false; message: string };

export function parseHistoryQuery(q: {
  created_from?: string;
  created_to?: string;
  limit?: string;
  page?: string;
}): HistoryQueryResult {
  if (!q.created_from || !q.created_to) return { ok: false, message: 'created_from and created_to are required' };
  const from = parseWhen(q.created_from);
  const to = parseWhen(q.created_to);
  if (!from || !to) return { ok: false, message: 'invalid created_from or created_to' };
  const fromMs = from[0];
  const toMs = to[1];
  if (toMs < fromMs) return { ok: false, message: 'created_to is before created_from' };
  if (toMs - fromMs > MAX_WINDOW_MS) return { ok: false, message: 'the time filter is limited to 31 days' };
  const limit = q.limit === undefined || q.limit === '' ? DEFAULT_LIMIT : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return { ok: false, message: 'limit must be an integer from 1 to 100' };
  const page = q.page === undefined || q.page === '' ? 1 : Number(q.page);
  if (!Number.isInteger(page) || page < 1) return { ok: false, message: 'page must be an integer from 1' };
  return { ok: true, query: { fromMs, toMs, limit, page } };
}
