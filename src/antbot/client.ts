// AntBot (Alice) REST client (https://alice.antbuddy.com/rest-api, Django REST Framework): the access token
// (POST /get-token/), kept by the shared TokenKeeper; the do-not-call contacts (GET /dnc-contact/); the callback
// calls of missed-call recovery: calendar events (POST /event/), alarms (POST /alarm/) and the call report
// (GET /cdr/). Lists are DRF pages followed through `next` (same origin only, bounded). A 401/403 on a data call
// invalidates the token and retries once with a fresh one (nothing was written). A POST that times out is not
// retried here: whether AntBot created the object is unknown, the caller decides. The password and the token
// never reach a log line or an error message.

import { TokenKeeper } from '../antring/token-keeper.js';
import type { AuthToken } from '../antring/token-source.js';
import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import { clientFetch, type FetchLike } from '../upstream/fetch.js';
import { clockTimer, fetchText } from '../upstream/request.js';
import {
  type AntBotAlarm,
  type AntBotAlarmInput,
  type AntBotCreated,
  type AntBotEvent,
  type AntBotEventInput,
  type AntBotId,
  type CdrQuery,
  type CdrRecord,
  cdrSearch,
  parseAlarm,
  parseCdrRecord,
  parseCreated,
  parseEvent,
} from './calendar.js';
import {
  AntBotAuthError,
  AntBotHttpError,
  AntBotNetworkError,
  type AntBotOp,
  AntBotResponseError,
  AntBotTimeoutError,
} from './errors.js';
import { type DncContact, parseDncContact, parseList, parseToken } from './responses.js';

export {
  DEFAULT_TOKEN_LIFETIME_MS,
  type DncContact,
  parseDncContact,
  parseList,
  parseToken,
} from './responses.js';

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
    if (status === 400 || status === 401 || status === 403) throw new AntBotAuthError('get_token', status);
    if (status < 200 || status > 299) throw new AntBotHttpError('get_token', status);
    const token = parseToken(body, this.clock.now());
    if (!token) throw new AntBotResponseError('get_token', 'no token in the answer');
    return token;
  }

  /** Every entry of GET /dnc-contact/ (all pages). Entries without a phone number are skipped (counted in the log). */
  async dncContacts(): Promise<DncContact[]> {
    return this.allPages('dnc_contact', `${this.apiUrl}/dnc-contact/`, parseDncContact);
  }

  /** POST /event/ → the event's id. */
  async createEvent(input: AntBotEventInput): Promise<AntBotCreated> {
    return this.create('event', `${this.apiUrl}/event/`, input);
  }

  /** POST /alarm/ → the alarm's id. */
  async createAlarm(input: AntBotAlarmInput): Promise<AntBotCreated> {
    return this.create('alarm', `${this.apiUrl}/alarm/`, input);
  }

  /** GET /event/ (all pages; `calendar` sent as a filter, and applied here too): to find an attempt's event again
   *  by its description when the answer to its POST was lost. */
  async listEvents(q: { calendar?: AntBotId } = {}): Promise<AntBotEvent[]> {
    const qs = q.calendar === undefined ? '' : `?${new URLSearchParams({ calendar: String(q.calendar) })}`;
    const all = await this.allPages('event', `${this.apiUrl}/event/${qs}`, parseEvent);
    return q.calendar === undefined ? all : all.filter((e) => e.calendar === undefined || e.calendar === q.calendar);
  }

  /** GET /alarm/ (all pages; `event` sent as a filter, and applied here too): does an event have its alarm? */
  async listAlarms(q: { event?: AntBotId } = {}): Promise<AntBotAlarm[]> {
    const qs = q.event === undefined ? '' : `?${new URLSearchParams({ event: String(q.event) })}`;
    const all = await this.allPages('alarm', `${this.apiUrl}/alarm/${qs}`, parseAlarm);
    return q.event === undefined ? all : all.filter((a) => a.event === q.event);
  }

  /** Every row of GET /cdr/?phone_number=…&alarm=…&from_date=… (all pages); rows without a number are skipped. */
  async cdrReport(query: CdrQuery): Promise<CdrRecord[]> {
    return this.allPages('cdr', `${this.apiUrl}/cdr/?${cdrSearch(query)}`, parseCdrRecord);
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

  private async create(op: AntBotOp, url: string, input: object): Promise<AntBotCreated> {
    const created = parseCreated(await this.authed(op, 'POST', url, input));
    if (!created) throw new AntBotResponseError(op, 'no id in the answer');
    this.log.info({ op, id: created.id }, 'antbot: created');
    return created;
  }

  /** Every item of a DRF list (all pages), parsed; unparseable items are skipped and counted in the log. */
  private async allPages<T>(op: AntBotOp, first: string, parse: (item: unknown) => T | undefined): Promise<T[]> {
    const out: T[] = [];
    let skipped = 0;
    let url: string | undefined = first;
    for (let page = 1; url; page++) {
      if (page > this.maxPages) throw new AntBotResponseError(op, `more than ${this.maxPages} pages`);
      const list = parseList(await this.authed(op, 'GET', url));
      if (!list) throw new AntBotResponseError(op, 'expected a list or { results: [...] }');
      for (const item of list.results) {
        const v = parse(item);
        if (v) out.push(v);
        else skipped++;
      }
      url = list.next ? this.sameOrigin(op, list.next) : undefined;
    }
    if (skipped) this.log.warn({ op, skipped, kept: out.length }, 'antbot: unusable list entries skipped');
    return out;
  }

  /** A request with the bearer token; a 401/403 invalidates it and retries once with a fresh one. */
  private async authed(op: AntBotOp, method: 'GET' | 'POST', url: string, body?: unknown): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.token(op);
      const { status, body: answer } = await this.request(op, method, url, { bearer: token.value, body });
      if ((status === 401 || status === 403) && attempt === 1) {
        this.log.info({ op, status }, 'antbot: token refused, retrying with a fresh one');
        this.tokens.invalidate(token.value);
        continue;
      }
      if (status < 200 || status > 299) throw new AntBotHttpError(op, status);
      return answer;
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
  private sameOrigin(op: AntBotOp, next: string): string {
    let u: URL;
    try {
      u = new URL(next, `${this.apiUrl}/`);
    } catch {
      throw new AntBotResponseError(op, 'next is not a URL');
    }
    if (u.origin !== this.origin) throw new AntBotResponseError(op, 'next points to another host');
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
