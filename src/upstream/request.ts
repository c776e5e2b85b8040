// One upstream request under the kit's rules: refused at once when the caller already aborted, the deadline of
// deadline.ts over sending and reading the whole body, and failures mapped by the client's own error factory
// (timeout, network; an UpstreamError thrown by an injected fetch passes through). Status handling and body parsing
// stay with each client (their answers differ).
import { type DeadlineTimer, startDeadline } from './deadline.js';
import { errorCode, UpstreamError } from './errors.js';
import type { FetchInit, FetchLike } from './fetch.js';

/** How a client names the two failures the kit detects. */
export interface TransportErrors {
  timeout(timeoutMs: number): Error;
  /** `code`: a system error code (ECONNREFUSED, ...), ABORTED (the caller's signal), or the error's class name. */
  network(code: string): Error;
}

export interface RequestOptions {
  timeoutMs: number;
  /** The caller's signal (aborts the request; reported as network error ABORTED). */
  signal?: AbortSignal;
  /** Replaces AbortSignal.timeout (a client with an injected Clock). */
  timer?: DeadlineTimer;
  errors: TransportErrors;
  /** The status decides and the body is not needed: a body that cannot be read (or arrives late) is ''. */
  bestEffortBody?: boolean;
}

export interface RawAnswer {
  status: number;
  text: string;
  /** Whole request, rounded. */
  ms: number;
}

export async function fetchText(
  fetch: FetchLike,
  url: string,
  init: Omit<FetchInit, 'signal'>,
  o: RequestOptions,
): Promise<RawAnswer> {
  if (o.signal?.aborted) throw o.errors.network('ABORTED');
  const d = startDeadline(o.timeoutMs, o.signal, o.timer);
  const fail = (err: unknown): never => {
    // Aborting at the deadline may reject the fetch (AbortError) first: still a timeout.
    if (d.timedOut()) throw o.errors.timeout(o.timeoutMs);
    if (err instanceof UpstreamError) throw err;
    throw o.errors.network(d.callerAborted() ? 'ABORTED' : errorCode(err));
  };
  const started = performance.now();
  try {
    let pending: Promise<Awaited<ReturnType<FetchLike>>>;
    try {
      pending = fetch(url, { ...init, signal: d.signal });
    } catch (err) {
      pending = Promise.reject(err);
    }
    const res = await d.race(pending).catch(fail);
    const reading = d.race(Promise.resolve().then(() => res.text()));
    const text = o.bestEffortBody ? await reading.catch(() => '') : await reading.catch(fail);
    return { status: res.status, text, ms: Math.round(performance.now() - started) };
  } finally {
    d.dispose();
  }
}

/** A Clock's timers as a DeadlineTimer. */
export function clockTimer(clock: {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
}): DeadlineTimer {
  return (ms, fire) => {
    const t = clock.setTimeout(fire, ms);
    return () => clock.clearTimeout(t);
  };
}
