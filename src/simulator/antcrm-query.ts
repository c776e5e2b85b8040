// AntCRM's read side as the simulator answers it: GET /contacts and GET /tickets filters and paging (limit ≤ 20).
import { type CrmRecord, stripPhone } from './data.js';

const MAX_PAGE_SIZE = 20;

/** A non-empty string query value, else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The `page` (from 1) of `limit` items (at most MAX_PAGE_SIZE) the query asks for. */
export function pageOf<T>(found: T[], q: Record<string, unknown>): T[] {
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(str(q.limit) ?? MAX_PAGE_SIZE) || MAX_PAGE_SIZE));
  const page = Math.max(1, Math.floor(Number(str(q.page) ?? 1)) || 1);
  return found.slice((page - 1) * limit, page * limit);
}

/** The filters AntCRM's GET /contacts takes: phone, email, contactType, type, customerId, leadId, page, limit (≤ 20). */
export function findContacts(contacts: CrmRecord[], q: Record<string, unknown>): CrmRecord[] {
  const phone = str(q.phone);
  const email = str(q.email)?.toLowerCase();
  const contactType = str(q.contactType);
  const type = str(q.type);
  const customerId = str(q.customerId);
  const leadId = str(q.leadId);
  const wanted = phone === undefined ? undefined : stripPhone(phone);
  const found = contacts.filter(
    (r) =>
      (wanted === undefined || r.phones.some((p) => stripPhone(p) === wanted)) &&
      (email === undefined || r.emails.some((e) => e.toLowerCase() === email)) &&
      (contactType === undefined || r.contactType === contactType) &&
      (type === undefined || r.type === type) &&
      (customerId === undefined || r.customerId === customerId) &&
      (leadId === undefined || r.leadId === leadId),
  );
  return pageOf(found, q);
}
