// Parsers of AntBot's generic answers: the get-token answer, a DRF list page, a do-not-call entry.
import type { AuthToken } from '../antring/token-source.js';

/** Tokens that say nothing of their lifetime are assumed to live this long. */
export const DEFAULT_TOKEN_LIFETIME_MS = 3_600_000;

/** One DNC entry as AntBot lists it (`dnc` is the id of its DNC list). */
export interface DncContact {
  id?: number | string;
  phone_number: string;
  dnc?: number | string;
}

/** `{ token }` (DRF authtoken), `{ access }` (SimpleJWT), `{ access_token, expires_in }` (OAuth2); default lifetime 1 h. */
export function parseToken(body: unknown, now: number): AuthToken | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  const value = [o.access_token, o.access, o.token].find((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (!value) return undefined;
  const raw = o.expires_in;
  const sec =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  const lifetimeMs =
    Number.isFinite(sec) && sec > 0 ? Math.min(sec * 1000, 30 * 86_400_000) : DEFAULT_TOKEN_LIFETIME_MS;
  return { value: value.trim(), expiresAt: now + lifetimeMs };
}

/** A DRF page `{ count, next, previous, results }`, or a bare array (pagination off). */
export function parseList(body: unknown): { results: unknown[]; next?: string } | undefined {
  if (Array.isArray(body)) return { results: body };
  if (typeof body !== 'object' || body === null) return undefined;
  const o = body as Record<string, unknown>;
  if (!Array.isArray(o.results)) return undefined;
  return { results: o.results, next: typeof o.next === 'string' && o.next !== '' ? o.next : undefined };
}

export function parseDncContact(item: unknown): DncContact | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const o = item as Record<string, unknown>;
  const p = o.phone_number;
  const phone = typeof p === 'string' ? p.trim() : typeof p === 'number' && Number.isSafeInteger(p) ? String(p) : '';
  if (!phone || phone.length > 64) return undefined;
  const c: DncContact = { phone_number: phone };
  if (typeof o.id === 'number' || typeof o.id === 'string') c.id = o.id;
  if (typeof o.dnc === 'number' || typeof o.dnc === 'string') c.dnc = o.dnc;
  return c;
}
