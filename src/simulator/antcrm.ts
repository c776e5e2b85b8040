// The simulated AntCRM (mounted at /crm): GET /contacts with the `apikey` header. Phones match exactly on the
// stored strings with spaces, dots and dashes removed: no legacy-prefix conversion, no +84 handling, so the
// bridge has to ask for every form it wants. Counts requests per phone; delay and failure switches.
// Writes (the seed's "Add customers", "Add tickets", "Edit tickets"): POST /contacts adds a record to the same list
// (so the next lookup finds it), POST/PUT /tickets keep tickets (GET /tickets lists them); their own fault switches.
import { type Request, type Response, Router } from 'express';
import { findContacts, str } from './antcrm-query.js';
import { type CrmTicket, type CrmWriteFaults, type CrmWriteStats, writeRoutes } from './antcrm-writes.js';
import type { CrmRecord } from './data.js';
import { sleep } from './delay.js';
import type { CrmFaults } from './faults.js';

export { findContacts } from './antcrm-query.js';
export { type CrmTicket, type CrmWriteFaults, type CrmWriteStats, healthyWriteFaults } from './antcrm-writes.js';

export interface AntCrmOptions {
  contacts: CrmRecord[];
  apiKey: string;
  faults: CrmFaults;
  random?: () => number;
  /** Switches for the write routes (a fresh healthy set when omitted; the same object is `writeFaults`). */
  writeFaults?: CrmWriteFaults;
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
  writeFaults: CrmWriteFaults;
  writeStats(): CrmWriteStats;
  /** Every ticket written, oldest first (copies). */
  tickets(): CrmTicket[];
  /** Records added by POST /contacts, oldest first. */
  added(): CrmRecord[];
}

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
    if (q.phone !== undefined && typeof q.phone !== 'string')
      return void res.status(400).json({ message: 'phone must be one string' });
    if (o.faults.fail || (o.faults.failRate > 0 && random() < o.faults.failRate)) {
      counts.failed++;
      return void res.status(500).json({ message: 'Internal Server Error' });
    }
    res.json(findContacts(o.contacts, q));
  });

  const w = writeRoutes(router, o);
  return {
    router,
    crmRequests: (phone) => (phone === undefined ? counts.total : (counts.byPhone[phone] ?? 0)),
    stats: () => ({ ...counts, byPhone: { ...counts.byPhone } }),
    resetCounts: () => {
      counts = { total: 0, unauthorized: 0, failed: 0, byPhone: {} };
      w.resetCounts();
    },
    ...w.api,
  };
}
