// EnrichedUpdate + seq → the contract's CallView: an explicit whitelist of fields (no receivedAt, no
// customerNumber, no audience) and no undefined-valued keys, at any depth the contract defines.
import type { AgentRef, CallCrm, CallView, Party, QueueRef } from '../contract.js';
import type { EnrichedUpdate } from './types.js';

function party(p: Party): Party {
  const out: Party = { number: p.number };
  if (p.name !== undefined) out.name = p.name;
  return out;
}

function agentRef(a: AgentRef): AgentRef {
  const out: AgentRef = { username: a.username };
  if (a.id !== undefined) out.id = a.id;
  if (a.name !== undefined) out.name = a.name;
  if (a.ext !== undefined) out.ext = [...a.ext];
  return out;
}

function queueRef(q: QueueRef): QueueRef {
  const out: QueueRef = { id: q.id };
  if (q.name !== undefined) out.name = q.name;
  return out;
}

function crmOf(c: CallCrm): CallCrm {
  const out: CallCrm = { status: c.status };
  if (c.ticketId !== undefined) out.ticketId = c.ticketId;
  if (c.leadId !== undefined) out.leadId = c.leadId;
  return out;
}

function withoutUndefined<T extends object>(o: T): T {
  const src = o as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    const v = src[k];
    if (v === undefined) continue;
    // A `__proto__` key (CRM data) stays an own property, as Object.fromEntries made it.
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out as T;
}

export function toCallView(u: EnrichedUpdate, seq: number): CallView {
  const view: CallView = {
    id: `${u.callId}:${seq}`,
    callId: u.callId,
    seq,
    org: u.org,
    state: u.state,
    direction: u.direction,
    from: party(u.from),
    to: party(u.to),
    contact: u.contact ? withoutUndefined(u.contact) : null,
    contactStatus: u.contactStatus,
    startedAt: u.startedAt,
  };
  if (u.did !== undefined) view.did = u.did;
  if (u.agent !== undefined) view.agent = agentRef(u.agent);
  if (u.queue !== undefined) view.queue = queueRef(u.queue);
  if (u.candidates !== undefined) view.candidates = u.candidates.map((c) => withoutUndefined(c));
  if (u.answeredAt !== undefined) view.answeredAt = u.answeredAt;
  if (u.endedAt !== undefined) view.endedAt = u.endedAt;
  if (u.outcome !== undefined) view.outcome = u.outcome;
  if (u.hangupCause !== undefined) view.hangupCause = u.hangupCause;
  if (u.mergedInto !== undefined) view.mergedInto = u.mergedInto;
  if (u.durationSec !== undefined) view.durationSec = u.durationSec;
  if (u.billingSec !== undefined) view.billingSec = u.billingSec;
  if (u.crm !== undefined) view.crm = crmOf(u.crm);
  if (u.recovery !== undefined) view.recovery = { ...u.recovery };
  if (u.recovers !== undefined) view.recovers = [...u.recovers];
  if (u.callback === true) view.callback = true;
  return view;
}
