// What the write-back writes, decided from a call's admin (`call` audience) update (pure): which calls are missed
// customer calls (a ticket), which callers are unknown (a lead), and the AntCRM payloads (bridge-contract §7.2).

import type { CrmPhone, LeadInput, TicketInput } from '../antcrm/writer.js';
import type { Contact } from '../contract.js';
import type { PipelineUpdate } from '../runtime/update.js';
import { normalizePhone } from '../shared/phone.js';

/** The enriched update the write-back reads (the pipeline's, without the cluster id). */
export type CallFacts = Omit<PipelineUpdate, 'clusterUpdateId'>;

export interface TicketOptions {
  /** ANTCRM_TICKET_SLA ('' unless set). */
  sla: string;
  /** Agents the call rang (usernames, or names when known), in the order they were rung. */
  agentsRung: readonly string[];
  /** For the summary's local time. Default Asia/Ho_Chi_Minh. */
  timeZone?: string;
}

/** The customer's normalised (national) number of an external call, or undefined. */
export function customerNumberOf(u: Pick<CallFacts, 'customerNumber' | 'direction'>): string | undefined {
  if (u.direction === 'internal' || !u.customerNumber) return undefined;
  return normalizePhone(u.customerNumber)?.national;
}

/** An inbound customer call that ended missed or abandoned: it gets a ticket. */
export function isMissedCustomerCall(u: CallFacts): boolean {
  return (
    u.audience.kind === 'call' &&
    u.state === 'ended' &&
    u.direction === 'inbound' &&
    (u.outcome === 'missed' || u.outcome === 'abandoned') &&
    !u.mergedInto &&
    u.customerNumber !== undefined
  );
}

/** An inbound call from a number the CRM definitely does not know (never when the lookup failed or is pending). */
export function isUnknownCaller(u: CallFacts): boolean {
  return (
    u.audience.kind === 'call' &&
    u.direction === 'inbound' &&
    u.contactStatus === 'not_found' &&
    customerNumberOf(u) !== undefined
  );
}

/** An inbound call from a number whose lookup had not answered at the end: its delivery decides (crm-handlers.ts). */
export function mayBeUnknownCaller(u: CallFacts): boolean {
  return (
    u.audience.kind === 'call' &&
    u.direction === 'inbound' &&
    u.contactStatus === 'pending' &&
    customerNumberOf(u) !== undefined
  );
}

/** `0934 890 883`, `028 7301 9555`: the national number in groups, as people write it; anything else as given. */
export function displayNumber(n: string): string {
  const d = normalizePhone(n)?.national;
  if (!d) return n;
  if (d.length === 10) return `${d.slice(0, 4)} ${d.slice(4, 7)} ${d.slice(7)}`;
  if (d.length === 11) return `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`;
  return d;
}

function phoneOf(national: string): CrmPhone {
  return { type: national.startsWith('02') ? 'work' : 'mobile', value: national };
}

/** The customer's party of the call (the caller inbound, the callee outbound). */
function customerOf(u: CallFacts): { number: string; name?: string } {
  return u.direction === 'outbound' ? u.to : u.from;
}

function localTime(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return `${d.toLocaleString('vi-VN', { timeZone, hour12: false })} (${iso})`;
  } catch {
    return iso;
  }
}

function secondsBetween(from: string, to: string | undefined): number | undefined {
  if (!to) return undefined;
  const s = Math.round((Date.parse(to) - Date.parse(from)) / 1000);
  return Number.isFinite(s) && s >= 0 ? s : undefined;
}

/** The ticket title: `[Phone] Cuộc gọi nhỡ từ 0934 890 883` for a missed call. */
export function ticketTitle(u: CallFacts): string {
  const who = displayNumber(customerOf(u).number);
  if (u.outcome === 'abandoned') return `[Phone] Cuộc gọi nhỡ từ ${who} (khách gác máy khi chờ)`;
  if (u.outcome === 'missed') return `[Phone] Cuộc gọi nhỡ từ ${who}`;
  return u.direction === 'outbound' ? `[Phone] Cuộc gọi đến ${who}` : `[Phone] Cuộc gọi từ ${who}`;
}

/** The summary: DID, queue, time, waiting seconds, agents rung (and the answering agent, talk time when answered). */
export function ticketSummary(u: CallFacts, o: TicketOptions): string {
  const lines = [`Cuộc gọi ${u.callId}`];
  if (u.did) lines.push(`DID: ${u.did}`);
  if (u.queue) lines.push(`Hàng đợi: ${u.queue.name ? `${u.queue.name} (${u.queue.id})` : u.queue.id}`);
  lines.push(`Thời gian: ${localTime(u.startedAt, o.timeZone ?? 'Asia/Ho_Chi_Minh')}`);
  const waited = secondsBetween(u.startedAt, u.answeredAt ?? u.endedAt);
  if (waited !== undefined) lines.push(`Thời gian chờ: ${waited} giây`);
  lines.push(`Nhân viên được đổ chuông: ${o.agentsRung.length ? o.agentsRung.join(', ') : 'không có'}`);
  if (u.answeredAt && u.agent) lines.push(`Nhân viên nghe máy: ${u.agent.name ?? u.agent.username}`);
  if (u.billingSec !== undefined && u.answeredAt) lines.push(`Thời lượng đàm thoại: ${u.billingSec} giây`);
  return lines.join('\n');
}

/** `{ id }` of the caller's contact when the CRM found it, else `{ name, phones }` from the call. */
export function ticketContact(u: CallFacts): TicketInput['contact'] {
  const c: Contact | null = u.contact;
  if (c && (u.contactStatus === 'found' || u.contactStatus === 'multiple') && c.id) return { id: c.id };
  const party = customerOf(u);
  const national = normalizePhone(party.number)?.national ?? party.number;
  return { name: party.name?.trim() || national, phones: [phoneOf(national)] };
}

/** The call's ticket (POST /tickets): `ticketIdApiRing` = the callId, priority Medium, SLA from the settings. */
export function ticketFor(u: CallFacts, o: TicketOptions): TicketInput {
  return {
    title: ticketTitle(u),
    ticketIdApiRing: u.callId,
    summary: ticketSummary(u, o),
    priority: 'Medium',
    SLA: o.sla,
    contact: ticketContact(u),
  };
}

/** The lead of an unknown caller (POST /contacts), or undefined when the number is not a phone number. */
export function leadFor(u: CallFacts): LeadInput | undefined {
  const national = customerNumberOf(u);
  if (!national) return undefined;
  const name = u.from.name?.trim();
  return {
    name: name && name !== u.from.number ? name : national,
    customerIdApiRing: national,
    phones: [phoneOf(national)],
    sourceContact: 'AntRing',
  };
}

/** The contact the cache learns once the lead is written. */
export function leadContact(lead: Pick<LeadInput, 'name' | 'customerIdApiRing'>, leadId: string): Contact {
  return {
    source: 'antcrm',
    type: 'lead',
    id: leadId,
    name: lead.name,
    phones: [lead.customerIdApiRing],
    emails: [],
    tags: [],
  };
}
