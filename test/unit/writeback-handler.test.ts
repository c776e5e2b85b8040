// The "antcrm.wrapup" handler with edits: it waits while the call's ticket or an earlier wrap-up is pending, updates
// (PUT) the ticket the call already has (its own, or the one an earlier wrap-up created), else creates one with the note.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeliveryRecord } from '../../src/outbox/types.js';
import { wrapupHandler, wrapupKeyOf } from '../../src/writeback/wrapup-handler.js';

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
      key: wrapupKeyOf('c1', n),
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
  assert.is(wrapupKeyOf('c1', 2), 'wrapup:c1:2');
});
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
t.run();
