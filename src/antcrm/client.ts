// AntCRM (ApiRing) client: `GET {apiUrl}/contacts?phone=…` with the `apikey` header → Contact[].
// The api key goes in that header only: never in a URL, a log line or an error message.
import http from 'node:http';
import https from 'node:https';
import nodeFetch, { type RequestInit as NodeFetchInit } from 'node-fetch';
import type { Contact } from '../contract.js';
import type { Logger } from '../log.js';
import {
  AntCrmAuthError, AntCrmError, AntCrmHttpError, AntCrmNetworkError, AntCrmResponseError, AntCrmTimeoutError,
} from './errors.js';
import { recordsOf, toContact } from './mapping.js';

export interface CrmFetchInit {
  method: 'GET';
  headers: Record<string, string>;
  signal: AbortSignal;
}
export interface CrmFetchResponse {
  status: number;
  text(): Promise<string>;
}
/** The global `fetch` and node-fetch both fit. */
export type CrmFetch = (url: string, init: CrmFetchInit) => Promise<CrmFetchResponse>;

export interface AntCrmClientOptions {
  apiUrl: string;
  apiKey: string;
  /** Default: node-fetch with keep-alive agents. */
  fetch?: CrmFetch;
  /** Whole request, body included. Default 2000. */
  timeoutMs?: number;
  logger: Logger;
}

export class AntCrmClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly fetchFn: CrmFetch;
  private readonly agents: { destroy(): void }[] = [];

  constructor(opts: AntCrmClientOptions) {
    this.baseUrl = opts.apiUrl.replace(/\/+$/, '');
    this.apiKey = opts.apiKey;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.logger = opts.logger;
    if (opts.fetch) {
      this.fetchFn = opts.fetch;
    } else {
      const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
      this.agents.push(httpAgent, httpsAgent);
      this.fetchFn = (url, init) =>
        nodeFetch(url, {
          method: init.method,
          headers: init.headers,
          // node-fetch declares its own AbortSignal type; the global one is what it accepts at run time.
          signal: init.signal as unknown as NodeFetchInit['signal'],
          agent: (u: URL) => (u.protocol === 'http:' ? httpAgent : httpsAgent),
        });
    }
  }

  /** Contacts whose phone matches `phone` exactly as the CRM stores it (the caller asks for each form). */
  async findByPhone(phone: string): Promise<Contact[]> {
    const url = `${this.baseUrl}/contacts?phone=${encodeURIComponent(phone)}`;
    const started = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    timer.unref?.();
    let status = 0;
    let text: string;
    try {
      const res = await this.fetchFn(url, {
        method: 'GET',
        headers: { apikey: this.apiKey, accept: 'application/json' },
        signal: controller.signal,
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      if (timedOut) throw new AntCrmTimeoutError(this.timeoutMs);
      if (err instanceof AntCrmError) throw err;
      throw new AntCrmNetworkError(errorCode(err));
    } finally {
      clearTimeout(timer);
    }
    const ms = Math.round(performance.now() - started);
    if (status === 401 || status === 403) {
      this.logger.warn({ status, ms }, 'AntCRM refused the api key');
      throw new AntCrmAuthError(status);
    }
    if (status < 200 || status > 299) throw new AntCrmHttpError(status);

    let body: unknown;
    try {
      body = text.trim() === '' ? null : JSON.parse(text);
    } catch {
      throw new AntCrmResponseError('not JSON');
    }
    const records = recordsOf(body);
    if (!records) throw new AntCrmResponseError('not a list of contacts');
    const contacts: Contact[] = [];
    let skipped = 0;
    for (const record of records) {
      const c = toContact(record);
      if (c) contacts.push(c);
      else skipped++;
    }
    if (skipped) this.logger.debug({ skipped }, 'AntCRM records without an id skipped');
    this.logger.debug({ status, ms, count: contacts.length }, 'AntCRM contacts lookup');
    return contacts;
  }

  /** Destroys the keep-alive agents' sockets. Idempotent. */
  close(): void {
    for (const a of this.agents.splice(0)) a.destroy();
  }
}

/** A short, secret-free reason: the system error code, or the error's class name. */
function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
    if (typeof e.code === 'string' && /^[A-Z_0-9]{2,40}$/.test(e.code)) return e.code;
    if (e.cause && typeof e.cause.code === 'string' && /^[A-Z_0-9]{2,40}$/.test(e.cause.code)) return e.cause.code;
    if (typeof e.name === 'string' && /^\w{1,40}$/.test(e.name)) return e.name;
  }
  return 'unknown';
}
