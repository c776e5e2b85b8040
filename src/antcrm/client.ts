// AntCRM (ApiRing) client: `GET {apiUrl}/contacts?phone=…` with the `apikey` header → Contact[].
// The api key goes in that header only: never in a URL, a log line or an error message.
import type { Contact } from '../contract.js';
import type { Logger } from '../log.js';
import { clientFetch, type FetchInit, type FetchLike, type FetchResponseLike } from '../upstream/fetch.js';
import { fetchText } from '../upstream/request.js';
import {
  AntCrmAuthError,
  AntCrmHttpError,
  AntCrmNetworkError,
  AntCrmResponseError,
  AntCrmTimeoutError,
  CONTACTS_OP,
} from './errors.js';
import { recordsOf, toContact } from './mapping.js';

/** The upstream kit's fetch shape (upstream/fetch.ts), under the names this client always exported. */
export type CrmFetchInit = FetchInit;
export type CrmFetchResponse = FetchResponseLike;
export type CrmFetch = FetchLike;

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
  private readonly ownFetch?: { close(): void };

  constructor(opts: AntCrmClientOptions) {
    this.baseUrl = opts.apiUrl.replace(/\/+$/, '');
    this.apiKey = opts.apiKey;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.logger = opts.logger;
    ({ fetch: this.fetchFn, own: this.ownFetch } = clientFetch(opts.fetch, { maxSockets: 64 }));
  }

  /** Contacts whose phone matches `phone` exactly as the CRM stores it (the caller asks for each form). */
  async findByPhone(phone: string): Promise<Contact[]> {
    const url = `${this.baseUrl}/contacts?phone=${encodeURIComponent(phone)}`;
    const { status, text, ms } = await fetchText(
      this.fetchFn,
      url,
      {
        method: 'GET',
        headers: { apikey: this.apiKey, accept: 'application/json' },
      },
      {
        timeoutMs: this.timeoutMs,
        errors: {
          timeout: (t) => new AntCrmTimeoutError(CONTACTS_OP, t),
          network: (code) => new AntCrmNetworkError(CONTACTS_OP, code),
        },
      },
    );
    if (status === 401 || status === 403) {
      this.logger.warn({ status, ms }, 'AntCRM refused the api key');
      throw new AntCrmAuthError(CONTACTS_OP, status);
    }
    if (status < 200 || status > 299) throw new AntCrmHttpError(CONTACTS_OP, status);

    let body: unknown;
    try {
      body = text.trim() === '' ? null : JSON.parse(text);
    } catch {
      throw new AntCrmResponseError(CONTACTS_OP, 'not JSON');
    }
    const records = recordsOf(body);
    if (!records) throw new AntCrmResponseError(CONTACTS_OP, 'not a list of contacts');
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
    this.ownFetch?.close();
  }
}
