// The one place an upstream failure becomes the contract's error code: 503 `upstream_unavailable` when the service
// did not answer or said it is unavailable (timeout, network, 429, 502, 503, 504), 502 `upstream_error` for any
// other failure of that service. Not an UpstreamError → undefined (a bug inside the bridge: the caller's 500).
import { UpstreamError } from './errors.js';

export type UpstreamErrorCode = 'upstream_unavailable' | 'upstream_error';

const UNAVAILABLE_STATUS = new Set([429, 502, 503, 504]);

export function upstreamErrorCode(err: unknown): UpstreamErrorCode | undefined {
  if (!(err instanceof UpstreamError)) return undefined;
  if (err.kind === 'timeout' || err.kind === 'network') return 'upstream_unavailable';
  const status = (err as { status?: unknown }).status;
  if (err.kind === 'http' && typeof status === 'number' && UNAVAILABLE_STATUS.has(status))
    return 'upstream_unavailable';
  return 'upstream_error';
}

/** The HTTP status of that code (the contract's ERROR_STATUS). */
export function upstreamErrorStatus(code: UpstreamErrorCode): 502 | 503 {
  return code === 'upstream_unavailable' ? 503 : 502;
}
