// Phone number → CRM contact, fast and gentle on the CRM: an LRU with TTLs (negative caching, errors cached
// briefly), single-flight per number, a cap on concurrent CRM requests, and every lookup form asked
// (current and pre-2018 legacy form) with the results merged. lookup() never rejects.
import { LRUCache } from 'lru-cache';
import { type Clock, systemClock } from '../clock.js';
import type { Contact } from '../contract.js';
import type { Logger } from '../log.js';
import { lookupForms, type NormalizedPhone, normalizePhone } from '../shared/phone.js';
import { Limiter } from './limiter.js';
import {
  ERROR_RESULT as ERROR,
  isLookupStatus,
  type LookupResult,
  type LookupStatus,
  NOT_FOUND_RESULT as NOT_FOUND,
  noLookupResult,
} from './lookup-status.js';

export type { LookupResult, LookupStatus } from './lookup-status.js';

export interface ContactSource {
  findByPhone(phone: string): Promise<Contact[]>;
}

/** A shared cache behind the in-process one (Redis later). Keys are national numbers. */
export interface SecondLevelCache {
  get(key: string): Promise<LookupResult | undefined>;
  set(key: string, value: LookupResult, ttlMs: number): Promise<void>;
}

export interface LookupObservation {
  result: LookupStatus;
  cache: 'hit' | 'miss' | 'joined';
}

export interface ContactDirectoryOptions {
  /** null = CRM disabled (every lookup is 'disabled'). */
  client: ContactSource | null;
  ttlMs?: number;
  negativeTtlMs?: number;
  errorTtlMs?: number;
  maxEntries?: number;
  maxConcurrency?: number;
  /** CRM requests allowed to wait for a slot; beyond that a lookup fails fast ('error'). Default 10000. */
  maxQueued?: number;
  /** Drop CRM records whose phones (when listed) do not contain the number asked for. Default true. */
  verifyPhones?: boolean;
  clock?: Clock;
  logger: Logger;
  observe?: (ev: LookupObservation) => void;
  secondLevel?: SecondLevelCache;
}

interface Entry {
  result: LookupResult;
  expiresAt: number;
}

export class ContactDirectory {
  private readonly client: ContactSource | null;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly errorTtlMs: number;
  private readonly verifyPhones: boolean;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly observeFn?: (ev: LookupObservation) => void;
  private readonly secondLevel?: SecondLevelCache;
  private readonly cache: LRUCache<string, Entry>;
  private readonly inflight = new Map<string, Promise<{ result: LookupResult; from: 'l2' | 'crm' }>>();
  private readonly limiter: Limiter;

  constructor(opts: ContactDirectoryOptions) {
    this.client = opts.client;
    this.ttlMs = opts.ttlMs ?? 300_000;
    this.negativeTtlMs = opts.negativeTtlMs ?? 60_000;
    this.errorTtlMs = opts.errorTtlMs ?? 5_000;
    this.verifyPhones = opts.verifyPhones ?? true;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
    this.observeFn = opts.observe;
    this.secondLevel = opts.secondLevel;
    // Bounded by maxSize (one unit per entry), not `max`: lru-cache preallocates `max` slots (~800 KB for 50 000),
    // which every tenant would pay while idle (contract §8.6).
    this.cache = new LRUCache<string, Entry>({
      maxSize: Math.max(1, opts.maxEntries ?? 50_000),
      sizeCalculation: () => 1,
    });
    this.limiter = new Limiter(Math.max(1, opts.maxConcurrency ?? 16), opts.maxQueued ?? 10_000);
  }

  /** Entries in the in-process cache (expired ones included until touched). */
  get size(): number {
    return this.cache.size;
  }

  /** CRM requests running now. */
  get crmInFlight(): number {
    return this.limiter.running;
  }

  /** The result of a call with no number to look up (noLookupResult: 'disabled' without a CRM, else 'not_found'). */
  withoutNumber(): LookupResult {
    return noLookupResult(this.client !== null);
  }

  lookup(rawNumber: string): Promise<LookupResult> {
    const phone = this.client ? normalizePhone(rawNumber) : null;
    if (!this.client || !phone) return this.done(this.withoutNumber(), 'miss');
    const key = phone.national;

    const cached = this.fromCache(key);
    if (cached) return this.done(cached, 'hit');

    const joined = this.inflight.get(key);
    if (joined) return joined.then(({ result }) => this.done(result, 'joined'));

    const flight = this.load(this.client, key, phone);
    this.inflight.set(key, flight);
    return flight.then(({ result, from }) => {
      if (this.inflight.get(key) === flight) this.inflight.delete(key);
      return this.done(result, from === 'l2' ? 'hit' : 'miss');
    });
  }

  /**
   * The CRM now has this contact for this number (the write-back created a lead): cache it as found, here and in
   * the shared level, so the next call from the number pops it at once (instead of a cached "no record").
   * Ignored for a number that is not a phone number or when the CRM is disabled.
   */
  learn(rawNumber: string, contact: Contact): void {
    const phone = this.client ? normalizePhone(rawNumber) : null;
    if (!phone) return;
    const result: LookupResult = { status: 'found', contact };
    this.store(phone.national, result, this.ttlMs);
    this.writeSecondLevel(phone.national, result, this.ttlMs);
  }

  /** Forget what is cached for a number (e.g. the CRM record changed). */
  invalidate(rawNumber: string): void {
    const phone = normalizePhone(rawNumber);
    if (phone) this.cache.delete(phone.national);
  }

  clear(): void {
    this.cache.clear();
  }

  private done(result: LookupResult, cache: LookupObservation['cache']): Promise<LookupResult> {
    if (this.observeFn) {
      try {
        this.observeFn({ result: result.status, cache });
      } catch (err) {
        this.logger.warn({ err }, 'contact lookup observer failed');
      }
    }
    return Promise.resolve(result);
  }

  private fromCache(key: string): LookupResult | undefined {
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    if (this.clock.now() >= entry.expiresAt) {
      this.cache.delete(key);
      return undefined;
    }
    return entry.result;
  }

  private store(key: string, result: LookupResult, ttlMs: number): void {
    if (ttlMs > 0) this.cache.set(key, { result, expiresAt: this.clock.now() + ttlMs });
  }

  private ttlFor(result: LookupResult): number {
    if (result.status === 'found' || result.status === 'multiple') return this.ttlMs;
    if (result.status === 'not_found') return this.negativeTtlMs;
    return this.errorTtlMs;
  }

  private async load(
    client: ContactSource,
    key: string,
    phone: NormalizedPhone,
  ): Promise<{ result: LookupResult; from: 'l2' | 'crm' }> {
    try {
      const shared = await this.readSecondLevel(key);
      if (shared) {
        this.store(key, shared, this.ttlFor(shared));
        return { result: shared, from: 'l2' };
      }
      const forms = lookupForms(phone);
      const answers = await Promise.allSettled(forms.map((form) => this.limiter.run(() => client.findByPhone(form))));
      const result = this.merge(forms, answers);
      const partial = answers.some((a) => a.status === 'rejected');
      const ttl = partial ? this.errorTtlMs : this.ttlFor(result);
      this.store(key, result, ttl);
      if (!partial && result.status !== 'error') this.writeSecondLevel(key, result, ttl);
      return { result, from: 'crm' };
    } catch (err) {
      // Not expected (merge and the cache do not throw); never let a lookup reject.
      this.logger.error({ err }, 'contact lookup failed unexpectedly');
      return { result: ERROR, from: 'crm' };
    }
  }

  private merge(forms: string[], answers: PromiseSettledResult<Contact[]>[]): LookupResult {
    const contacts: Contact[] = [];
    const seen = new Set<string>();
    let failed = 0;
    let mismatched = 0;
    for (const answer of answers) {
      if (answer.status === 'rejected') {
        failed++;
        this.logger.warn({ err: errFields(answer.reason) }, 'AntCRM lookup failed');
        continue;
      }
      for (const c of Array.isArray(answer.value) ? answer.value : []) {
        if (!c || typeof c !== 'object' || typeof c.id !== 'string' || !c.id) continue;
        if (this.verifyPhones && !hasPhone(c, forms)) {
          mismatched++;
          continue;
        }
        const id = `${c.type}:${c.id}`;
        if (seen.has(id)) continue;
        seen.add(id);
        contacts.push(c);
      }
    }
    if (mismatched) this.logger.warn({ mismatched }, 'AntCRM returned contacts without the number asked for: ignored');
    if (contacts.length === 0) return failed ? ERROR : NOT_FOUND;
    if (contacts.length === 1) return { status: 'found', contact: contacts[0] };
    return { status: 'multiple', contact: contacts[0], candidates: contacts };
  }

  private async readSecondLevel(key: string): Promise<LookupResult | undefined> {
    if (!this.secondLevel) return undefined;
    try {
      const v = await this.secondLevel.get(key);
      return isLookupResult(v) ? v : undefined;
    } catch (err) {
      this.logger.warn({ err }, 'shared contact cache read failed');
      return undefined;
    }
  }

  private writeSecondLevel(key: string, result: LookupResult, ttlMs: number): void {
    if (!this.secondLevel || ttlMs <= 0) return;
    let p: Promise<void>;
    try {
      p = this.secondLevel.set(key, result, ttlMs);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.catch((err: unknown) => this.logger.warn({ err }, 'shared contact cache write failed'));
  }
}

/** A record with no phones listed is kept (the CRM matched it on something we cannot see). */
function hasPhone(c: Contact, forms: string[]): boolean {
  if (!Array.isArray(c.phones) || c.phones.length === 0) return true;
  const tails = forms.map((f) => f.slice(1));
  return c.phones.some((p) => {
    const digits = typeof p === 'string' ? p.replace(/[^0-9]/g, '') : '';
    return tails.some((t) => digits.includes(t));
  });
}

/** Name, status and message of a failure (the AntCRM client's messages carry no secret). */
function errFields(reason: unknown): { name?: string; status?: number; message?: string } {
  if (!reason || typeof reason !== 'object') return { message: String(reason) };
  const e = reason as { name?: unknown; status?: unknown; message?: unknown };
  return {
    name: typeof e.name === 'string' ? e.name : undefined,
    status: typeof e.status === 'number' ? e.status : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
  };
}

function isLookupResult(v: unknown): v is LookupResult {
  if (!v || typeof v !== 'object') return false;
  const r = v as Partial<LookupResult>;
  return (
    isLookupStatus(r.status) &&
    r.status !== 'error' &&
    (r.contact === null || (typeof r.contact === 'object' && r.contact !== undefined))
  );
}
