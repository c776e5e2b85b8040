// GET /api/history (AntRing call history, scoped to the caller's role) and GET /api/recordings/:media (302 to the
// signed recording URL). The query is validated before any upstream call; AntRing signs nothing we echo; the signed
// URL is never cached nor logged. Semantics: docs/contract.md section 6.
import { Router } from 'express';
import { LRUCache } from 'lru-cache';
import { AntRingHttpError, AntRingResponseError } from '../antring/errors.js';
import type { HistoryQuery } from '../antring/hash.js';
import type { Logger } from '../log.js';
import { errSummary } from '../shared/errors.js';
import { upstreamErrorCode } from '../upstream/http-mapping.js';
import { claimsOf } from './auth.js';
import { HttpError } from './errors.js';
import { antringDate, MEDIA_RE, parseHistoryQuery } from './history-query.js';
import { type HistoryItem, historyScope, parseHistoryRecord } from './history-records.js';

export * from './history-query.js';
export * from './history-records.js';

/** The slice of AntRingClient these routes use. */
export interface HistorySource {
  histories(q: HistoryQuery): Promise<{ items: unknown[]; total?: number }>;
  playRecording(media: string): Promise<string>;
}

/** A named AntRing failure → 503/502. Anything else is a bug inside the bridge: passed on as is (→ 500 internal_error). */
function upstreamError(err: unknown, what: string): HttpError {
  const code = upstreamErrorCode(err);
  if (code === undefined) throw err;
  return code === 'upstream_unavailable'
    ? new HttpError('upstream_unavailable', `${what}: AntRing did not answer or is unavailable`)
    : new HttpError('upstream_error', `${what}: AntRing answered with an error`);
}

/** The signed URL AntRing gave, as a URL; never echoed (it is signed). */
function httpUrl(raw: unknown): URL {
  const url = typeof raw === 'string' && URL.canParse(raw) ? new URL(raw) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new AntRingResponseError('play_recording', 'not an http(s) URL');
  return url;
}

// ---- routes -------------------------------------------------------------------------------------

export interface HistoryRoutesOptions {
  source: HistorySource;
  logger: Logger;
  /** Wall clock (unix ms) for the default window. */
  now?: () => number;
  /** How long a recording listed to an agent stays playable by that agent. Default 1 h. */
  grantTtlMs?: number;
}

export function historyRoutes(o: HistoryRoutesOptions): Router {
  const now = o.now ?? Date.now;
  // Agents may play only recordings that /api/history listed to them (this process, grantTtlMs).
  // maxSize, not max: lru-cache preallocates `max` slots, which every idle tenant would pay (contract §8.6).
  const grants = new LRUCache<string, true>({
    maxSize: 50_000,
    sizeCalculation: () => 1,
    ttl: o.grantTtlMs ?? 3_600_000,
  });
  const grantKey = (agent: string, media: string) => `${agent}\n${media}`;
  const r = Router();

  r.get('/api/history', async (req, res) => {
    const claims = claimsOf(res);
    const scope = historyScope(claims);
    if (!scope) throw new HttpError('forbidden', 'this role may not read the call history');
    const q = parseHistoryQuery(req.query, now());
    if (!q.ok) throw new HttpError('invalid_body', q.message);
    const { fromMs, toMs, limit, page } = q.value;
    let answer: { items: unknown[]; total?: number };
    try {
      answer = await o.source.histories({
        created_from: antringDate(fromMs),
        created_to: antringDate(toMs),
        limit,
        page,
      });
    } catch (err) {
      o.logger.warn({ err: errSummary(err), page, limit }, 'call history request failed');
      throw upstreamError(err, 'call history');
    }
    const items: HistoryItem[] = [];
    let dropped = 0;
    for (const raw of answer.items) {
      const rec = parseHistoryRecord(raw);
      if (!rec) dropped++;
      else if (scope(rec)) items.push(rec.item);
    }
    if (dropped)
      o.logger.warn(
        { dropped, kept: answer.items.length - dropped },
        'call history records without a usable time dropped',
      );
    if (claims.role === 'agent' && claims.agent) {
      for (const it of items) if (it.recording) grants.set(grantKey(claims.agent, it.recording), true);
    }
    const hasMore = answer.total !== undefined ? page * limit < answer.total : answer.items.length >= limit;
    res.setHeader('Cache-Control', 'private, no-store');
    res.json({
      page,
      limit,
      ...(answer.total !== undefined ? { total: answer.total } : {}),
      hasMore,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      items,
    });
  });

  r.get('/api/recordings/:media', async (req, res) => {
    const claims = claimsOf(res);
    if (claims.role === 'wallboard') throw new HttpError('forbidden', 'this role may not play recordings');
    const media = String(req.params.media);
    if (!MEDIA_RE.test(media) || /^\.+$/.test(media))
      throw new HttpError('invalid_body', 'media must be a recording file name');
    if (claims.role === 'agent' && !(claims.agent && grants.has(grantKey(claims.agent, media)))) {
      throw new HttpError(
        'forbidden',
        'agents may play the recordings of their own calls, as listed by GET /api/history',
      );
    }
    let url: URL;
    try {
      url = httpUrl(await o.source.playRecording(media));
    } catch (err) {
      if (err instanceof AntRingHttpError && err.status === 404) throw new HttpError('not_found', 'no such recording');
      o.logger.warn({ err: errSummary(err) }, 'play_recording failed');
      throw upstreamError(err, 'recording');
    }
    // The URL is signed and short-lived: never cached here, nor by the browser or a proxy.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.status(302).setHeader('Location', url.href);
    res.end();
  });

  return r;
}
