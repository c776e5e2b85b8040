// The AntBot do-not-call list as click-to-call consults it: the set of numbers in normalised form (Vietnamese
// numbers in their current national form, so a legacy 11-digit entry blocks the 10-digit number and back; foreign
// numbers in compact E.164), cached briefly, refreshed single-flight. Fail closed: when the list cannot be read
// (expired cache and AntBot down or slow), isBlocked() throws DncUnavailableError; the list is never bypassed.

import { type Clock, systemClock } from '../clock.js';
import type { Logger } from '../log.js';
import { coded } from '../shared/error-catalogue.js';
import { errCode } from '../shared/errors.js';
import { normalizeDialable } from '../shared/phone.js';
import { AntBotError } from './errors.js';

export class DncUnavailableError extends coded('DNC_UNAVAILABLE') {
  override readonly name = 'DncUnavailableError';
  constructor(readonly reason: string) {
    super(`the do-not-call list is unavailable (${reason})`);
  }
}

export interface DncSource {
  dncContacts(): Promise<{ phone_number: string }[]>;
}

export interface DncCheck {
  /** True when the number (any written form) is on the list. Throws DncUnavailableError when the list cannot be read. */
  isBlocked(number: string): Promise<boolean>;
}

export interface DncListOptions {
  source: DncSource;
  /** How long a fetched list is used. Default 30000. */
  ttlMs?: number;
  /** The longest a check waits for a refresh. Default 8000. */
  timeoutMs?: number;
  clock?: Clock;
  logger: Logger;
}

/** The matching form of a number as written in a DNC entry or dialled, or null when it is not a phone number. */
export function dncKey(raw: string): string | null {
  if (typeof raw !== 'string') return null;
  const direct = normalizeDialable(raw.trim());
  if (direct) return direct;
  // Entries may carry other separators (slashes, "tel:"): retry on the digits (and a leading +) alone.
  const digits = raw
    .trim()
    .replace(/^tel:/i, '')
    .replace(/[^0-9+]/g, '');
  return digits && digits !== raw ? normalizeDialable(digits) : null;
}

/** Entries → the set of keys; unparseable entries are counted. */
export function buildDncSet(entries: { phone_number: string }[]): { set: Set<string>; skipped: number } {
  const set = new Set<string>();
  let skipped = 0;
  for (const e of entries) {
    const k = dncKey(e.phone_number);
    if (k) set.add(k);
    else skipped++;
  }
  return { set, skipped };
}

export class DncList implements DncCheck {
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private cached?: { set: Set<string>; fetchedAt: number };
  private inflight?: Promise<Set<string>>;
  private refreshes = 0;
  private failures = 0;

  constructor(private readonly o: DncListOptions) {
    this.ttlMs = o.ttlMs ?? 30_000;
    this.timeoutMs = o.timeoutMs ?? 8000;
    this.clock = o.clock ?? systemClock;
    this.log = o.logger;
  }

  async isBlocked(number: string): Promise<boolean> {
    const key = dncKey(number);
    const set = await this.current();
    return key !== null && set.has(key);
  }

  /** Fetches the list now unless a fetch is in flight (warm-up at start). */
  refresh(): Promise<Set<string>> {
    if (this.inflight) return this.inflight;
    const p = this.load().finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  stats(): { size?: number; ageMs?: number; refreshes: number; failures: number } {
    return {
      size: this.cached?.set.size,
      ageMs: this.cached ? this.clock.now() - this.cached.fetchedAt : undefined,
      refreshes: this.refreshes,
      failures: this.failures,
    };
  }

  private async current(): Promise<Set<string>> {
    const c = this.cached;
    if (c && this.clock.now() - c.fetchedAt < this.ttlMs) return c.set;
    let timer: unknown;
    const deadline = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(
        () => reject(new DncUnavailableError(`no list within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.refresh(), deadline]);
    } catch (err) {
      if (err instanceof DncUnavailableError) throw err;
      throw new DncUnavailableError(errCode(err));
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  private async load(): Promise<Set<string>> {
    const started = this.clock.now();
    try {
      const entries = await this.o.source.dncContacts();
      const { set, skipped } = buildDncSet(entries);
      this.cached = { set, fetchedAt: this.clock.now() };
      this.refreshes++;
      this.log.debug({ size: set.size, skipped, ms: this.clock.now() - started }, 'dnc: list refreshed');
      if (skipped) this.log.warn({ skipped }, 'dnc: entries that are not phone numbers ignored');
      return set;
    } catch (err) {
      this.failures++;
      // Client errors carry no secret; anything else is reported by name only.
      const detail = err instanceof AntBotError ? err.message : undefined;
      this.log.warn({ error: errCode(err), detail }, 'dnc: list refresh failed');
      throw err;
    }
  }
}
