// AntCRM (ApiRing) writes for the after-call write-back: POST /tickets, PUT /tickets, POST /contacts (a lead), with
// the `apikey` header as the read client sends it. Errors say whether a retry can help: 5xx, 408, 429, timeouts and
// network errors are retryable; other 4xx (and 2xx answers without the id) are permanent. The api key is never in
// a URL, a log line or an error message.
import type { Logger } from '../log.js';
import { clientFetch, type FetchInit, type FetchLike, type FetchResponseLike } from '../upstream/fetch.js';
import { fetchText } from '../upstream/request.js';
import { AntCrmError, AntCrmHttpError, AntCrmNetworkError, AntCrmResponseError, AntCrmTimeoutError } from './errors.js';

/** The upstream kit's fetch shape (upstream/fetch.ts), under the names this writer always exported. */
export type CrmWriteFetchInit = FetchInit;
export type CrmWriteFetchResponse = FetchResponseLike;
export type CrmWriteFetch = FetchLike;

export type CrmWriteOperation = 'createTicket' | 'updateTicket' | 'createLead';

/** The writes' errors are AntCRM's (antcrm/errors.ts: `retryable` tells the outbox whether to try again; a timeout
 *  is retryable, as AntCRM may have written it: the one window of §7.2; a 2xx answer without `success: 1` or the id is
 *  permanent, as a retry would write twice), under the names this writer always exported. */
export {
  AntCrmError as AntCrmWriteError,
  AntCrmHttpError as AntCrmWriteHttpError,
  AntCrmNetworkError as AntCrmWriteNetworkError,
  AntCrmResponseError as AntCrmWriteResponseError,
  AntCrmTimeoutError as AntCrmWriteTimeoutError,
};

export interface CrmPhone {
  type: string;
  value: string;
}

export interface TicketInput {
  title: string;
  /** The callId. */
  ticketIdApiRing: string;
  summary: string;
  /** Default 'Medium'. */
  priority?: string;
  /** Required by the seed: '' unless ANTCRM_TICKET_SLA is set. */
  SLA: string;
  /** `{ id }` of a found contact, else `{ name, phones }` from the call. */
  contact: { id: string } | { name: string; phones: CrmPhone[]; emails?: CrmPhone[] };
  status?: string;
  category?: string;
  cusFields?: { name: string; value: string }[];
}

export interface TicketUpdate {
  TicketId: string;
  title?: string;
  summary?: string;
  priority?: string;
  SLA?: string;
  status?: string;
  category?: string;
  cusFields?: { name: string; value: string }[];
}

export interface LeadInput {
  name: string;
  /** The normalised number. */
  customerIdApiRing: string;
  phones: CrmPhone[];
  /** Default 'AntRing'. */
  sourceContact?: string;
  bgInfo?: string;
}

export interface AntCrmWriterOptions {
  apiUrl: string;
  apiKey: string;
  fetch?: CrmWriteFetch;
  /** Whole request. Default 10000 (the outbox's attempt timeout). */
  timeoutMs?: number;
  logger: Logger;
}

export class AntCrmWriter {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: CrmWriteFetch;
  private readonly ownFetch?: { close(): void };

  constructor(private readonly o: AntCrmWriterOptions) {
    this.baseUrl = o.apiUrl.replace(/\/+$/, '');
    this.timeoutMs = o.timeoutMs ?? 10_000;
    ({ fetch: this.fetchFn, own: this.ownFetch } = clientFetch(o.fetch, { maxSockets: 16 }));
  }

  /** POST /tickets → AntCRM's TicketId. */
  async createTicket(t: TicketInput, signal?: AbortSignal): Promise<{ ticketId: string }> {
    const body = await this.send('createTicket', 'POST', '/tickets', { priority: 'Medium', ...t }, signal);
    const id = idOf(body, ['TicketId', 'ticketId']);
    if (id === undefined) throw new AntCrmResponseError('createTicket', 'no TicketId');
    return { ticketId: id };
  }

  /** PUT /tickets with the TicketId AntCRM gave. */
  async updateTicket(t: TicketUpdate, signal?: AbortSignal): Promise<{ ticketId: string }> {
    if (typeof t.TicketId !== 'string' || t.TicketId === '')
      throw new AntCrmResponseError('updateTicket', 'TicketId required');
    await this.send('updateTicket', 'PUT', '/tickets', { ...t }, signal);
    return { ticketId: t.TicketId };
  }

  /** POST /contacts with contactType "lead" → AntCRM's leadId (or customerId). */
  async createLead(l: LeadInput, signal?: AbortSignal): Promise<{ leadId: string }> {
    const body = await this.send(
      'createLead',
      'POST',
      '/contacts',
      { contactType: 'lead', sourceContact: 'AntRing', ...l },
      signal,
    );
    const id = idOf(body, ['leadId', 'customerId']);
    if (id === undefined) throw new AntCrmResponseError('createLead', 'no leadId');
    return { leadId: id };
  }

  /** Destroys the keep-alive agents' sockets. Idempotent. */
  close(): void {
    this.ownFetch?.close();
  }

  private async send(
    op: CrmWriteOperation,
    method: 'POST' | 'PUT',
    path: string,
    payload: object,
    outer?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const { status, text, ms } = await fetchText(
      this.fetchFn,
      `${this.baseUrl}${path}`,
      {
        method,
        headers: { apikey: this.o.apiKey, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(payload),
      },
      {
        timeoutMs: this.timeoutMs,
        signal: outer,
        errors: {
          timeout: (t) => new AntCrmTimeoutError(op, t),
          network: (code) => new AntCrmNetworkError(op, code),
        },
      },
    );
    if (status < 200 || status > 299) {
      this.o.logger.warn({ op, status, ms }, 'AntCRM write refused');
      throw new AntCrmHttpError(op, status);
    }
    let body: unknown;
    try {
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new AntCrmResponseError(op, 'not JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new AntCrmResponseError(op, 'not an object');
    const success = (body as { success?: unknown }).success;
    if (success !== undefined && Number(success) !== 1) throw new AntCrmResponseError(op, 'success is not 1');
    this.o.logger.debug({ op, status, ms }, 'AntCRM write');
    return body as Record<string, unknown>;
  }
}

function idOf(body: Record<string, unknown>, fields: string[]): string | undefined {
  for (const f of fields) {
    const v = body[f];
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string' && v.trim() !== '' && v.length <= 64) return v.trim();
  }
  return undefined;
}
