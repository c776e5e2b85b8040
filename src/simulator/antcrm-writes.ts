// The simulated AntCRM's writes (the seed's "Add customers", "Add tickets", "Edit tickets"): POST /contacts adds a
// record to the contact list (so the next lookup finds it), POST/PUT /tickets keep tickets (GET /tickets lists
// them); their own fault switches (CrmWriteFaults), read on every request.
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AntCrmOptions } from './antcrm.js';
import { pageOf, str } from './antcrm-query.js';
import type { CrmRecord } from './data.js';
import { sleep } from './delay.js';

/** Fault switches of POST /contacts, POST /tickets and PUT /tickets, read on every request. */
export interface CrmWriteFaults {
  /** Answer after this long. */
  delayMs: number;
  /** Destroy the connection without an answer (AntCRM unreachable). */
  down: boolean;
  /** Answer this status instead of writing (e.g. 500, 503, 400). */
  failStatus: number | null;
  /** The next N writes answer 500 (counts down). */
  failNext: number;
  /** Write, then destroy the connection without an answer (the "answer lost" window of §7.2). */
  loseAnswer: boolean;
}

/** A ticket as GET /tickets returns it (the seed's shape). */
export interface CrmTicket {
  TicketId: number;
  ticketIdApiRing: string;
  title: string;
  summary: string;
  priority: string;
  SLA: string;
  status: string;
  assignedTo: string;
  group: string;
  category: string;
  resolutionTypeOb: string;
  contact: Record<string, unknown>;
  deal: Record<string, unknown>;
  files: unknown[];
  cusFields: unknown[];
  createdAt: string;
  updatedAt: string;
}

export interface CrmWriteStats {
  /** Write requests (all outcomes). */
  total: number;
  unauthorized: number;
  failed: number;
  rejected: number;
}

export const healthyWriteFaults = (): CrmWriteFaults => ({
  delayMs: 0,
  down: false,
  failStatus: null,
  failNext: 0,
  loseAnswer: false,
});

const hex24 = (): string => randomBytes(12).toString('hex');
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const strOr = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);
const phonesOf = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.flatMap((p) =>
        isObj(p) && typeof p.value === 'string' && p.value !== '' ? [p.value] : typeof p === 'string' && p ? [p] : [],
      )
    : [];
export function writeRoutes(router: Router, o: AntCrmOptions) {
  const faults = o.writeFaults ?? healthyWriteFaults();
  const tickets: CrmTicket[] = [];
  const added: CrmRecord[] = [];
  let nextTicketId = 9457;
  let stats: CrmWriteStats = { total: 0, unauthorized: 0, failed: 0, rejected: 0 };
  const json = express.json({ limit: '256kb' });

  /** Faults and the api key; true when the request may go on. */
  const gate = async (req: Request, res: Response): Promise<boolean> => {
    stats.total++;
    if (faults.delayMs > 0) await sleep(faults.delayMs);
    if (faults.down) {
      stats.failed++;
      req.socket.destroy();
      return false;
    }
    if (req.get('apikey') !== o.apiKey) {
      stats.unauthorized++;
      res.status(401).json({ message: 'Unauthorized' });
      return false;
    }
    if (faults.failNext > 0 || faults.failStatus !== null) {
      const status = faults.failNext > 0 ? 500 : (faults.failStatus as number);
      if (faults.failNext > 0) faults.failNext--;
      stats.failed++;
      res.status(status).json({ message: 'Internal Server Error' });
      return false;
    }
    if (!isObj(req.body)) return reject(res, 'body must be a JSON object');
    return true;
  };
  const reject = (res: Response, message: string, status = 400): false => {
    stats.rejected++;
    res.status(status).json({ success: 0, message });
    return false;
  };
  const answer = (req: Request, res: Response, body: object): void => {
    if (faults.loseAnswer) return void req.socket.destroy();
    res.json(body);
  };

  router.post('/contacts', json, async (req, res) => {
    if (!(await gate(req, res))) return;
    const b = req.body as Record<string, unknown>;
    if (typeof b.name !== 'string' || b.name.trim() === '') return void reject(res, 'name is required');
    if (typeof b.customerIdApiRing !== 'string' || b.customerIdApiRing === '')
      return void reject(res, 'customerIdApiRing is required');
    const contactType = b.contactType === 'customer' ? 'customer' : 'lead';
    const id = hex24();
    const now = new Date().toISOString();
    const rec: CrmRecord = {
      name: b.name.trim(),
      contactType,
      type: contactType === 'lead' ? '' : b.type === '1' ? '1' : '0',
      leadId: contactType === 'lead' ? id : '',
      customerId: contactType === 'customer' ? id : '',
      dateOfBirth: strOr(b.dateOfBirth, ''),
      gender: strOr(b.gender, '2'),
      addresses: [],
      phones: phonesOf(b.phones),
      emails: phonesOf(b.emails),
      industry: strOr(b.industry, ''),
      bgInfo: strOr(b.bgInfo, ''),
      stage: strOr(b.stage, ''),
      tags: Array.isArray(b.tags) ? b.tags.filter((t): t is string => typeof t === 'string') : [],
      sourceContact: strOr(b.sourceContact, ''),
      responsibleStaff: strOr(b.responsibleStaff, ''),
      cusFields: [],
      scoreAvailable: 0,
      scoreRank: 0,
      rankName: '',
      createdAt: now,
      updatedAt: now,
    };
    (rec as CrmRecord & { customerIdApiRing?: string }).customerIdApiRing = b.customerIdApiRing;
    o.contacts.push(rec);
    added.push(rec);
    answer(req, res, contactType === 'lead' ? { success: 1, leadId: id } : { success: 1, customerId: id });
  });

  router.post('/tickets', json, async (req, res) => {
    if (!(await gate(req, res))) return;
    const b = req.body as Record<string, unknown>;
    if (typeof b.title !== 'string' || b.title.trim() === '') return void reject(res, 'title is required');
    if (typeof b.SLA !== 'string') return void reject(res, 'SLA is required');
    const c = b.contact;
    if (!isObj(c) || !((typeof c.id === 'string' && c.id !== '') || (typeof c.name === 'string' && c.name !== ''))) {
      return void reject(res, 'contact { id } or { name } is required');
    }
    const now = new Date().toISOString();
    const t: CrmTicket = {
      TicketId: nextTicketId++,
      ticketIdApiRing: strOr(b.ticketIdApiRing, ''),
      title: b.title,
      summary: strOr(b.summary, ''),
      priority: strOr(b.priority, 'Medium'),
      SLA: b.SLA,
      status: strOr(b.status, 'New'),
      assignedTo: '',
      group: strOr(b.group, ''),
      category: strOr(b.category, ''),
      resolutionTypeOb: strOr(b.resolutionTypeOb, ''),
      contact: { ...c },
      deal: isObj(b.deal) ? b.deal : {},
      files: [],
      cusFields: Array.isArray(b.cusFields) ? b.cusFields : [],
      createdAt: now,
      updatedAt: now,
    };
    tickets.push(t);
    answer(req, res, { success: 1, TicketId: t.TicketId });
  });

  router.put('/tickets', json, async (req, res) => {
    if (!(await gate(req, res))) return;
    const b = req.body as Record<string, unknown>;
    const id = Number(b.TicketId);
    const t = tickets.find((x) => x.TicketId === id);
    if (!t) return void reject(res, 'ticket not found', 404);
    for (const k of ['title', 'summary', 'priority', 'SLA', 'status', 'category', 'resolutionTypeOb'] as const) {
      if (typeof b[k] === 'string') t[k] = b[k] as string;
    }
    if (Array.isArray(b.cusFields)) t.cusFields = b.cusFields;
    t.updatedAt = new Date().toISOString();
    answer(req, res, { success: 1, number: t.TicketId });
  });

  router.get('/tickets', (req, res) => {
    if (req.get('apikey') !== o.apiKey) return void res.status(401).json({ message: 'Unauthorized' });
    const q = req.query as Record<string, unknown>;
    const id = str(q.TicketId);
    const found = id === undefined ? tickets : tickets.filter((t) => String(t.TicketId) === id);
    res.json(pageOf(found, q));
  });

  // A body that is not JSON: AntCRM answers 400 (express.json's error lands here).
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err && typeof err === 'object' && (err as { type?: unknown }).type === 'entity.parse.failed')
      return void reject(res, 'body is not JSON');
    next(err);
  });

  return {
    resetCounts: () => void (stats = { total: 0, unauthorized: 0, failed: 0, rejected: 0 }),
    api: {
      writeFaults: faults,
      writeStats: () => ({ ...stats }),
      tickets: () => tickets.map((t) => ({ ...t, contact: { ...t.contact } })),
      added: () => [...added],
    },
  };
}
