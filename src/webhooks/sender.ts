// Standard Webhooks 1.0 sender: POST the stored JSON body with webhook-id (the same on every retry),
// webhook-timestamp (unix seconds of this attempt) and webhook-signature (`v1,<base64 HMAC-SHA256 of
// id.timestamp.body>`, computed by the spec's reference library). 2xx = delivered; 410 disables that endpoint
// until restart (logged, counted); every other answer, a timeout or a network error is retried by the outbox.
import { createHash } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Logger } from '../log.js';
import { webhookKey } from '../outbox/keys.js';
import type { DeliveryHandler, DeliveryResult } from '../outbox/types.js';
import { coded } from '../shared/error-catalogue.js';
import { UpstreamNetworkError, UpstreamTimeoutError } from '../upstream/errors.js';
import { clientFetch, type FetchInit, type FetchLike, type FetchResponseLike } from '../upstream/fetch.js';
import { fetchText } from '../upstream/request.js';

/** The upstream kit's fetch shape (upstream/fetch.ts), under the names this sender always exported. */
export type WebhookFetchInit = FetchInit;
export type WebhookFetchResponse = FetchResponseLike;
export type WebhookFetch = FetchLike;

export class WebhookConfigError extends coded('WEBHOOK_CONFIG_INVALID') {
  override readonly name = 'WebhookConfigError';
}

/** The outbox payload of target "webhook": everything needed to send again, the same bytes each time. */
export interface WebhookPayload {
  url: string;
  /** webhook-id: the view's id (`<callId>:<seq>`). */
  id: string;
  /** The JSON text `{ type, timestamp, data }`, signed as is. */
  body: string;
}

export interface WebhookCounters {
  attempts: number;
  delivered: number;
  /** Non-2xx answers by status ("timeout" and "network" too). */
  failures: Record<string, number>;
  /** Endpoints disabled by a 410 since start. */
  disabled: number;
  /** Deliveries dropped because their endpoint was disabled. */
  skipped: number;
}

export interface WebhookSenderOptions {
  /** `whsec_<base64>`. */
  secret: string;
  logger: Logger;
  fetch?: WebhookFetch;
  /** Per attempt. Default 10000. */
  timeoutMs?: number;
  /** Injectable time for webhook-timestamp. */
  now?: () => Date;
}

/** A short stable id of an endpoint for keys, logs and metrics (a URL may carry a token: never logged). */
export function endpointId(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 12);
}

/** The idempotency key of one view to one endpoint (outbox/keys.ts's format). */
export function webhookKeyOf(viewId: string, url: string): string {
  return webhookKey(viewId, endpointId(url));
}

export class WebhookSender {
  private readonly wh: Webhook;
  private readonly fetchFn: WebhookFetch;
  private readonly timeoutMs: number;
  private readonly now: () => Date;
  private readonly disabledUrls = new Set<string>();
  private readonly ownFetch?: { close(): void };
  private readonly n: WebhookCounters = { attempts: 0, delivered: 0, failures: {}, disabled: 0, skipped: 0 };

  constructor(private readonly o: WebhookSenderOptions) {
    if (typeof o.secret !== 'string' || !/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/.test(o.secret)) {
      throw new WebhookConfigError('WEBHOOK_SECRET must be whsec_<base64> (at least 12 bytes)');
    }
    this.wh = new Webhook(o.secret);
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.now = o.now ?? (() => new Date());
    // Redirects are not followed: a 3xx is not a delivery (retried like any other non-2xx).
    ({ fetch: this.fetchFn, own: this.ownFetch } = clientFetch(o.fetch, { maxSockets: 8, redirect: 'manual' }));
  }

  isDisabled(url: string): boolean {
    return this.disabledUrls.has(url);
  }

  counters(): WebhookCounters {
    return { ...this.n, failures: { ...this.n.failures } };
  }

  /** The three headers of one attempt. */
  headers(id: string, body: string, at: Date = this.now()): Record<string, string> {
    return {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.wh.sign(id, at, body),
    };
  }

  async send(p: WebhookPayload, outer?: AbortSignal): Promise<DeliveryResult> {
    const ep = endpointId(p.url);
    if (this.disabledUrls.has(p.url)) {
      this.n.skipped++;
      return { kind: 'give-up', error: `endpoint ${ep} disabled by HTTP 410` };
    }
    this.n.attempts++;
    let status: number;
    try {
      ({ status } = await fetchText(
        this.fetchFn,
        p.url,
        { method: 'POST', headers: this.headers(p.id, p.body), body: p.body },
        {
          timeoutMs: this.timeoutMs,
          signal: outer,
          // The answer's status is what counts: a body that cannot be read does not undo a delivery.
          bestEffortBody: true,
          // The endpoint's id, never its URL (it may carry a token).
          errors: {
            timeout: (t) => new UpstreamTimeoutError('webhook', `send ${ep}`, t),
            network: (c) => new UpstreamNetworkError('webhook', `send ${ep}`, c),
          },
        },
      ));
    } catch (err) {
      const timedOut = err instanceof UpstreamTimeoutError;
      const what = timedOut ? 'timeout' : 'network';
      this.n.failures[what] = (this.n.failures[what] ?? 0) + 1;
      const c = err instanceof UpstreamNetworkError ? err.sysCode : 'unknown';
      const error = timedOut
        ? `endpoint ${ep}: no answer within ${this.timeoutMs} ms`
        : `endpoint ${ep}: network error (${c})`;
      return { kind: 'retry', error };
    }
    if (status >= 200 && status <= 299) {
      this.n.delivered++;
      return { kind: 'ok' };
    }
    this.n.failures[String(status)] = (this.n.failures[String(status)] ?? 0) + 1;
    if (status === 410) {
      if (!this.disabledUrls.has(p.url)) {
        this.disabledUrls.add(p.url);
        this.n.disabled++;
        this.o.logger.warn({ endpoint: ep }, 'webhook endpoint answered 410 Gone: disabled until restart');
      }
      return { kind: 'give-up', error: `endpoint ${ep}: HTTP 410 (disabled)` };
    }
    return { kind: 'retry', error: `endpoint ${ep}: HTTP ${status}` };
  }

  /** The outbox handler of target "webhook". An unusable payload is given up (it can never be sent). */
  handler(): DeliveryHandler {
    return async (a) => {
      const p = a.payload as Partial<WebhookPayload> | null;
      if (
        !p ||
        typeof p !== 'object' ||
        typeof p.url !== 'string' ||
        typeof p.id !== 'string' ||
        typeof p.body !== 'string'
      ) {
        return { kind: 'give-up', error: 'unusable webhook payload' };
      }
      return this.send({ url: p.url, id: p.id, body: p.body }, a.signal);
    };
  }

  /** Destroys the keep-alive agents' sockets. Idempotent. */
  close(): void {
    this.ownFetch?.close();
  }
}
