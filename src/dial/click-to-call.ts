// Click-to-call, one service for REST (POST /api/click-to-call) and the socket `dial` event: who may dial (the JWT's
// agent), the body and the number, the agent's SIP device, idempotency, the per-agent rate limit, the AntBot
// do-not-call list (fail closed), then AntRing's click-to-call; every outcome is a contract body (DialResult):
// AntRing's own failures are upstream_* (502/503), a failure inside the bridge is internal_error (500).
// The SIP password, tokens and secrets never reach a result, a log line or an error text; numbers are logged masked.
import { z } from 'zod';
import { ClickToCallRefusedError } from '../antring/click-to-call-answer.js';
import {
  AntRingAuthError,
  AntRingHttpError,
  AntRingNetworkError,
  AntRingResponseError,
  AntRingTimeoutError,
  DeviceOfflineError,
} from '../antring/errors.js';
import type { Claims, DialOk, ErrorBody, ErrorCode } from '../contract.js';
import type { Logger } from '../log.js';
import { errCode } from '../shared/errors.js';
import { maskNumber } from '../shared/mask.js';
import { normalizeDialable } from '../shared/phone.js';
import type { DeviceDirectory } from './devices.js';
import type { IdempotencyEntry, IdempotencyStore } from './idempotency.js';
import type { RateLimiter } from './rate-limiter.js';

/** An error body; `rate_limited` also says when to retry (seconds, as the REST `Retry-After` header). */
export type DialError = ErrorBody & { retryAfterSec?: number };
export type DialOutcome = DialOk | DialError;

export interface ClickToCallUpstream {
  /** AntRingClient.clickToCall: a 400 about the device → DeviceOfflineError, another 400 → ClickToCallRefusedError;
   * timeouts, network errors, other statuses typed. */
  clickToCall(number: string, device: { sipUser: string; sipPassword: string }): Promise<void>;
}

export interface ClickToCallOptions {
  devices: DeviceDirectory;
  upstream: ClickToCallUpstream;
  /** The AntBot do-not-call list; null/undefined when AntBot is not configured (no DNC check). */
  dnc?: { isBlocked(number: string): Promise<boolean> } | null;
  rateLimiter: RateLimiter;
  idempotency: IdempotencyStore;
  /** Same agent + same number within this window dials once. 0 disables idempotency. */
  idempotencyMs: number;
  logger: Logger;
  /** Metrics hook: one call per request with `dialing` or the error code. Must not throw (it is guarded anyway). */
  onResult?: (code: 'dialing' | ErrorCode) => void;
  /** Told just before AntRing is asked to place a call (its legs may arrive before AntRing's answer). */
  placed?: { record(agent: string, number: string): void };
}

export const bodySchema = z.object({ number: z.string() });

const err = (error: ErrorCode, message: string, extra: { retryAfterSec?: number } = {}): DialError => ({
  error,
  message,
  ...extra,
});

/** The last three digits only, for logs (shared/mask.ts, the one definition). */
export { maskNumber };

export class ClickToCallService {
  private readonly inflight = new Map<string, Promise<DialOutcome>>();
  private readonly log: Logger;

  constructor(private readonly o: ClickToCallOptions) {
    this.log = o.logger;
  }

  /** Never throws: every failure is an error body. */
  async dial(claims: Claims, body: unknown): Promise<DialOutcome> {
    let r: DialOutcome;
    try {
      r = await this.run(claims, body);
    } catch (e) {
      this.log.error({ error: errCode(e) }, 'click-to-call: unexpected failure (a bug)');
      r = err('internal_error', 'click-to-call failed (internal error)');
    }
    try {
      this.o.onResult?.('error' in r ? r.error : 'dialing');
    } catch (e) {
      this.log.warn({ error: errCode(e) }, 'click-to-call: metrics hook threw');
    }
    return r;
  }

  private async run(claims: Claims, body: unknown): Promise<DialOutcome> {
    if (claims.role === 'wallboard') return err('forbidden', 'wallboards may not place calls');
    const agent = claims.agent;
    if (!agent) return err('forbidden', "the token has no agent claim: click-to-call dials from an agent's device");
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) return err('invalid_body', 'expected a JSON object { "number": "<phone number>" }');
    const number = normalizeDialable(parsed.data.number);
    if (!number) {
      return err('invalid_number', 'not a dialable number (a Vietnamese number, +<country><number>, or an extension)');
    }
    const device = this.o.devices.get(agent);
    if (!device) {
      this.log.warn({ agent }, 'click-to-call: no SIP device configured for this agent');
      return err('device_offline', `no SIP device is configured for agent ${agent} (DEVICES_FILE)`);
    }
    if (this.o.idempotencyMs <= 0) return this.place(agent, number, device);

    const key = `${claims.org}\u0000${agent}\u0000${number}`;
    const shared = this.inflight.get(key);
    if (shared) {
      this.log.debug({ agent, number: maskNumber(number) }, 'click-to-call: duplicate joins the call in flight');
      return shared;
    }
    const p = this.once(key, agent, number, device);
    this.inflight.set(key, p);
    try {
      return await p;
    } finally {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    }
  }

  /** Claims the key, dials, and records the result (kept on success, released on failure). */
  private async once(
    key: string,
    agent: string,
    number: string,
    device: { sipUser: string; sipPassword: string },
  ): Promise<DialOutcome> {
    const ttl = this.o.idempotencyMs;
    let existing: IdempotencyEntry | undefined;
    try {
      existing = await this.o.idempotency.claim(key, ttl);
    } catch (e) {
      this.log.error({ error: errCode(e) }, 'click-to-call: idempotency store unavailable');
      return err('upstream_unavailable', 'click-to-call is unavailable, try again');
    }
    if (existing) {
      this.log.info(
        { agent, number: maskNumber(number), state: existing.state },
        'click-to-call: duplicate within the idempotency window',
      );
      return existing.state === 'done' ? existing.result : { status: 'dialing', number };
    }
    let r: DialOutcome;
    try {
      r = await this.place(agent, number, device);
    } catch (e) {
      await this.forget(key);
      throw e;
    }
    if ('error' in r) await this.forget(key);
    else {
      try {
        await this.o.idempotency.complete(key, r, ttl);
      } catch (e) {
        this.log.warn({ error: errCode(e) }, 'click-to-call: idempotency store write failed');
      }
    }
    return r;
  }

  private async forget(key: string): Promise<void> {
    try {
      await this.o.idempotency.release(key);
    } catch (e) {
      this.log.warn({ error: errCode(e) }, 'click-to-call: idempotency store release failed');
    }
  }

  /** Rate limit, DNC, then AntRing. */
  private async place(
    agent: string,
    number: string,
    device: { sipUser: string; sipPassword: string },
  ): Promise<DialOutcome> {
    const masked = maskNumber(number);
    const rate = await this.o.rateLimiter.take(agent);
    if (!rate.ok) {
      const retryAfterSec = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
      this.log.info({ agent, retryAfterSec }, 'click-to-call: rate limited');
      return err('rate_limited', `too many calls: retry in ${retryAfterSec} s`, { retryAfterSec });
    }
    if (this.o.dnc) {
      let blocked: boolean;
      try {
        blocked = await this.o.dnc.isBlocked(number);
      } catch (e) {
        this.log.warn(
          { agent, number: masked, error: errCode(e) },
          'click-to-call: DNC list unavailable, refused (fail closed)',
        );
        return err('upstream_unavailable', 'the do-not-call list cannot be checked right now; the call was not placed');
      }
      if (blocked) {
        this.log.info({ agent, number: masked }, 'click-to-call: number on the do-not-call list');
        return err('dnc', 'this number is on the do-not-call list');
      }
    }
    this.o.placed?.record(agent, number);
    try {
      await this.o.upstream.clickToCall(number, device);
    } catch (e) {
      return this.upstreamError(e, agent, masked);
    }
    this.log.info({ agent, number: masked }, 'click-to-call: dialing');
    return { status: 'dialing', number };
  }

  private upstreamError(e: unknown, agent: string, masked: string): DialError {
    const fields = { agent, number: masked, error: errCode(e) };
    if (e instanceof DeviceOfflineError) {
      this.log.info(fields, 'click-to-call: device offline');
      return err(
        'device_offline',
        `the SIP device of agent ${agent} is not registered (offline): register the phone and try again`,
      );
    }
    if (e instanceof ClickToCallRefusedError) {
      // AntRing's 400 for another reason than the device (a number, a device it does not know): its words, shown.
      this.log.warn({ ...fields, status: 400, reason: e.reason }, 'click-to-call: AntRing refused the call');
      return err('upstream_error', `AntRing refused the call (HTTP 400: ${e.reason})`);
    }
    if (e instanceof AntRingTimeoutError || e instanceof AntRingNetworkError) {
      this.log.warn({ ...fields, detail: e.message }, 'click-to-call: AntRing unreachable');
      return err('upstream_unavailable', 'AntRing did not answer; the call may not have been placed');
    }
    if (e instanceof AntRingHttpError || e instanceof AntRingAuthError || e instanceof AntRingResponseError) {
      const status = e instanceof AntRingResponseError ? undefined : e.status;
      this.log.error({ ...fields, status }, 'click-to-call: AntRing refused the call');
      return err(
        'upstream_error',
        status ? `AntRing refused the call (HTTP ${status})` : 'AntRing click-to-call failed',
      );
    }
    // Not an answer of AntRing (a plain Error, a bad argument or missing configuration): a bug inside the bridge.
    this.log.error(fields, 'click-to-call: unexpected failure (a bug)');
    return err('internal_error', 'click-to-call failed (internal error)');
  }
}
