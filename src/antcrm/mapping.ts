// AntCRM `GET /contacts` records → Contact (pure, defensive: a record that cannot be a contact is skipped).
import type { Contact } from '../contract.js';

/** The answer body: an array of records, or `{ data: [...] }`; null/`{ data: null }` = none. Undefined = not a list. */
export function recordsOf(body: unknown): unknown[] | undefined {
  if (body === null) return [];
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && 'data' in body) {
    const data = (body as { data: unknown }).data;
    if (data === null || data === undefined) return [];
    if (Array.isArray(data)) return data;
  }
  return undefined;
}

/** One record → Contact, or undefined when it has neither a leadId nor a customerId. */
export function toContact(record: unknown): Contact | undefined {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const r = record as Record<string, unknown>;
  const contactType = str(r.contactType)?.toLowerCase();
  const type: Contact['type'] =
    contactType === 'lead' ? 'lead' : r.type === 1 || str(r.type) === '1' ? 'account' : 'customer';
  const leadId = str(r.leadId);
  const customerId = str(r.customerId);
  const id = type === 'lead' ? (leadId ?? customerId) : (customerId ?? leadId);
  if (!id) return undefined;

  const contact: Contact = {
    source: 'antcrm',
    type,
    id,
    name: str(r.name) ?? '',
    phones: strings(r.phones, ['phone', 'number', 'value']),
    emails: strings(r.emails, ['email', 'value']),
    tags: strings(r.tags, ['name', 'value']),
  };
  const stage = str(r.stage);
  if (stage) contact.stage = stage;
  const staff = str(r.responsibleStaff) ?? nested(r.responsibleStaff, ['name', 'username', 'email']);
  if (staff) contact.responsibleStaff = staff;
  const rank = str(r.rankName) ?? (r.scoreRank != null ? str(r.scoreRank) : undefined);
  if (rank) contact.rank = rank;
  return contact;
}

/** A non-empty trimmed string (finite numbers become strings), else undefined. */
function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t ? t : undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function nested(v: unknown, keys: string[]): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  for (const k of keys) {
    const s = str((v as Record<string, unknown>)[k]);
    if (s) return s;
  }
  return undefined;
}

/** A string array from an array of strings/numbers/objects (`{ phone: … }`), a single string, or nothing. */
function strings(v: unknown, objectKeys: string[]): string[] {
  const items = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: string[] = [];
  for (const item of items) {
    const s = str(item) ?? nested(item, objectKeys);
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}
