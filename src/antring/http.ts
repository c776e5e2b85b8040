// The fetch the AntRing client uses: an injectable, minimal fetch shape, and the default node-fetch
// with keep-alive agents (one TCP/TLS connection reused across calls).
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
  /** Destroys the agents' sockets (idle keep-alive connections included). */
  close(): void;
}

export function keepAliveFetch(maxSockets = 16): KeepAliveFetch {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
  return {
    fetch: (url, init) =>
      nodeFetch(url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
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
