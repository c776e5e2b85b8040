// The simulated AntRing open API (mounted at /oapi/v1): auth_token, agents, queues, dashboard, histories,
// play_recording, click-to-call. It checks what the real API checks (app id, hashes, header names, the device)
// and counts every request by route. Click-to-call starts the outbound scenario through the injected callback.
import express, { type Request, type Response, Router } from 'express';
import { normalizeDialable } from '../shared/phone.js';
import { dashboardBody } from './dashboard.js';
import type { SimAgent, SimData } from './data.js';
import { sleep } from './delay.js';
import type { ClickToCallFaults, ExpireFormat, TokenFaults } from './faults.js';
import { parseHistoryQuery } from './history-query.js';
import { appHash, historyHash, orgHash, recordingHash, recordingLinkSignature, sameSignature } from './signing.js';
import type { SimState } from './state.js';
import type { TokenRegistry } from './token-registry.js';

export interface AntRingRestOptions {
  data: SimData;
  state: SimState;
  tokens: TokenRegistry;
  faults: { tokens: TokenFaults; clickToCall: ClickToCallFaults };
  credentials: { appId: string; appSecret: string };
  /** Called once a click-to-call is accepted (the simulator plays the outbound scenario). */
  startClickToCall: (agent: SimAgent, number: string) => void;
  now?: () => number;
  /** Lifetime of recording links. Default 10 min. */
  recordingLinkTtlMs?: number;
}

export interface AntRingRestStats {
  /** Requests per route, e.g. `POST /voice/auth_token`, `GET /agents`, `POST /call/click-to-call`. */
  routes: Record<string, number>;
  /** Click-to-call requests per dialled number (as in the path). */
  clickToCall: Record<string, number>;
  tokensIssued: number;
}

export interface AntRingRest {
  router: Router;
  /** GET /recordings/:media, mounted at the root (the links play_recording returns). */
  recordings: Router;
  stats(): AntRingRestStats;
}

export function formatExpire(format: ExpireFormat, expiresAt: number, lifetimeMs: number): number | string {
  switch (format) {
    case 'unix-ms':
      return expiresAt;
    case 'ttl-s':
      return Math.round(lifetimeMs / 1000);
    case 'iso':
      return new Date(expiresAt).toISOString();
    default:
      return Math.floor(expiresAt / 1000);
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const qs = (req: Request, name: string): string | undefined => str((req.query as Record<string, unknown>)[name]);
const fail = (res: Response, status: number, message: string): void => void res.status(status).json({ message });

export function antringRest(o: AntRingRestOptions): AntRingRest {
  const now = o.now ?? Date.now;
  const { appId, appSecret } = o.credentials;
  const routes: Record<string, number> = {};
  const byNumber: Record<string, number> = {};
  let tokensIssued = 0;
  const router = Router();

  router.use((req, _res, next) => {
    const key = req.path.startsWith('/call/click-to-call/')
      ? `${req.method} /call/click-to-call`
      : `${req.method} ${req.path}`;
    routes[key] = (routes[key] ?? 0) + 1;
    next();
  });

  const headersSigned = (req: Request, res: Response): boolean => {
    if (req.get('x-auth-app-id') !== appId || !sameSignature(req.get('x-auth-app-hash'), appHash(appId, appSecret))) {
      fail(res, 401, 'invalid app id or hash');
      return false;
    }
    return true;
  };

  /** agents, queues, dashboard: ?appId&domain&email&hash = sha256(appId + domain + email + appSecret). */
  const orgSigned = (req: Request, res: Response): boolean => {
    const [id, domain, email, hash] = ['appId', 'domain', 'email', 'hash'].map((k) => qs(req, k));
    if (!id || !domain || !email) {
      fail(res, 400, 'appId, domain and email are required');
      return false;
    }
    if (id !== appId || !sameSignature(hash, orgHash(id, domain, email, appSecret))) {
      fail(res, 401, 'invalid hash');
      return false;
    }
    if (domain !== o.data.org.domain || email !== o.data.org.email) {
      fail(res, 401, 'unknown domain or email');
      return false;
    }
    return true;
  };

  router.post('/voice/auth_token', (req, res) => {
    if (!headersSigned(req, res)) return;
    const f = o.faults.tokens;
    if (f.fail) return fail(res, 503, 'service unavailable');
    if (f.reject) return fail(res, 401, 'unauthorized');
    const lifetime = f.lifetimeMs;
    const t = o.tokens.issue(lifetime);
    tokensIssued++;
    res.json({ value: t.value, expire: formatExpire(f.expireFormat, t.expiresAt, lifetime) });
  });

  router.get('/agents', (req, res) => {
    if (!orgSigned(req, res)) return;
    res.json(
      o.data.agents.map((a) => ({ anttel: { userId: a.userId }, username: a.username, name: a.name, ext: [...a.ext] })),
    );
  });

  router.get('/queues', (req, res) => {
    if (!orgSigned(req, res)) return;
    res.json(o.data.queues.map((q) => ({ id: q.id, name: q.name, agents: [...q.agents] })));
  });

  router.get('/call/dashboard', (req, res) => {
    if (!orgSigned(req, res)) return;
    res.json(dashboardBody(o.state, now()));
  });

  router.get('/call/histories', (req, res) => {
    const [id, from, to, limit, page, hash] = ['appId', 'created_from', 'created_to', 'limit', 'page', 'hash'].map(
      (k) => qs(req, k),
    );
    if (!id) return fail(res, 400, 'appId is required');
    // The hash is over the parameters as sent; an omitted limit/page may be signed as '' or as its default.
    const signed = (l: string, p: string) =>
      sameSignature(hash, historyHash(from ?? '', to ?? '', l, p, id, appSecret));
    const ok = signed(limit ?? '', page ?? '') || signed(limit ?? '20', page ?? '1');
    if (id !== appId || !ok) return fail(res, 401, 'invalid hash');
    const parsed = parseHistoryQuery({ created_from: from, created_to: to, limit, page });
    if (!parsed.ok) return fail(res, 400, parsed.message);
    const { fromMs, toMs, limit: l, page: p } = parsed.query;
    const all = o.state.historyBetween(Math.floor(fromMs / 1000), Math.floor(toMs / 1000));
    res.json({ data: all.slice((p - 1) * l, p * l), total: all.length });
  });

  router.get('/call/play_recording', (req, res) => {
    const [id, media, hash] = ['appId', 'media', 'hash'].map((k) => qs(req, k));
    if (!id || !media) return fail(res, 400, 'appId and media are required');
    if (id !== appId || !sameSignature(hash, recordingHash(id, media, appSecret)))
      return fail(res, 401, 'invalid hash');
    const expires = Math.floor((now() + (o.recordingLinkTtlMs ?? 600_000)) / 1000);
    const sig = recordingLinkSignature(media, expires, appSecret);
    const base = `${req.protocol}://${req.get('host')}`;
    res.json({
      media: `${base}/recordings/${encodeURIComponent(media)}?Expires=${expires}&Signature=${encodeURIComponent(sig)}`,
    });
  });

  router.post('/call/click-to-call/:number', express.json({ limit: '4kb', type: () => true }), async (req, res) => {
    const number = String(req.params.number);
    byNumber[number] = (byNumber[number] ?? 0) + 1;
    const f = o.faults.clickToCall;
    if (f.delayMs > 0) await sleep(f.delayMs);
    if (!headersSigned(req, res)) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const sipUser = str(body.sipUser);
    const sipPassword = str(body.sipPassword);
    if (!sipUser || !sipPassword) return fail(res, 400, 'sipUser and sipPassword are required');
    // What the bridge dials (its one rule): a national or E.164 number, or a 2–6 digit extension.
    if (normalizeDialable(number) !== number) return fail(res, 400, 'invalid number');
    const agent = o.data.agents.find((a) => a.device.sipUser === sipUser);
    if (!agent || agent.device.sipPassword !== sipPassword) return fail(res, 400, 'invalid device');
    if (!agent.device.online) return fail(res, 400, 'device offline');
    if (f.fail) return fail(res, f.fail, 'click to call failed');
    o.startClickToCall(agent, number);
    res.json({ message: 'ok' });
  });

  // Malformed JSON bodies and other errors: a JSON 400/500, like the real API.
  router.use((err: unknown, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    const status = (err as { status?: number })?.status;
    fail(
      res,
      status && status >= 400 && status < 500 ? status : 500,
      status && status < 500 ? 'invalid request' : 'internal error',
    );
  });

  const recordings = Router();
  recordings.get('/recordings/:media', (req, res) => {
    const media = String(req.params.media);
    const expires = Number(qs(req, 'Expires'));
    const sig = qs(req, 'Signature');
    if (!Number.isFinite(expires) || !sameSignature(sig, recordingLinkSignature(media, expires, appSecret))) {
      return void res.status(403).type('text/plain').send('SignatureDoesNotMatch');
    }
    if (expires * 1000 < now()) return void res.status(403).type('text/plain').send('Request has expired');
    // A silent MPEG audio frame header and padding: enough for a player to accept it.
    res.type('audio/mpeg').send(Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(413)]));
  });

  return { router, recordings, stats: () => ({ routes: { ...routes }, clickToCall: { ...byNumber }, tokensIssued }) };
}
