// A scripted FetchLike for upstream clients: the handler answers each request (status and body; a string body is
// sent as is, anything else as JSON) and every request is kept in `seen`, in order.
import type { FetchInit, FetchLike } from '../../src/upstream/fetch.js';

export interface SeenRequest {
  url: string;
  init: FetchInit;
}
export type FetchHandler = (
  url: string,
  init: FetchInit,
  n: number,
) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

export function fakeFetch(handler: FetchHandler): { fetch: FetchLike; seen: SeenRequest[] } {
  const seen: SeenRequest[] = [];
  const fetch: FetchLike = async (url, init) => {
    seen.push({ url, init });
    const r = await handler(url, init, seen.length);
    return {
      status: r.status,
      text: async () => (r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body)),
    };
  };
  return { fetch, seen };
}
