// AntBot (Alice) REST client (https://alice.antbuddy.com/rest-api, Django REST Framework): the access token
// (POST /get-token/), kept by the shared TokenKeeper, and the do-not-call contacts (GET /dnc-contact/, DRF pages
// followed through `next`). A 401 on a data call invalidates the token and retries once with a fresh one.
// The password and the token never reach a log line or an error message.

import { TokenKeeper } from '../antring/token-keeper.js';
import type { AuthToken } from '../antring/token-source.js';
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import { clientFetch, type FetchLike } from '../upstream/fetch.js';
import { clockTimer, fetchText } from '../upstream/request.js';
import {
  AntBotAuthError,
  AntBotHttpError,
  AntBotNetworkError,
  type AntBotOp,
  AntBotResponseError,
  AntBotTimeoutError,
} from './errors.js';

export interface AntBotClientOptions {
  /** Base URL, e.g. https://alice.antbuddy.com/rest-api (a trailing slash is ignored). */
  apiUrl: string;
  username: string;
  password: string;
  /** Default: node-fetch with keep-alive agents (released by stop()). */
  fetch?: FetchLike;
  /** One request, body included; also the longest wait for a token. Default 5000. */
  timeoutMs?: number;
  /** Pages of a list followed at most; a longer list is an error (a partial do-not-call list is not used). Default 50. */
  maxPages?: number;
  clock?: Clock;
  logger: Logger;
}

/** One DNC entry as AntBot lists it (`dnc` is the id of its DNC list). */
export interface DncContact {
  id?: number | string;
  phone_number: string;
  dnc?: number | string;
}

/** Tokens that say nothing of their lifetime are assumed to live this long. */
export const DEFAULT_TOKEN_LIFETIME_MS = 3_600_000;

export class AntBotClient {
  private readonly apiUrl: string;
  private readonly origin: string;
  private readonly fetch: FetchLike;
  private readonly ownFetch?: { close(): void };
  private readonly timeoutMs: number;
  private readonly maxPages: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly tokens: TokenKeeper;
  private stopping?: Promise<void>;

  constructor(private readonly opts: AntBotClientOptions) {
    this.apiUrl = opts.apiUrl.replace(/\/+$/, '');
    this.origin = new URL(this.apiUrl).origin;
    ({ fetch: this.fetch, own: this.ownFetch } = clientFetch(opts.fetch, { maxSockets: 4 }));
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxPages = opts.maxPages ?? 50;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.tokens = new TokenKeeper({
      fetchToken: (signal) => this.getToken(signal),
      clock: this.clock,
      logger: opts.logger.child({ sub: 'token' }),
    });
  }

  /** POST /get-token/ `{ username, password }` → the token: `{ token }`, `{ access }` or `{ access_token, expires_in }`. */
  async getToken(signal?: AbortSignal): Promise<AuthToken> {
    const { status, body } = await this.request('get_token', 'POST', `${this.apiUrl}/get-token/`, {
      body: { username: this.opts.username, password: this.opts.password },
      signal,
    });
    if (status === 400 || status === 401 || status === 403) throw new AntBotAuthError(status);
    if (status < 200 || status > 299) throw new AntBotHttpError('get_token', status);
    const token = parseToken(body, this.clock.now());
    if (!token) throw new AntBotResponseError('get_token', 'no token in the answer');
    return token;
  }

  /** Every entry of GET /dnc-contact/ (all pages). Entries without a phone number are skipped (counted in the log). */
  async dncContacts(): Promise<DncContact[]> {
    const out: DncContact[] = [];
    let skipped = 0;
    let url: string | undefined = `${this.apiUrl}/dnc-contact/`;
    for (let page = 1; url; page++) {
      if (page > this.maxPages) throw new AntBotResponseError('dnc_contact', `more than ${this.maxPages} pages`);
      const list = parseList(await this.authed('dnc_contact', url));
      if (!list) throw new AntBotResponseError('dnc_contact', 'expected a list or { results: [...] }');
      for (const item of list.results) {
        const c = parseDncContact(item);
        if (c) out.push(c);
        else skipped++;
      }
      url = list.next ? this.sameOrigin(list.next) : undefined;
    }
    if (skipped)
      this.log.warn(
        { op: 'dnc_contact', skipped, kept: out.length },
        'antbot: DNC entries without a phone number skipped',
      );
    return out;
  }

  /** For health and metrics (no token value). */
  tokenStatus(): ReturnType<TokenKeeper['status']> {
    return this.tokens.status();
  }

  /** Stops the token keeper and releases the default fetch's sockets. Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      await this.tokens.stop();
      this.ownFetch?.close();
    })());
  }

  /** A GET with the bearer token; a 401/403 invalidates it and retries once with a fresh one. */
  private async authed(op: AntBotOp, url: string): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.token(op);
      const { status, body } = await this.request(op, 'GET', url, { bearer: token.value });
      if ((status === 401 || status === 403) && attempt === 1) {
        this.log.info({ op, status }, 'antbot: token refused, retrying with a fresh one');
        this.tokens.invalidate(token.value);
        continue;
      }
      if (status < 200 || status > 299) throw new AntBotHttpError(op, status);
      return body;
    }
  }

  /** The kept token, waiting at most timeoutMs (the keeper retries in the background while AntBot is down). */
  private token(op: AntBotOp): Promise<AuthToken> {
    let timer: unknown;
    const deadline = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => reject(new AntBotTimeoutError(op, this.timeoutMs)), this.timeoutMs);
    });
    return Promise.race([this.tokens.get(), deadline]).finally(() => this.clock.clearTimeout(timer));
  }

  /** A DRF `next` link is followed only on the configured origin (the bearer token goes nowhere else). */
  private sameOrigin(next: string): string {
    let u: URL;
    try {
      u = new URL(next, `${this.apiUrl}/`);
    } catch {
      throw new AntBotResponseError('dnc_contact', 'next is not a URL');
    }
    if (u.origin !== this.origin) throw new AntBotResponseError('dnc_contact', 'next points to another host');
    return u.toString();
  }

  private async request(
    op: AntBotOp,
    method: 'GET' | 'POST',
    url: string,
    o: { body?: unknown; bearer?: string; signal?: AbortSignal } = {},
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.bearer) headers.authorization = `Bearer ${o.bearer}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const res = await fetchText(
      this.fetch,
      url,
      { method, headers, body },
      {
        timeoutMs: this.timeoutMs,
        signal: o.signal,
        timer: clockTimer(this.clock),
        errors: { timeout: (t) => new AntBotTimeoutError(op, t), network: (code) => new AntBotNetworkError(op, code) },
      },
    );
    this.log.debug({ op, method, path: new URL(url).pathname, status: res.status, ms: res.ms }, 'antbot: response');
    if (res.status < 200 || res.status > 299) return { status: res.status, body: undefined };
    if (res.text.trim() === '') return { status: res.status, body: undefined };
    try {
      return { status: res.status, body: JSON.parse(res.text) as unknown };
    } catch {
      throw new AntBotResponseError(op, 'body is not JSON');
    }
  }
}

/** `{ token }` (DRF authtoken), `{ access }` (SimpleJWT), `{ access_token, expires_in }` (OAuth2); default lifetime 1 h. */
export function parseToken(body: unknown, now: number): AuthToken | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  const value = [o.access_token, o.access, o.token].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (!value) return undefined;
  const raw = o.expires_in;
  const sec =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  const lifetimeMs =
    Number.isFinite(sec) && sec > 0 ? Math.min(sec * 1000, 30 * 86_400_000) : DEFAULT_TOKEN_LIFETIME_MS;
  return { value: value.trim(), expiresAt: now + lifetimeMs };
}

/** A DRF page `{ count, next, previous, results }`, or a bare array (pagination off). */
export function parseList(body: unknown): { results: unknown[]; next?: string } | undefined {
  if (Array.isArray(body)) return { results: body };
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  if (!Array.isArray(o.results)) return undefined;
  return { results: o.results, next: typeof o.next === 'string' && o.next !== '' ? o.next : undefined };
}

export function parseDncContact(item: unknown): DncContact | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const o = item as Record<string, unknown>;
  const p = o.phone_number;
  const phone = typeof p === 'string' ? p.trim() : typeof p === 'number' && Number.isSafeInteger(p) ? String(p) : '';
  if (!phone || phone.length > 64) return undefined;
  const c: DncContact = { phone_number: phone };
  if (typeof o.id === 'number' || typeof o.id === 'string') c.id = o.id;
  if (typeof o.dnc === 'number' || typeof o.dnc === 'string') c.dnc = o.dnc;
  return c;
}
