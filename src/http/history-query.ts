// GET /api/history query: validated before any upstream call (31-day window, limit ≤ 100, page ≥ 1).
import { z } from 'zod';

export const MAX_WINDOW_MS = 31 * 86_400_000;
export const DEFAULT_WINDOW_MS = 86_400_000;
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
const MAX_PAGE = 100_000;
export const MEDIA_RE = /^[\w.@%-]{1,200}$/;

// ---- the query ----------------------------------------------------------------------------------

export interface HistoryWindow {
  fromMs: number;
  toMs: number;
  limit: number;
  page: number;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A calendar date (UTC) that exists, as unix ms of its midnight; undefined otherwise. */
function utcDay(y: string, m: string, d: string): number | undefined {
  const t = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const back = new Date(t);
  if (back.getUTCFullYear() !== Number(y) || back.getUTCMonth() !== Number(m) - 1 || back.getUTCDate() !== Number(d))
    return undefined;
  return Number(y) >= 2000 && Number(y) <= 2100 ? t : undefined;
}

/**
 * `YYYY-MM-DD` (a whole UTC day: its first second for `from`, its last for `to`) or an ISO 8601 date-time
 * (`T` or a space; a zone `Z`/`±hh:mm`, none = UTC). Returns unix ms floored to the second, or undefined.
 */
export function parseHistoryDate(s: string, edge: 'start' | 'end'): number | undefined {
  const v = s.trim();
  const d = DATE_RE.exec(v);
  if (d) {
    const day = utcDay(d[1], d[2], d[3]);
    if (day === undefined) return undefined;
    return edge === 'start' ? day : day + 86_400_000 - 1000;
  }
  const m = DATETIME_RE.exec(v);
  if (!m) return undefined;
  const day = utcDay(m[1], m[2], m[3]);
  const [h, min, sec] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (day === undefined || h > 23 || min > 59 || sec > 59) return undefined;
  const zone = (m[8] ?? 'Z').toUpperCase();
  const t = Date.parse(
    `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2')}`,
  );
  return Number.isFinite(t) ? Math.floor(t / 1000) * 1000 : undefined;
}

/** How the bridge writes created_from / created_to for AntRing: ISO 8601 UTC to the second (one place to change). */
export function antringDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const intParam = (name: string, min: number, max: number, def: number) =>
  z
    .string({ error: `${name} must be given once, as an integer` })
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = /^\d{1,7}$/.test(v.trim()) ? Number(v.trim()) : NaN;
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const querySchema = z.object({
  from: z.string({ error: 'from must be given once, as a date' }).optional(),
  to: z.string({ error: 'to must be given once, as a date' }).optional(),
  limit: intParam('limit', 1, MAX_LIMIT, DEFAULT_LIMIT),
  page: intParam('page', 1, MAX_PAGE, 1),
});

/** Query → the window and paging, or a 400 message. `now` (unix ms) gives the default window: the last 24 h. */
export function parseHistoryQuery(
  query: unknown,
  now: number,
): { ok: true; value: HistoryWindow } | { ok: false; message: string } {
  const r = querySchema.safeParse(query ?? {});
  if (!r.success) return { ok: false, message: r.error.issues[0]?.message ?? 'invalid query' };
  const { from, to, limit, page } = r.data;
  const hasFrom = from !== undefined && from.trim() !== '';
  const hasTo = to !== undefined && to.trim() !== '';
  if (hasFrom !== hasTo)
    return { ok: false, message: 'from and to go together: give both, or neither for the last 24 hours' };
  let fromMs: number;
  let toMs: number;
  if (!hasFrom) {
    toMs = Math.floor(now / 1000) * 1000;
    fromMs = toMs - DEFAULT_WINDOW_MS;
  } else {
    const f = parseHistoryDate(from!, 'start');
    const t = parseHistoryDate(to!, 'end');
    if (f === undefined) return { ok: false, message: 'from must be a date (YYYY-MM-DD) or an ISO 8601 date-time' };
    if (t === undefined) return { ok: false, message: 'to must be a date (YYYY-MM-DD) or an ISO 8601 date-time' };
    fromMs = f;
    toMs = t;
  }
  if (toMs < fromMs) return { ok: false, message: 'to must not be before from' };
  if (toMs - fromMs > MAX_WINDOW_MS) return { ok: false, message: 'the window from..to is limited to 31 days' };
  return { ok: true, value: { fromMs, toMs, limit, page } };
}

// ---- records ------------------------------------------------------------------------------------
