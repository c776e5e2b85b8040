// The one timeout rule of the upstream clients: a request (sending, and reading the whole body) gets a timeout signal
// (AbortSignal.timeout's semantics: aborted with a TimeoutError after timeoutMs), combined with the caller's signal
// through AbortSignal.any. `race` also settles a promise that ignores the signal (a fetch that never looks at it), so
// a request never outlives its deadline. The timer is a plain (ref'd) setTimeout rather than AbortSignal.timeout
// itself, whose timer is unref'd: a request in flight is work, and the process must not exit under it. A client
// with an injected Clock (fake time in tests) passes `timer` instead.
import { coded } from '../shared/error-catalogue.js';

/** Schedules `fire` after `ms`; returns the cancel function. */
export type DeadlineTimer = (ms: number, fire: () => void) => () => void;

export interface Deadline {
  /** Aborted at the deadline or when the caller's signal aborts. Pass it to fetch. */
  readonly signal: AbortSignal;
  /** The deadline passed (not the caller's abort). */
  timedOut(): boolean;
  /** The caller's signal aborted. */
  callerAborted(): boolean;
  /** `p`, or a rejection (DeadlineAbortError) as soon as `signal` aborts. */
  race<T>(p: Promise<T>): Promise<T>;
  /** Releases the timer and listeners. Call in `finally`. Idempotent. */
  dispose(): void;
}

/** What `race` rejects with when the signal aborted first; callers map it with timedOut()/callerAborted(). */
export class DeadlineAbortError extends coded('UPSTREAM_ABORTED') {
  override readonly name = 'DeadlineAbortError';
  constructor() {
    super('aborted');
  }
}

export function startDeadline(timeoutMs: number, caller?: AbortSignal, timer?: DeadlineTimer): Deadline {
  const ctrl = new AbortController();
  let cancel = (timer ?? refTimer)(timeoutMs, () =>
    ctrl.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
  );
  const timeoutSignal = ctrl.signal;
  // Which of the two aborted first (listeners run before any promise reaction that maps the failure).
  let first: 'timeout' | 'caller' | undefined = caller?.aborted ? 'caller' : undefined;
  const onTimeout = () => {
    first ??= 'timeout';
  };
  const onCaller = () => {
    first ??= 'caller';
  };
  timeoutSignal.addEventListener('abort', onTimeout, { once: true });
  caller?.addEventListener('abort', onCaller, { once: true });
  const signal = caller ? AbortSignal.any([timeoutSignal, caller]) : timeoutSignal;
  const listeners = new Set<() => void>();
  let disposed = false;
  return {
    signal,
    timedOut: () => first === 'timeout',
    callerAborted: () => first === 'caller',
    race<T>(p: Promise<T>): Promise<T> {
      if (signal.aborted) {
        p.catch(() => undefined);
        return Promise.reject(new DeadlineAbortError());
      }
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(new DeadlineAbortError());
        listeners.add(onAbort);
        signal.addEventListener('abort', onAbort, { once: true });
        p.then(resolve, reject).finally(() => {
          signal.removeEventListener('abort', onAbort);
          listeners.delete(onAbort);
        });
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      cancel();
      cancel = () => undefined;
      timeoutSignal.removeEventListener('abort', onTimeout);
      caller?.removeEventListener('abort', onCaller);
      for (const l of listeners) signal.removeEventListener('abort', l);
      listeners.clear();
    },
  };
}

const refTimer: DeadlineTimer = (ms, fire) => {
  const t = setTimeout(fire, ms);
  return () => clearTimeout(t);
};
