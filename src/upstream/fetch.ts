// The one fetch shape every upstream client takes (injectable in tests), and the default: node-fetch over one pair
// of keep-alive agents (TCP/TLS connections reused across calls), released by close().
import http from 'node:http';
import https from 'node:https';
import nodeFetch, { type RequestInit as NodeFetchInit } from 'node-fetch';

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}
export interface FetchResponseLike {
  status: number;
  text(): Promise<string>;
}
/** The global `fetch` and node-fetch both fit. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

export interface KeepAliveFetch {
  fetch: FetchLike;
  /** Destroys the agents' sockets (idle keep-alive connections included). Idempotent. */
  close(): void;
}

export interface KeepAliveOptions {
  /** Per agent (http and https). Default 16. */
  maxSockets?: number;
  /** 'manual': a 3xx answer is returned as is (webhooks: a redirect is not a delivery). Default 'follow'. */
  redirect?: 'follow' | 'manual';
}

export function keepAliveFetch(o: KeepAliveOptions | number = {}): KeepAliveFetch {
  const { maxSockets = 16, redirect } = typeof o === 'number' ? { maxSockets: o } : o;
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
  return {
    fetch: (url, init) =>
      nodeFetch(url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        ...(redirect ? { redirect } : {}),
        // node-fetch declares its own AbortSignal type; the global one is what it accepts at run time.
        signal: init.signal as unknown as NodeFetchInit['signal'],
        agent: (u: URL) => (u.protocol === 'http:' ? httpAgent : httpsAgent),
      }),
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** The injected fetch, or a keep-alive one the client owns (then `own.close()` releases it). */
export function clientFetch(
  injected: FetchLike | undefined,
  o: KeepAliveOptions,
): { fetch: FetchLike; own?: KeepAliveFetch } {
  if (injected) return { fetch: injected };
  const own = keepAliveFetch(o);
  return { fetch: own.fetch, own };
}
