// The write-back's decisions (pure facts + the consumer over a memory outbox): one ticket per missed customer call
// with the contact's id, a lead only for a definite not_found, a pending contact enqueued at once (resolved at delivery), webhooks once per state,
// and the wrap-up rights (answering agent, else agents rung, admin always; 30 minutes).

import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Claims, Contact } from '../../src/contract.js';
import { MemoryOutbox } from '../../src/outbox/memory.js';
import { ok } from '../../src/outbox/types.js';
import type { PipelineUpdate } from '../../src/runtime/update.js';
import { WritebackConsumer } from '../../src/writeback/consumer.js';
import { crmOf } from '../../src/writeback/crm-status.js';
import { displayNumber, ticketFor, ticketTitle } from '../../src/writeback/facts.js';
import { MemoryRecentCalls } from '../../src/writeback/recent-calls.js';
import { parseWrapup, WrapupService } from '../../src/writeback/wrapup.js';
import { waitFor } from '../helpers/wait.js';

const logger = pino({ level: 'silent' });
const ORG = 'org1';
const contact: Contact = {
  source: 'antcrm',
  type: 'customer',
  id: 'c-42',
  name: 'Trần Văn Hùng',
  phones: ['0934890883'],
  emails: [],
  tags: [],
};

function upd(over: Partial<PipelineUpdate>): PipelineUpdate {
  return {
    audience: { kind: 'call' },
    callId: 'call-1',
    org: ORG,
    state: 'ended',
    direction: 'inbound',
    from: { number: '0934890883' },
    to: { number: '02873019555' },
    did: '02873019555',
    customerNumber: '0934890883',
    startedAt: '2026-01-05T03:00:00.000Z',
    endedAt: '2026-01-05T03:00:21.000Z',
    outcome: 'missed',
    receivedAt: 0,
    contact: null,
    contactStatus: 'not_found',
    queue: { id: 'q1', name: 'Sales' },
    ...over,
  } as PipelineUpdate;
}

function setup() {
  const outbox = new MemoryOutbox({ logger });
  const recent = new MemoryRecentCalls({ retainMs: 3_600_000 });
  const consumer = new WritebackConsumer({
    org: ORG,
    outbox,
    recent,
    logger,
    kinds: { tickets: true, leads: true },
    records: true,
    ticketSla: '',
    webhooks: { urls: ['http://127.0.0.1:9/hook'], events: ['call.ringing', 'call.answered', 'call.ended'] },
  });
  return { outbox, recent, consumer };
}

const facts = suite('write-back facts');
facts('title and number grouping as people write them', () => {
  assert.is(displayNumber('0934890883'), '0934 890 883');
  assert.is(displayNumber('+84934890883'), '0934 890 883');
  assert.is(displayNumber('02873019555'), '028 7301 9555');
  assert.is(ticketTitle(upd({})), '[Phone] Cuộc gọi nhỡ từ 0934 890 883');
});
facts('ticket: contact id when found, else name and phones; Medium; SLA; summary with DID, queue, wait, agents', () => {
  const found = ticketFor(upd({ contact, contactStatus: 'found' }), {
    sla: '4h',
    agentsRung: ['lan.nguyen', 'minh.tran'],
  });
  assert.equal(found.contact, { id: 'c-42' });
  assert.is(found.priority, 'Medium');
  assert.is(found.SLA, '4h');
  assert.is(found.ticketIdApiRing, 'call-1');
  for (const part of ['02873019555', 'Sales', '21 giây', 'lan.nguyen, minh.tran'])
    assert.ok(found.summary.includes(part), part);
  const unknown = ticketFor(upd({ from: { number: '0934890883', name: 'Khách' } }), { sla: '', agentsRung: [] });
  assert.equal(unknown.contact, { name: 'Khách', phones: [{ type: 'mobile', value: '0934890883' }] });
});
facts.run();

const decide = suite('write-back consumer');
decide(
  'a missed customer call → one ticket with the contact id; a second end of the same call writes nothing new',
  async () => {
    const { outbox, consumer } = setup();
    consumer.consume(upd({ audience: { kind: 'agent', username: 'lan.nguyen' }, state: 'ringing' }));
    consumer.consume(upd({ contact, contactStatus: 'found' }));
    consumer.consume(upd({ contact, contactStatus: 'found' }));
    await consumer.drain();
    const t = await outbox.get('ticket:call-1');
    assert.ok(t, 'ticket enqueued');
    assert.is(outbox.counters().enqueued, 1);
    assert.is(await outbox.get('lead:0934890883'), undefined, 'no lead for a found contact');
    await consumer.stop();
  },
);
decide('unknown caller → lead once per number; lookup error → no lead; answered call → no ticket', async () => {
  const { outbox, consumer } = setup();
  consumer.consume(
    upd({
      callId: 'a',
      outcome: 'answered',
      answeredAt: '2026-01-05T03:00:05.000Z',
      agent: { username: 'lan.nguyen' },
    }),
  );
  consumer.consume(
    upd({
      callId: 'b',
      outcome: 'answered',
      answeredAt: '2026-01-05T03:00:05.000Z',
      agent: { username: 'lan.nguyen' },
    }),
  );
  consumer.consume(
    upd({
      callId: 'c',
      from: { number: '0912345678' },
      customerNumber: '0912345678',
      contactStatus: 'error',
      outcome: 'answered',
      answeredAt: '2026-01-05T03:00:05.000Z',
    }),
  );
  await consumer.drain();
  assert.ok(await outbox.get('lead:0934890883'));
  assert.is(await outbox.get('ticket:a'), undefined);
  assert.is(await outbox.get('lead:0912345678'), undefined, 'never a lead when the lookup failed');
  assert.is(outbox.counters().duplicates, 1, 'the second call of the number is a duplicate key');
  await consumer.stop();
});
decide('an ended call with a pending contact is enqueued at once; its delivery resolves the contact', async () => {
  const { outbox, consumer } = setup();
  consumer.consume(upd({ contactStatus: 'pending' }));
  await consumer.drain();
  const ticket = await outbox.get('ticket:call-1');
  assert.ok(ticket, 'the ticket is enqueued at the end, not held for the lookup');
  const lead = await outbox.get('lead:0934890883');
  assert.ok(lead, 'a lead candidate is enqueued: its delivery writes it only for a definite not_found');
  const payloads: Record<string, unknown> = {};
  outbox.handle('antcrm.ticket', async (a) => {
    payloads.ticket = a.payload;
    return { kind: 'ok' };
  });
  outbox.handle('antcrm.lead', async (a) => {
    payloads.lead = a.payload;
    return { kind: 'ok' };
  });
  await outbox.start();
  await waitFor(() => Object.keys(payloads).length === 2, { what: 'both delivered' });
  assert.is((payloads.ticket as { resolveContact?: string }).resolveContact, '0934890883');
  assert.is((payloads.lead as { ifUnknown?: boolean }).ifUnknown, true);
  consumer.consume(upd({ contact, contactStatus: 'found' }));
  await consumer.drain();
  assert.is(outbox.counters().enqueued, 2, 'the re-send with the contact enqueues nothing more');
  await consumer.stop();
  await outbox.stop();
});
decide('webhooks: one per state change of the admin view, never for the crm re-send or agent views', async () => {
  const { outbox, consumer } = setup();
  const view = (seq: number, state: 'ringing' | 'answered' | 'ended') =>
    ({ id: `call-1:${seq}`, callId: 'call-1', seq, org: ORG, state }) as never;
  consumer.onView(view(1, 'ringing'), { audience: { kind: 'call' } });
  consumer.onView(view(2, 'ringing'), { audience: { kind: 'call' } });
  consumer.onView(view(3, 'ringing'), { audience: { kind: 'agent' } });
  consumer.onView(view(4, 'ended'), { audience: { kind: 'call' } });
  consumer.onView(view(5, 'ended'), { audience: { kind: 'call' }, crm: { status: 'written' } });
  await consumer.drain();
  assert.is(outbox.counters().enqueued, 2);
  assert.ok((await outbox.stats()).pending === 2);
  await consumer.stop();
});
decide.run();

const wrap = suite('wrap-up rights');
const claims = (role: Claims['role'], agent?: string): Claims => ({
  sub: 's',
  org: ORG,
  role,
  queues: ['*'],
  exp: Date.now() / 1000 + 600,
  ...(agent ? { agent } : {}),
});
wrap(
  'answering agent or admin: accepted; another agent: forbidden; unknown or too old: not_found; bad body: invalid_body',
  async () => {
    const { outbox, recent, consumer } = setup();
    let now = Date.parse('2026-01-05T03:01:00.000Z');
    consumer.consume(upd({ audience: { kind: 'agent', username: 'lan.nguyen' }, state: 'ringing' }));
    consumer.consume(upd({ audience: { kind: 'agent', username: 'minh.tran' }, state: 'ringing' }));
    consumer.consume(
      upd({ outcome: 'answered', answeredAt: '2026-01-05T03:00:05.000Z', agent: { username: 'lan.nguyen' } }),
    );
    consumer.consume(upd({ callId: 'missed-1' }));
    consumer.consume(upd({ callId: 'missed-1', audience: { kind: 'agent', username: 'minh.tran' }, state: 'ringing' }));
    await consumer.drain();
    const svc = new WrapupService({ org: ORG, enabled: true, recent, outbox, logger, now: () => now });
    assert.equal(
      await svc.submit(claims('agent', 'lan.nguyen'), { callId: 'call-1', note: 'Khách hỏi giá', disposition: 'sale' }),
      { status: 'accepted' },
    );
    assert.is(
      ((await svc.submit(claims('agent', 'minh.tran'), { callId: 'call-1', note: 'x' })) as { error: string }).error,
      'forbidden',
    );
    assert.equal(await svc.submit(claims('admin'), { callId: 'call-1', note: 'sửa' }), { status: 'accepted' });
    assert.ok(await outbox.get('wrapup:call-1'));
    assert.is(await outbox.get('wrapup:call-1:2'), undefined, 'the first not sent yet: the edit replaced it');
    const notes: string[] = [];
    outbox.handle('antcrm.wrapup', async (a) => {
      notes.push((a.payload as { note: string }).note);
      return ok();
    });
    await outbox.start();
    await waitFor(async () => (await outbox.get('wrapup:call-1'))?.state === 'delivered', { what: 'written' });
    assert.equal(notes, ['sửa'], 'one write, the last note');
    assert.equal(await svc.submit(claims('admin'), { callId: 'call-1', note: 'sửa lại' }), { status: 'accepted' });
    assert.ok(await outbox.get('wrapup:call-1:2'), 'an edit after the write gets its own key');
    assert.equal(
      await svc.submit(claims('agent', 'minh.tran'), { callId: 'missed-1', note: 'gọi lại' }),
      { status: 'accepted' },
      'nobody answered: an agent rung may',
    );
    assert.is(
      ((await svc.submit(claims('supervisor'), { callId: 'call-1', note: 'x' })) as { error: string }).error,
      'forbidden',
    );
    assert.is(
      ((await svc.submit(claims('agent', 'lan.nguyen'), { callId: 'nope', note: 'x' })) as { error: string }).error,
      'not_found',
    );
    assert.is(
      ((await svc.submit(claims('agent', 'lan.nguyen'), { callId: 'call-1', note: '' })) as { error: string }).error,
      'invalid_body',
    );
    assert.is(
      (
        (await svc.submit(claims('agent', 'lan.nguyen'), { callId: 'call-1', note: 'x'.repeat(2001) })) as {
          error: string;
        }
      ).error,
      'invalid_body',
    );
    assert.is(
      (
        (await svc.submit(claims('agent', 'lan.nguyen'), {
          callId: 'call-1',
          note: 'ok',
          disposition: 'two words',
        })) as { error: string }
      ).error,
      'invalid_body',
    );
    now += 31 * 60_000;
    assert.is(
      ((await svc.submit(claims('agent', 'lan.nguyen'), { callId: 'call-1', note: 'late' })) as { error: string })
        .error,
      'not_found',
    );
    assert.ok(
      !('error' in parseWrapup({ callId: 'x', note: 'ư'.repeat(2000) })),
      '2000 Vietnamese characters are fine',
    );
    await consumer.stop();
  },
);
wrap('crm status: failed wins, then pending, else written; ids from results', () => {
  const rec = (state: 'pending' | 'delivered' | 'failed', result?: Record<string, string>) => ({
    key: 'k',
    target: 't',
    state,
    attempts: 1,
    createdAt: 0,
    ...(result ? { result } : {}),
  });
  assert.equal(crmOf({ ticket: rec('delivered', { ticketId: '9457' }), wrapups: [] }), {
    status: 'written',
    ticketId: '9457',
  });
  assert.equal(crmOf({ ticket: rec('delivered', { ticketId: '9457' }), lead: rec('pending'), wrapups: [] }), {
    status: 'pending',
    ticketId: '9457',
  });
  assert.equal(crmOf({ lead: rec('failed'), wrapups: [rec('delivered', { ticketId: '1' })] }), {
    status: 'failed',
    ticketId: '1',
  });
  assert.is(crmOf({ wrapups: [] }), undefined);
});
wrap.run();
