// The "antcrm.wrapup" handler with edits: it waits while the call's ticket or an earlier wrap-up is pending, updates
// (PUT) the ticket the call already has (its own, or the one an earlier wrap-up created), else creates one with the note;
// one followed by a later wrap-up is superseded. The ticket and lead handlers resolve a contact pending at the end; the
// key formats parse back.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { antCrmHandlers } from '../../src/outbox/crm-handlers.js';
import { callIdOfKey, parseOutboxKey, wrapupKey } from '../../src/outbox/keys.js';
import type { DeliveryRecord } from '../../src/outbox/types.js';
import { wrapupHandler } from '../../src/writeback/wrapup-handler.js';

const ticket = {
  title: '[Phone] Cuộc gọi từ 0934 890 883',
  ticketIdApiRing: 'c1',
  summary: 'Cuộc gọi c1',
  priority: 'Medium',
  SLA: '',
  contact: { id: 'x' },
};

function setup(records: Record<string, Partial<DeliveryRecord>>) {
  const calls: { op: string; body: Record<string, unknown> }[] = [];
  const writer = {
    createTicket: async (t: object) => {
      calls.push({ op: 'create', body: t as Record<string, unknown> });
      return { ticketId: '9001' };
    },
    updateTicket: async (t: object) => {
      calls.push({ op: 'update', body: t as Record<string, unknown> });
      return { ticketId: String((t as { TicketId: string }).TicketId) };
    },
  };
  const outbox = { get: async (key: string) => records[key] as DeliveryRecord | undefined };
  const h = wrapupHandler(writer as never, outbox);
  const run = (n: number, note = 'ghi chú') =>
    h({
      key: wrapupKey('c1', n),
      target: 'antcrm.wrapup',
      attempt: 1,
      signal: new AbortController().signal,
      payload: { callId: 'c1', note, ticket, n, disposition: 'sale' },
    });
  return { calls, run };
}

const t = suite('wrap-up handler');
t('no ticket yet: creates one with the note', async () => {
  const { calls, run } = setup({});
  assert.equal(await run(1), { kind: 'ok', result: { ticketId: '9001', updated: false } });
  assert.is(calls[0].op, 'create');
  assert.is(calls[0].body.summary, 'Cuộc gọi c1\n[sale] ghi chú');
});
t('the missed-call ticket pending: retry; delivered: PUT on it', async () => {
  assert.is((await setup({ 'ticket:c1': { state: 'pending' } }).run(1)).kind, 'retry');
  const { calls, run } = setup({ 'ticket:c1': { state: 'delivered', result: { ticketId: '9457' } } });
  assert.equal(await run(1), { kind: 'ok', result: { ticketId: '9457', updated: true } });
  assert.equal(calls[0], { op: 'update', body: { TicketId: '9457', summary: 'Cuộc gọi c1\n[sale] ghi chú' } });
});
t('an edit: waits for the earlier wrap-up, then updates the ticket it created', async () => {
  assert.is((await setup({ 'wrapup:c1': { state: 'pending' } }).run(2)).kind, 'retry');
  const { calls, run } = setup({ 'wrapup:c1': { state: 'delivered', result: { ticketId: '9001', updated: false } } });
  assert.equal(await run(2, 'sửa'), { kind: 'ok', result: { ticketId: '9001', updated: true } });
  assert.is(calls[0].op, 'update');
  assert.is(wrapupKey('c1', 2), 'wrapup:c1:2');
});
t(
  'an edit waits for an earlier wrap-up still being written even when the call ticket is known (last note wins)',
  async () => {
    // Cluster CI: wrap-up 1 (PUT in flight on one node) and wrap-up 2 (on another) both knew the missed-call ticket;
    // the slower PUT of the older note landed last and the ticket kept the wrong note.
    const both = {
      'ticket:c1': { state: 'delivered' as const, result: { ticketId: '9457' } },
      'wrapup:c1': { state: 'pending' as const },
    };
    const waiting = setup(both);
    assert.is((await waiting.run(2, 'sửa')).kind, 'retry');
    assert.is(waiting.calls.length, 0, 'no PUT while the older note may still land');
    const { calls, run } = setup({
      ...both,
      'wrapup:c1': { state: 'delivered', result: { ticketId: '9457', updated: true } },
    });
    assert.equal(await run(2, 'sửa'), { kind: 'ok', result: { ticketId: '9457', updated: true } });
    assert.equal(calls[0], { op: 'update', body: { TicketId: '9457', summary: 'Cuộc gọi c1\n[sale] sửa' } });
    // Wrap-up 1 in flight, wrap-up 2 superseded by 3 (it did not wait): 3 still waits for 1.
    const skipped = setup({
      ...both,
      [wrapupKey('c1', 2)]: { state: 'delivered', result: { superseded: true } },
    });
    assert.is((await skipped.run(3, 'sửa lần 2')).kind, 'retry');
    assert.is(skipped.calls.length, 0);
  },
);
t('an unusable payload is given up', async () => {
  const { calls } = setup({});
  const h = wrapupHandler({} as never, { get: async () => undefined });
  assert.is(
    (
      await h({
        key: 'k',
        target: 'antcrm.wrapup',
        attempt: 1,
        signal: new AbortController().signal,
        payload: { note: 1 },
      })
    ).kind,
    'give-up',
  );
  assert.is(calls.length, 0);
});
t('a wrap-up followed by a later one before it was written is superseded: no write', async () => {
  const { calls, run } = setup({ [wrapupKey('c1', 2)]: { state: 'pending' } });
  assert.equal(await run(1), { kind: 'ok', result: { superseded: true } });
  assert.is(calls.length, 0);
});

function crm(lookup: { status: string; contact: { id: string } | null }) {
  const writes: { op: string; body: Record<string, unknown> }[] = [];
  const writer = {
    createTicket: async (t: Record<string, unknown>) => {
      writes.push({ op: 'ticket', body: t });
      return { ticketId: '77' };
    },
    createLead: async (l: Record<string, unknown>) => {
      writes.push({ op: 'lead', body: l });
      return { leadId: '88' };
    },
  };
  const h = antCrmHandlers(writer as never, { get: async () => undefined }, async () => lookup as never);
  const attempt = (target: 'antcrm.ticket' | 'antcrm.lead', payload: unknown, n = 1) =>
    h[target]({ key: 'k', target, attempt: n, signal: new AbortController().signal, payload: payload as never });
  return { writes, attempt };
}
const pendingTicket = { ...ticket, contact: { name: '0934890883', phones: [] }, resolveContact: '0934890883' };
const pendingLead = { name: '0934890883', customerIdApiRing: '0934890883', phones: [], ifUnknown: true };

t('a ticket enqueued with its contact pending gets the contact id found at delivery', async () => {
  const { writes, attempt } = crm({ status: 'found', contact: { id: 'c-9' } });
  assert.equal(await attempt('antcrm.ticket', pendingTicket), { kind: 'ok', result: { ticketId: '77' } });
  assert.equal(writes[0].body.contact, { id: 'c-9' });
  assert.is(writes[0].body.resolveContact, undefined, 'the marker is not sent');
  const failing = crm({ status: 'error', contact: null });
  assert.is((await failing.attempt('antcrm.ticket', pendingTicket, 1)).kind, 'retry');
  assert.is((await failing.attempt('antcrm.ticket', pendingTicket, 3)).kind, 'ok', 'written without the id at last');
});
t('a lead enqueued with the contact pending is written only for a definite not_found', async () => {
  const known = crm({ status: 'found', contact: { id: 'c-9' } });
  assert.equal(await known.attempt('antcrm.lead', pendingLead), { kind: 'ok', result: { known: true } });
  assert.is(known.writes.length, 0);
  const failed = crm({ status: 'error', contact: null });
  assert.is((await failed.attempt('antcrm.lead', pendingLead)).kind, 'retry');
  const unknown = crm({ status: 'not_found', contact: null });
  assert.equal(await unknown.attempt('antcrm.lead', pendingLead), { kind: 'ok', result: { leadId: '88' } });
  assert.is(unknown.writes[0].body.ifUnknown, undefined);
});
t('outbox keys: one format each, parsed back', () => {
  assert.equal(parseOutboxKey('ticket:c-1'), { kind: 'ticket', callId: 'c-1' });
  assert.equal(parseOutboxKey('lead:0934890883'), { kind: 'lead', number: '0934890883' });
  assert.equal(parseOutboxKey(wrapupKey('c-1')), { kind: 'wrapup', callId: 'c-1', n: 1 });
  assert.equal(parseOutboxKey(wrapupKey('c-1', 3)), { kind: 'wrapup', callId: 'c-1', n: 3 });
  assert.equal(parseOutboxKey('webhook:c-1:4:0123456789ab'), {
    kind: 'webhook',
    viewId: 'c-1:4',
    endpoint: '0123456789ab',
  });
  assert.is(callIdOfKey(wrapupKey('c-1', 2)), 'c-1');
  assert.is(parseOutboxKey('nonsense'), undefined);
});
t.run();
