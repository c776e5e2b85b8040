// The simulated AntCRM (mounted at /crm): GET /contacts with the `apikey` header. Phones match exactly on the
// stored strings with spaces, dots and dashes removed: no legacy-prefix conversion, no +84 handling, so the
// bridge has to ask for every form it wants. Counts requests per phone; delay and failure switches.
import { Router, type Request, type Response } from 'express';
import { stripPhone, type CrmRecord } from './data.js';
import type { CrmFaults } from './faults.js';

export interface AntCrmOptions {
  contacts: CrmRecord[];
  apiKey: string;
  faults: CrmFaults;
  random?: () => number;
}

export interface AntCrmStats {
  total: number;
  unauthorized: number;
  failed: number;
  /** Requests per `phone` value, as sent. */
  byPhone: Record<string, number>;
}

export interface AntCrm {
  router: Router;
  /** Requests for this phone (as sent), or all /contacts requests when omitted. */
  crmRequests(phone?: string): number;
  stats(): AntCrmStats;
  /** Forget the counters (between test cases). */
  resetCounts(): void;
}

const MAX_PAGE_SIZE = 20;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export function antcrm(o: AntCrmOptions): AntCrm {
  const random = o.random ?? Math.random;
  let counts: AntCrmStats = { total: 0, unauthorized: 0, failed: 0, byPhone: {} };
  const router = Router();

  router.get('/contacts', async (req: Request, res: Response) => {
    const q = req.query as Record<string, unknown>;
    const phone = str(q.phone);
    counts.total++;
    if (phone !== undefined) counts.byPhone[phone] = (counts.byPhone[phone] ?? 0) + 1;
    if (o.faults.delayMs > 0) await sleep(o.faults.delayMs);
    if (req.get('apikey') !== o.apiKey) {
      counts.unauthorized++;
      return void res.status(401).json({ message: 'Unauthorized' });
    }
    if (q.phone !== undefined && typeof q.phone !== 'string') return void res.status(400).json({ message: 'phone must be one string' });
    if (o.faults.fail || (o.faults.failRate > 0 && random() < o.faults.failRate)) {
      counts.failed++;
      return void res.status(500).json({ message: 'Internal Server Error' });
    }
    res.json(findContacts(o.contacts, q));
  });

  return {
    router,
    crmRequests: (phone) => (phone === undefined ? counts.total : (counts.byPhone[phone] ?? 0)),
    stats: () => ({ ...counts, byPhone: { ...counts.byPhone } }),
    resetCounts: () => void (counts = { total: 0, unauthorized: 0, failed: 0, byPhone: {} }),
  };
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
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(str(q.limit) ?? MAX_PAGE_SIZE) || MAX_PAGE_SIZE));
  const page = Math.max(1, Math.floor(Number(str(q.page) ?? 1)) || 1);
  return found.slice((page - 1) * limit, page * limit);
}
