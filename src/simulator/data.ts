// The simulator's seed: one AntRing org (account, realm, DID), its agents with SIP devices, its queues, and the
// AntCRM contacts of its customers. Helpers let tests pick caller numbers by kind (known, legacy, multiple, unknown).
import { createHash } from 'node:crypto';
import { LEGACY_MOBILE_PREFIXES } from '../shared/phone.js';
import { type CrmRecord, crmRecords, UNKNOWN_NUMBERS } from './data-contacts.js';

export type { CrmRecord } from './data-contacts.js';
export { UNKNOWN_NUMBERS } from './data-contacts.js';

export interface SimDevice {
  /** Kazoo device id (`Authorizing-ID` on the device's legs). */
  id: string;
  sipUser: string;
  sipPassword: string;
  /** Registered (click-to-call works) and logged in (answers queue calls). Mutable: faults switch it. */
  online: boolean;
}

export interface SimAgent {
  /** `anttel.userId`: 32 lowercase hex, = `Custom-Channel-Vars.Owner-ID` on the agent's legs. */
  userId: string;
  username: string;
  name: string;
  ext: string[];
  device: SimDevice;
}

export interface SimQueue {
  id: string;
  name: string;
  /** Member userIds. */
  agents: string[];
}

export interface SimOrg {
  accountId: string;
  name: string;
  realm: string;
  domain: string;
  email: string;
  did: string;
}

export interface SimData {
  org: SimOrg;
  agents: SimAgent[];
  queues: SimQueue[];
  contacts: CrmRecord[];
  /** Caller numbers (as the PBX shows them) matching a filter; see NumberFilter. */
  customerNumbers(filter?: NumberFilter): string[];
  /** The records a correct lookup of this caller number finds (any stored form). */
  expectedContacts(number: string): CrmRecord[];
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export const DEFAULT_ACCOUNT_ID = md5('antring-sim:account:acme');
export const DID = '02873019555';
export const REALM = 'acme.antring.vn';

const AGENTS: [string, string, string[], boolean][] = [
  ['lan.nguyen', 'Nguyễn Thị Lan', ['8001'], true],
  ['minh.tran', 'Trần Văn Minh', ['8002'], true],
  ['huong.le', 'Lê Thu Hương', ['8003'], true],
  ['tuan.pham', 'Phạm Anh Tuấn', ['8004'], true],
  ['thao.vo', 'Võ Phương Thảo', ['8005', '8105'], true],
  ['duc.hoang', 'Hoàng Minh Đức', ['8006'], false],
];

/** A fresh, mutable seed (device online flags change under faults and scenarios). */
export function createSeed(opts: { accountId?: string } = {}): SimData {
  const agents: SimAgent[] = AGENTS.map(([username, name, ext, online]) => ({
    userId: md5(`antring-sim:user:${username}`),
    username,
    name,
    ext: [...ext],
    device: {
      id: md5(`antring-sim:device:${username}`),
      sipUser: `user_${username.replace('.', '')}${ext[0]}`,
      sipPassword: `sip-${md5(`antring-sim:sip:${username}`).slice(0, 12)}`,
      online,
    },
  }));
  const contacts = crmRecords();
  const ids = (names: string[]) => names.map((n) => agents.find((a) => a.username === n)!.userId);
  return {
    org: {
      accountId: opts.accountId ?? DEFAULT_ACCOUNT_ID,
      name: 'Công ty TNHH Acme Việt Nam',
      realm: REALM,
      domain: REALM,
      email: 'admin@acme.vn',
      did: DID,
    },
    agents,
    queues: [
      {
        id: md5('antring-sim:queue:cskh'),
        name: 'Chăm sóc khách hàng',
        agents: ids(['lan.nguyen', 'minh.tran', 'huong.le', 'tuan.pham']),
      },
      {
        id: md5('antring-sim:queue:sales'),
        name: 'Kinh doanh',
        agents: ids(['huong.le', 'thao.vo', 'duc.hoang', 'tuan.pham']),
      },
    ],
    contacts,
    customerNumbers: (f) => customerNumbers(f, contacts),
    expectedContacts: (n) => expectedContacts(n, contacts),
  };
}

// Vietnam's 2018 move of 11-digit mobile prefixes to 10 digits: one table (src/shared/phone.ts), for the bridge
// and for the simulated AntCRM that keeps some contacts under their old numbers.
export { LEGACY_MOBILE_PREFIXES };

/** Digits only, as AntCRM compares them (spaces, dots and dashes removed). */
export const stripPhone = (s: string): string => s.replace(/[\s.-]/g, '');

/** The 10-digit form of a stored phone (legacy 11-digit mobiles converted; anything else unchanged). */
export function modernForm(phone: string): string {
  const p = stripPhone(phone);
  if (p.length !== 11) return p;
  const to = LEGACY_MOBILE_PREFIXES[p.slice(0, 4)];
  return to ? to + p.slice(4) : p;
}

/** The 11-digit form of a new mobile number, when it had one before 2018. */
export function legacyForm(phone: string): string | undefined {
  const p = stripPhone(phone);
  if (p.length !== 10) return undefined;
  for (const [from, to] of Object.entries(LEGACY_MOBILE_PREFIXES)) if (p.startsWith(to)) return from + p.slice(3);
  return undefined;
}

export interface CallerProfile {
  /** As a caller ID shows it (10-digit form for mobiles). */
  number: string;
  /** Records that hold this number in any stored form (what a correct lookup finds). */
  records: CrmRecord[];
  /** At least one record stores it in the old 11-digit form. */
  legacy: boolean;
}

/** Every caller number of the seed, known and unknown. */
export function callerProfiles(contacts: CrmRecord[] = crmRecords()): CallerProfile[] {
  const byNumber = new Map<string, CallerProfile>();
  for (const r of contacts) {
    for (const stored of r.phones) {
      const number = modernForm(stored);
      const p = byNumber.get(number) ?? { number, records: [], legacy: false };
      if (!p.records.includes(r)) p.records.push(r);
      if (stripPhone(stored) !== number) p.legacy = true;
      byNumber.set(number, p);
    }
  }
  for (const number of UNKNOWN_NUMBERS) byNumber.set(number, { number, records: [], legacy: false });
  return [...byNumber.values()];
}

export interface NumberFilter {
  /** true: at least one record; false: no record at all. */
  withContact?: boolean;
  /** true: a record stores it in the legacy 11-digit form (lookups must ask that form too). */
  legacy?: boolean;
  /** true: two or more records match. */
  multiple?: boolean;
  /** Mobile numbers only (landlines start with 02). */
  mobile?: boolean;
}

/** Caller numbers (as the PBX shows them) matching a filter. */
export function customerNumbers(f: NumberFilter = {}, contacts?: CrmRecord[]): string[] {
  return callerProfiles(contacts)
    .filter((p) => f.withContact === undefined || p.records.length > 0 === f.withContact)
    .filter((p) => f.legacy === undefined || p.legacy === f.legacy)
    .filter((p) => f.multiple === undefined || p.records.length > 1 === f.multiple)
    .filter((p) => f.mobile === undefined || !p.number.startsWith('02') === f.mobile)
    .map((p) => p.number);
}

/** The records a correct lookup of this caller number finds (new and legacy forms, formatting ignored). */
export function expectedContacts(number: string, contacts?: CrmRecord[]): CrmRecord[] {
  const n = modernForm(number);
  return callerProfiles(contacts).find((p) => p.number === n)?.records ?? [];
}

export function agentByUsername(data: SimData, username: string): SimAgent | undefined {
  return data.agents.find((a) => a.username === username);
}

export function queuesOfAgent(data: SimData, userId: string): SimQueue[] {
  return data.queues.filter((q) => q.agents.includes(userId));
}
