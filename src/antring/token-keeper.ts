// Keeps one valid AntRing auth token: single-flight fetch, proactive refresh ahead of expiry, capped full-jitter
// retries, fast failure on 401/403. The token is a secret: it is never logged.

import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import { coded } from '../shared/error-catalogue.js';
import { errCode } from '../shared/errors.js';
import { UpstreamAuthError, UpstreamError } from '../upstream/errors.js';
import { AntRingResponseError } from './errors.js';
import type { AuthToken, TokenSource } from './token-source.js';

export class TokenKeeperStoppedError extends coded('TOKEN_KEEPER_STOPPED') {
  override readonly name = 'TokenKeeperStoppedError';
  constructor() {
    super('token keeper stopped');
  }
}

export type RefreshReason = 'start' | 'expired' | 'proactive' | 'invalidated' | 'retry';

/** One fetch attempt, for metrics. */
export type RefreshEvent =
  | { ok: true; reason: RefreshReason; attempt: number; durationMs: number; expiresAt: number }
  | {
      ok: false;
      reason: RefreshReason;
      attempt: number;
      durationMs: number;
      error: string;
      status?: number;
      retryInMs: number;
    };

export interface TokenKeeperOptions {
  /** One upstream request (AntRingClient.authToken). The signal is aborted by stop(). */
  fetchToken: (signal?: AbortSignal) => Promise<AuthToken>;
  clock?: Clock;
  logger: Logger;
  /** Refresh this long before expiry, at most 25% of the token's lifetime. Default 60000. */
  refreshMarginMs?: number;
  /** Floor of the proactive refresh delay; a just-fetched token is served for at least this long. Default 1000. */
  minRefreshMs?: number;
  /** get() refreshes first when the token expires within this window (at most 10% of its lifetime). Default 1000. */
  safetyWindowMs?: number;
  /** Retry delays: full jitter, random() * min(maxMs, baseMs * 2^(failures-1)). Defaults 250 / 15000. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Metrics hook: every fetch attempt, success or failure (not the token listeners: see onRefresh()). */
  onRefresh?: (event: RefreshEvent) => void;
  random?: () => number;
}

interface Current {
  token: AuthToken;
  fetchedAt: number;
  lifetimeMs: number;
}
interface Waiter {
  resolve: (t: AuthToken) => void;
  reject: (err: Error) => void;
}

/** setTimeout's limit: longer delays fire at once. A token living longer than ~24.8 days is refreshed early. */
const MAX_TIMER_MS = 2_147_483_647;

export class TokenKeeper implements TokenSource {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly marginMs: number;
  private readonly minRefreshMs: number;
  private readonly safetyMs: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private readonly listeners = new Set<(token: AuthToken) => void>();
  private current?: Current;
  private waiters: Waiter[] = [];
  private inflight?: AbortController;
  private retryTimer?: unknown;
  private proactiveTimer?: unknown;
  private failures = 0;
  private authError?: UpstreamAuthError;
  private stopped = false;
  private stopping?: Promise<void>;

  constructor(private readonly opts: TokenKeeperOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.marginMs = opts.refreshMarginMs ?? 60_000;
    this.minRefreshMs = opts.minRefreshMs ?? 1000;
    this.safetyMs = opts.safetyWindowMs ?? 1000;
    this.baseMs = opts.backoff?.baseMs ?? 250;
    this.maxMs = opts.backoff?.maxMs ?? 15_000;
    this.random = opts.random ?? Math.random;
  }

  /** Fetches the first token. Resolves with it; rejects at once on 401/403 (retries go on in the background). */
  start(): Promise<AuthToken> {
    return this.get();
  }

  get(): Promise<AuthToken> {
    if (this.stopped) return Promise.reject(new TokenKeeperStoppedError());
    const c = this.current;
    if (c && this.usable(c)) return Promise.resolve({ ...c.token });
    // Refused credentials and the next retry not due yet: fail fast instead of queueing behind the backoff.
    if (this.authError && this.retryTimer !== undefined) return Promise.reject(this.authError);
    return new Promise<AuthToken>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.refresh(c ? 'expired' : 'start');
    });
  }

  invalidate(value: string): void {
    if (this.stopped) return;
    if (!this.current || this.current.token.value !== value) {
      this.log.debug('antring token: invalidate ignored (not the current token)');
      return;
    }
    this.current = undefined;
    this.log.info('antring token: refused upstream, refreshing');
    this.refresh('invalidated');
  }

  onRefresh(listener: (token: AuthToken) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** For health and metrics (no token value). */
  status(): { hasToken: boolean; expiresAt?: number; failures: number; refreshing: boolean; authFailed: boolean } {
    return {
      hasToken: this.current !== undefined,
      expiresAt: this.current?.token.expiresAt,
      failures: this.failures,
      refreshing: this.busy,
      authFailed: this.authError !== undefined,
    };
  }

  /** Clears every timer, aborts the request in flight, rejects pending get() with TokenKeeperStoppedError. Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= this.doStop());
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    this.clearTimer('proactiveTimer');
    this.clearTimer('retryTimer');
    if (this.inflight) {
      this.log.debug('antring token: stopping, request in flight aborted');
      this.inflight.abort();
      this.inflight = undefined;
    }
    this.rejectWaiters(new TokenKeeperStoppedError());
    this.listeners.clear();
    this.current = undefined;
  }

  private get busy(): boolean {
    return this.inflight !== undefined || this.retryTimer !== undefined;
  }

  private usable(c: Current): boolean {
    const now = this.clock.now();
    if (now < c.fetchedAt + this.minRefreshMs) return true;
    const safety = Math.min(this.safetyMs, Math.max(0, c.lifetimeMs) * 0.1);
    return now < c.token.expiresAt - safety;
  }

  /** Starts a fetch unless one is in flight or a retry is scheduled (single flight). */
  private refresh(reason: RefreshReason): void {
    if (this.stopped || this.busy) return;
    this.clearTimer('proactiveTimer');
    void this.attempt(reason);
  }

  private async attempt(reason: RefreshReason): Promise<void> {
    const ctrl = new AbortController();
    this.inflight = ctrl;
    const started = this.clock.now();
    let token: AuthToken;
    try {
      token = checkToken(await this.opts.fetchToken(ctrl.signal));
    } catch (err) {
      if (this.inflight === ctrl) this.inflight = undefined;
      if (!this.stopped) this.failed(err, reason, started);
      return;
    }
    if (this.inflight === ctrl) this.inflight = undefined;
    if (!this.stopped) this.succeeded(token, reason, started);
  }

  private succeeded(token: AuthToken, reason: RefreshReason, started: number): void {
    const now = this.clock.now();
    const attempt = this.failures + 1;
    this.failures = 0;
    this.authError = undefined;
    const lifetimeMs = token.expiresAt - now;
    this.current = { token, fetchedAt: now, lifetimeMs };
    const margin = Math.min(this.marginMs, Math.max(0, lifetimeMs) * 0.25);
    const delay = Math.min(MAX_TIMER_MS, Math.max(this.minRefreshMs, lifetimeMs - margin));
    this.proactiveTimer = this.clock.setTimeout(() => {
      this.proactiveTimer = undefined;
      this.refresh('proactive');
    }, delay);
    if (lifetimeMs <= 0)
      this.log.warn({ expiresInMs: lifetimeMs }, 'antring token: already expired on arrival (clock skew?)');
    this.log.info({ reason, attempt, expiresInMs: lifetimeMs, refreshInMs: delay }, 'antring token: refreshed');
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve({ ...token });
    this.emit({ ok: true, reason, attempt, durationMs: now - started, expiresAt: token.expiresAt });
    for (const listener of [...this.listeners]) {
      try {
        listener({ ...token });
      } catch (err) {
        this.log.error({ error: errCode(err) }, 'antring token: onRefresh listener threw');
      }
    }
  }

  private failed(err: unknown, reason: RefreshReason, started: number): void {
    this.failures++;
    const cap = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures - 1, 30));
    const retryInMs = Math.max(1, Math.floor(this.random() * cap));
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.refresh('retry');
    }, retryInMs);
    const status = (err as { status?: unknown })?.status;
    const fields = {
      reason,
      attempt: this.failures,
      retryInMs,
      error: errCode(err),
      status: typeof status === 'number' ? status : undefined,
      // Client errors are built without secrets; other errors' messages are not trusted into the log.
      detail: err instanceof UpstreamError ? err.message : undefined,
    };
    if (err instanceof UpstreamAuthError) {
      this.authError = err;
      this.log.error(fields, 'antring token: credentials refused');
      this.rejectWaiters(err);
    } else {
      this.log.warn(fields, 'antring token: fetch failed, retrying');
    }
    this.emit({
      ok: false,
      reason,
      attempt: this.failures,
      durationMs: this.clock.now() - started,
      error: errCode(err),
      retryInMs,
      ...(typeof status === 'number' ? { status } : {}),
    });
  }

  private emit(event: RefreshEvent): void {
    try {
      this.opts.onRefresh?.(event);
    } catch (err) {
      this.log.error({ error: errCode(err) }, 'antring token: metrics hook threw');
    }
  }

  private rejectWaiters(err: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }

  private clearTimer(which: 'proactiveTimer' | 'retryTimer'): void {
    const t = this[which];
    if (t !== undefined) {
      this.clock.clearTimeout(t);
      this[which] = undefined;
    }
  }
}

function checkToken(t: unknown): AuthToken {
  const o = t as Partial<AuthToken> | null;
  if (
    !o ||
    typeof o.value !== 'string' ||
    o.value === '' ||
    typeof o.expiresAt !== 'number' ||
    !Number.isFinite(o.expiresAt)
  ) {
    throw new AntRingResponseError('auth_token', 'fetchToken returned no usable token');
  }
  return { value: o.value, expiresAt: o.expiresAt };
}
