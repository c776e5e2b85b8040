// AntCrmWriter against the simulated AntCRM over HTTP (tickets, leads, edits), the error family (retryable vs
// permanent), the api key kept out of logs and errors; and the outbox handlers built on it (ticket, lead, wrap-up).

import express from 'express';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type AntCrmWriteError,
  AntCrmWriteHttpError,
  AntCrmWriteNetworkError,
  AntCrmWriteResponseError,
  AntCrmWriter,
  AntCrmWriteTimeoutError,
  type TicketInput,
} from '../../src/antcrm/writer.js';
import { antCrmHandlers, leadKey, ticketKey, wrapupKey } from '../../src/outbox/crm-handlers.js';
import { MemoryOutbox } from '../../src/outbox/memory.js';
import { type AntCrm, antcrm } from '../../src/simulator/antcrm.js';
import { createSeed } from '../../src/simulator/data.js';
import { captureLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/wait.js';
import { serve } from './sim-fixture.js';

const KEY = 'crm-write-key-9f8e7d';
const TICKET: TicketInput = {
  title: '[Phone] Cuộc gọi nhỡ từ 0934 890 883',
  ticketIdApiRing: 'call-42',
  summary: 'DID 02873019555, hàng chờ Bán hàng, chờ 35 s',
  SLA: '',
  contact: { id: '661ca720f70843211b05712a' },
};

interface Ctx {
  url: string;
  close: () => Promise<void>;
  crm: AntCrm;
  writer: AntCrmWriter;
  log: ReturnType<typeof captureLogger>;
}
const t = suite<Ctx>('AntCrmWriter');
t.before.each(async (ctx) => {
  ctx.crm = antcrm({ contacts: createSeed().contacts, apiKey: KEY, faults: { delayMs: 0, failRate: 0, fail: false } });
  const app = express();
  app.use('/crm', ctx.crm.router);
  Object.assign(ctx, await serve(app));
  ctx.log = captureLogger();
  ctx.writer = new AntCrmWriter({ apiUrl: `${ctx.url}/crm/`, apiKey: KEY, logger: ctx.log.logger, timeoutMs: 500 });
});
t.after.each(async (ctx) => {
  ctx.writer.close();
  await ctx.close();
});

const caught = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

t('createTicket: POST /tickets with the seed fields (priority Medium) → TicketId', async (ctx) => {
  const { ticketId } = await ctx.writer.createTicket(TICKET);
  const [kept] = ctx.crm.tickets();
  assert.is(ticketId, String(kept.TicketId));
  assert.is(kept.ticketIdApiRing, 'call-42');
  assert.is(kept.priority, 'Medium');
  assert.is(kept.SLA, '');
  assert.equal(kept.contact, { id: '661ca720f70843211b05712a' });
});

t('updateTicket: PUT /tickets on the TicketId', async (ctx) => {
  const { ticketId } = await ctx.writer.createTicket(TICKET);
  assert.equal(await ctx.writer.updateTicket({ TicketId: ticketId, summary: 'ghi chú' }), { ticketId });
  assert.is(ctx.crm.tickets()[0].summary, 'ghi chú');
  const e = await caught(ctx.writer.updateTicket({ TicketId: '1' }));
  assert.ok(e instanceof AntCrmWriteHttpError && e.status === 404 && !e.retryable, 'unknown ticket: permanent');
});

t('createLead: POST /contacts as a lead with source AntRing → leadId', async (ctx) => {
  const { leadId } = await ctx.writer.createLead({
    name: '0977000111',
    customerIdApiRing: '0977000111',
    phones: [{ type: 'Work', value: '0977000111' }],
  });
  const [rec] = ctx.crm.added();
  assert.is(rec.leadId, leadId);
  assert.is(rec.contactType, 'lead');
  assert.is(rec.sourceContact, 'AntRing');
  assert.equal(rec.phones, ['0977000111']);
});

t('retryable: 5xx, 408, 429, timeout, network; permanent: other 4xx, a 2xx without the id', async (ctx) => {
  ctx.crm.writeFaults.failStatus = 503;
  let e = await caught(ctx.writer.createTicket(TICKET));
  assert.ok(e instanceof AntCrmWriteHttpError && e.status === 503 && e.retryable);
  for (const [status, retryable] of [
    [408, true],
    [429, true],
    [400, false],
    [422, false],
  ] as const) {
    ctx.crm.writeFaults.failStatus = status;
    e = await caught(ctx.writer.createTicket(TICKET));
    assert.ok(e instanceof AntCrmWriteHttpError && e.retryable === retryable, `${status}`);
  }
  ctx.crm.writeFaults.failStatus = null;
  ctx.crm.writeFaults.delayMs = 800;
  e = await caught(ctx.writer.createTicket(TICKET));
  assert.ok(e instanceof AntCrmWriteTimeoutError && e.retryable);
  ctx.crm.writeFaults.delayMs = 0;
  ctx.crm.writeFaults.down = true;
  e = await caught(ctx.writer.createTicket(TICKET));
  assert.ok(e instanceof AntCrmWriteNetworkError && e.retryable, String(e));
  const refused = new AntCrmWriter({ apiUrl: 'http://127.0.0.1:1', apiKey: KEY, logger: ctx.log.logger });
  e = await caught(refused.createLead({ name: 'x', customerIdApiRing: 'x', phones: [] }));
  assert.ok(e instanceof AntCrmWriteNetworkError && e.sysCode === 'ECONNREFUSED', String(e));
  refused.close();
  const noId = new AntCrmWriter({
    apiUrl: 'http://x',
    apiKey: KEY,
    logger: ctx.log.logger,
    fetch: async () => ({ status: 200, text: async () => '{"success":1}' }),
  });
  e = await caught(noId.createTicket(TICKET));
  assert.ok(e instanceof AntCrmWriteResponseError && !e.retryable);
  const wrongKey = new AntCrmWriter({ apiUrl: `${ctx.url}/crm`, apiKey: 'nope', logger: ctx.log.logger });
  ctx.crm.writeFaults.down = false;
  e = await caught(wrongKey.createTicket(TICKET));
  assert.ok(e instanceof AntCrmWriteHttpError && e.status === 401 && !e.retryable);
  wrongKey.close();
});

t('the api key is sent in the apikey header only, never logged nor in an error', async (ctx) => {
  const seen: { url: string; headers: Record<string, string> }[] = [];
  const w = new AntCrmWriter({
    apiUrl: 'https://crm.example',
    apiKey: KEY,
    logger: ctx.log.logger,
    fetch: async (url, init) => {
      seen.push({ url, headers: init.headers });
      return { status: 500, text: async () => KEY };
    },
  });
  const e = (await caught(w.createTicket(TICKET))) as InstanceType<typeof AntCrmWriteError>;
  assert.is(seen[0].url, 'https://crm.example/tickets');
  assert.is(seen[0].headers.apikey, KEY);
  assert.ok(!seen[0].url.includes(KEY));
  assert.ok(!e.message.includes(KEY) && !ctx.log.text().includes(KEY));
  assert.match(ctx.log.text(), /AntCRM write refused/);
});

t('outbox handlers: one ticket per key, a lead, a wrap-up that edits the ticket; retried after 500s', async (ctx) => {
  const box = new MemoryOutbox({ logger: ctx.log.logger, retryDelaysMs: [20], jitter: 0, pollMs: 20 });
  for (const [target, h] of Object.entries(antCrmHandlers(ctx.writer, box))) box.handle(target, h);
  ctx.crm.writeFaults.failNext = 2;
  await box.start();
  try {
    await box.enqueue(ticketKey('call-42'), 'antcrm.ticket', TICKET);
    await box.enqueue(ticketKey('call-42'), 'antcrm.ticket', TICKET);
    await box.enqueue(leadKey('0977000111'), 'antcrm.lead', {
      name: '0977000111',
      customerIdApiRing: '0977000111',
      phones: [{ type: 'Work', value: '0977000111' }],
    });
    await box.enqueue(wrapupKey('call-42'), 'antcrm.wrapup', {
      callId: 'call-42',
      note: 'Khách hẹn gọi lại 3h chiều',
      disposition: 'callback',
      ticket: TICKET,
    });
    await waitFor(async () => (await box.stats()).delivered === 3, { what: 'three delivered' });
    const tickets = ctx.crm.tickets();
    assert.is(tickets.length, 1, 'one ticket: the wrap-up edited it');
    assert.ok(tickets[0].summary.endsWith('[callback] Khách hẹn gọi lại 3h chiều'), tickets[0].summary);
    assert.equal((await box.get(wrapupKey('call-42')))?.result, {
      ticketId: String(tickets[0].TicketId),
      updated: true,
    });
    const lead = (await box.get(leadKey('0977000111')))?.result as { leadId?: string } | undefined;
    assert.ok(typeof lead?.leadId === 'string', 'the lead job has a leadId');
    assert.ok(ctx.crm.writeStats().failed >= 2);
    ctx.crm.writeFaults.failStatus = 400;
    await box.enqueue(ticketKey('call-43'), 'antcrm.ticket', TICKET);
    await waitFor(async () => (await box.stats()).failed === 1, { what: 'a 400 given up' });
    assert.match((await box.stats()).failures[0].lastError, /AntCRM createTicket: HTTP 400/);
  } finally {
    await box.stop();
  }
});

t.run();
