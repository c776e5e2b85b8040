// The simulated AntBot (Alice) REST API, mounted at /antbot/rest-api: POST /get-token/ (username/password →
// `{ token }`, DRF authtoken style by default), GET /dnc-list/ and GET /dnc-contact/ (Bearer token checked; DRF
// pages of 20 with `?page=`, absolute `next`/`previous` links), and the calendar of antbot-calendar.ts (calendars,
// events, alarms that fire the `onAlarm` hook, the report GET /cdr/). Counts requests per route; fault switches:
// `fail` (answer every request with that status), `failNext` (the next N requests 500), `down` (connections
// destroyed unanswered), `loseAnswer` (a create is kept, its answer lost), `delayMs`, `tokenStyle`, revokeTokens().
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { type Clock, systemClock } from '../clock.js';
import { calendarRoutes, type SimCalendarApi } from './antbot-calendar.js';
import { DNC_LISTS, dncSeed, type SimDncContact, type SimDncList } from './antbot-data.js';
import { sleep } from './delay.js';

export type AntBotTokenStyle = 'token' | 'access' | 'access_token';

export interface AntBotFaults {
  /** Answer every request with this status instead of serving it. */
  fail: 500 | 502 | 503 | null;
  /** The next N requests answer 500 (counts down). */
  failNext: number;
  /** Destroy every connection without an answer (AntBot unreachable). */
  down: boolean;
  /** POST /calendar/, /event/, /alarm/: create, then destroy the connection without an answer. */
  loseAnswer: boolean;
  /** Wait this long before answering. */
  delayMs: number;
  /** How get-token answers: `{ token }` (default), `{ access, refresh }`, `{ access_token, expires_in, token_type }`. */
  tokenStyle: AntBotTokenStyle;
}

export interface AntBotSimOptions {
  username: string;
  password: string;
  /** Lifetime of the tokens issued. Default 1 h. */
  tokenLifetimeMs?: number;
  /** Entries per page. Default 20 (DRF PAGE_SIZE). */
  pageSize?: number;
  now?: () => number;
  /** Time and the alarms' timers (default the system clock; `now` wins for the time when given). */
  clock?: Clock;
}

export interface AntBotSimStats {
  /** Requests per route, e.g. `POST /get-token/`, `GET /dnc-contact/` (all outcomes). */
  routes: Record<string, number>;
  total: number;
  tokensIssued: number;
}

export interface AntBotSim {
  router: Router;
  faults: AntBotFaults;
  dnc: {
    /** The entries as AntBot stores them (copies). */
    entries(): SimDncContact[];
    lists(): SimDncList[];
    add(phone: string, list?: number): SimDncContact;
    /** Removes every entry written exactly so; returns how many. */
    remove(phone: string): number;
  };
  /** Every token issued so far (tests grep logs and bodies for them). */
  issuedTokens(): string[];
  /** Every token issued so far is refused from now on (401). */
  revokeTokens(): void;
  stats(): AntBotSimStats;
  /** Calendars, events, alarms (`onAlarm`: places Alice's call), the report rows. */
  calendar: SimCalendarApi;
  /** Healthy switches again (entries and tokens stay). */
  reset(): void;
  /** Cancels pending alarms' timers. Idempotent. */
  stop(): void;
}

const healthy = (): AntBotFaults => ({
  fail: null,
  failNext: 0,
  down: false,
  loseAnswer: false,
  delayMs: 0,
  tokenStyle: 'token',
});

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function antbotSim(o: AntBotSimOptions): AntBotSim {
  const clock = o.clock ?? systemClock;
  const now = o.now ?? clock.now;
  const lifetime = o.tokenLifetimeMs ?? 3_600_000;
  const pageSize = o.pageSize ?? 20;
  const faults: AntBotFaults = healthy();
  const tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  const routes: Record<string, number> = {};
  let total = 0;
  let tokensIssued = 0;
  let entries = dncSeed();
  let nextId = entries.length + 1;
  const router = Router();

  router.use(async (req, res, next) => {
    const key = `${req.method} ${req.path}`;
    routes[key] = (routes[key] ?? 0) + 1;
    total++;
    if (faults.delayMs > 0) await sleep(faults.delayMs);
    if (faults.down) return void req.socket.destroy();
    if (faults.failNext > 0) {
      faults.failNext--;
      return void res.status(500).json({ detail: 'Server error.' });
    }
    if (faults.fail) return void res.status(faults.fail).json({ detail: 'Service temporarily unavailable.' });
    next();
  });

  router.post(
    '/get-token/',
    express.json({ limit: '4kb' }),
    express.urlencoded({ extended: false, limit: '4kb' }),
    (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const username = str(body.username);
      const password = str(body.password);
      const missing: Record<string, string[]> = {};
      if (!username) missing.username = ['This field is required.'];
      if (!password) missing.password = ['This field is required.'];
      if (Object.keys(missing).length) return void res.status(400).json(missing);
      if (!sameSecret(username, o.username) || !sameSecret(password, o.password)) {
        return void res.status(400).json({ non_field_errors: ['Unable to log in with provided credentials.'] });
      }
      if (tokens.size >= 10_000) for (const [k, t] of tokens) if (t.expiresAt < now()) tokens.delete(k);
      const value = randomBytes(20).toString('hex');
      tokens.set(value, { expiresAt: now() + lifetime, revoked: false });
      tokensIssued++;
      if (faults.tokenStyle === 'access')
        return void res.json({ refresh: randomBytes(20).toString('hex'), access: value });
      if (faults.tokenStyle === 'access_token') {
        return void res.json({ access_token: value, token_type: 'Bearer', expires_in: Math.round(lifetime / 1000) });
      }
      res.json({ token: value });
    },
  );

  /** DRF TokenAuthentication-like check (`Bearer` as the AntBot docs write it; `Token` as DRF does). */
  const authed = (req: Request, res: Response): boolean => {
    const m = /^(?:Bearer|Token)\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m) {
      res.status(401).json({ detail: 'Authentication credentials were not provided.' });
      return false;
    }
    const t = tokens.get(m[1]);
    if (!t || t.revoked || t.expiresAt <= now()) {
      res.status(401).json({ detail: 'Invalid token.' });
      return false;
    }
    return true;
  };

  /** A DRF PageNumberPagination answer, or a 404 for a page out of range. */
  const page = <T>(req: Request, res: Response, items: T[]): void => {
    const raw = str((req.query as Record<string, unknown>).page);
    const p = raw === undefined ? 1 : /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : NaN;
    const pages = Math.max(1, Math.ceil(items.length / pageSize));
    if (!Number.isInteger(p) || p > pages) return void res.status(404).json({ detail: 'Invalid page.' });
    const base = `${req.protocol}://${req.get('host')}${req.baseUrl}${req.path}`;
    res.json({
      count: items.length,
      next: p < pages ? `${base}?page=${p + 1}` : null,
      previous: p > 2 ? `${base}?page=${p - 1}` : p === 2 ? base : null,
      results: items.slice((p - 1) * pageSize, p * pageSize),
    });
  };

  router.get('/dnc-list/', (req, res) => {
    if (!authed(req, res)) return;
    page(
      req,
      res,
      DNC_LISTS.map((l) => ({ ...l, created_date: '2024-03-01T02:00:00Z', updated_date: '2024-03-01T02:00:00Z' })),
    );
  });

  router.get('/dnc-contact/', (req, res) => {
    if (!authed(req, res)) return;
    page(
      req,
      res,
      entries.map((e) => ({ ...e })),
    );
  });

  const calendar = calendarRoutes(router, {
    clock: { ...clock, now },
    authed,
    page,
    loseAnswer: () => faults.loseAnswer,
  });

  router.use((_req, res) => void res.status(404).json({ detail: 'Not found.' }));
  router.use((err: unknown, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    const status = (err as { status?: number })?.status;
    res
      .status(status && status >= 400 && status < 500 ? status : 500)
      .json({ detail: status && status < 500 ? 'Bad request.' : 'Server error.' });
  });

  return {
    router,
    faults,
    dnc: {
      entries: () => entries.map((e) => ({ ...e })),
      lists: () => DNC_LISTS.map((l) => ({ ...l })),
      add(phone, list = 1) {
        const e = { id: nextId++, phone_number: phone, dnc: list };
        entries = [...entries, e];
        return { ...e };
      },
      remove(phone) {
        const before = entries.length;
        entries = entries.filter((e) => e.phone_number !== phone);
        return before - entries.length;
      },
    },
    issuedTokens: () => [...tokens.keys()],
    revokeTokens: () => {
      for (const t of tokens.values()) t.revoked = true;
    },
    stats: () => ({ routes: { ...routes }, total, tokensIssued }),
    calendar,
    reset: () => Object.assign(faults, healthy()),
    stop: () => calendar.stop(),
  };
}
