// The simulated AntCRM over real HTTP: the apikey header, exact phone matching (legacy storage is not converted),
// several records per number, per-phone request counts, delay and failure switches.

import express from 'express';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type AntCrm, antcrm, type CrmTicket } from '../../src/simulator/antcrm.js';
import { type CrmRecord, createSeed, legacyForm, type SimData } from '../../src/simulator/data.js';
import type { CrmFaults } from '../../src/simulator/faults.js';
import { seededRandom } from '../../src/simulator/history.js';
import { serve } from './sim-fixture.js';

const KEY = 'crm-key-1';

interface Ctx {
  url: string;
  close: () => Promise<void>;
  crm: AntCrm;
  data: SimData;
  faults: CrmFaults;
}

const t = suite<Ctx>('AntCRM GET /contacts');
t.before.each(async (ctx) => {
  ctx.data = createSeed();
  ctx.faults = { delayMs: 0, failRate: 0, fail: false };
  ctx.crm = antcrm({ contacts: ctx.data.contacts, apiKey: KEY, faults: ctx.faults, random: seededRandom(3) });
  const app = express();
  app.use('/crm', ctx.crm.router);
  Object.assign(ctx, await serve(app));
});
t.after.each((ctx) => ctx.close());

const lookup = async (
  ctx: Ctx,
  phone: string,
  key: string | null = KEY,
): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(`${ctx.url}/crm/contacts?phone=${encodeURIComponent(phone)}`, {
    headers: key === null ? {} : { apikey: key },
  });
  return { status: res.status, body: await res.json() };
};

t('the apikey header is required and checked', async (ctx) => {
  assert.is((await lookup(ctx, '0934890883', null)).status, 401);
  assert.is((await lookup(ctx, '0934890883', 'wrong')).status, 401);
  const res = await fetch(`${ctx.url}/crm/contacts?phone=0934890883`, { headers: { authorization: `Bearer ${KEY}` } });
  assert.is(res.status, 401, 'only the apikey header counts');
  assert.is((await lookup(ctx, '0934890883')).status, 200);
});

t('one match: an array with the raw record', async (ctx) => {
  const { status, body } = await lookup(ctx, '0934890883');
  assert.is(status, 200);
  const list = body as CrmRecord[];
  assert.is(list.length, 1);
  assert.is(list[0].name, 'Nguyễn Văn An');
  assert.is(list[0].contactType, 'customer');
  assert.is(list[0].type, '0');
  assert.match(list[0].customerId, /^[0-9a-f]{24}$/);
  for (const k of ['phones', 'emails', 'tags', 'stage', 'responsibleStaff', 'scoreRank', 'rankName'])
    assert.ok(k in list[0], k);
});

t('exact match on the stored form: legacy-stored numbers are found only by their 11-digit form', async (ctx) => {
  const number = ctx.data.customerNumbers({ legacy: true, multiple: false })[0];
  const old = legacyForm(number)!;
  assert.equal((await lookup(ctx, number)).body, [], 'the new form finds nothing');
  const found = (await lookup(ctx, old)).body as CrmRecord[];
  assert.is(found.length, 1);
  assert.ok(found[0].phones.includes(old));
  assert.equal((await lookup(ctx, `+84${number.slice(1)}`)).body, [], 'no +84 handling');
  assert.equal((await lookup(ctx, `84${old.slice(1)}`)).body, []);
});

t('spaces, dots and dashes are ignored on both sides', async (ctx) => {
  for (const q of ['0912345678', '0912 345 678', '0912.345.678'])
    assert.is(((await lookup(ctx, q)).body as CrmRecord[]).length, 1, q);
  assert.is(
    ((await lookup(ctx, '0987654321')).body as CrmRecord[])[0].phones[0],
    '0987.654.321',
    'the stored string is returned as is',
  );
  assert.is(((await lookup(ctx, '0909112233')).body as CrmRecord[]).length, 1);
});

t('several records for one number', async (ctx) => {
  for (const n of ctx.data.customerNumbers({ multiple: true, legacy: false })) {
    const list = (await lookup(ctx, n)).body as CrmRecord[];
    assert.ok(list.length >= 2, `${n}: ${list.length}`);
    assert.is(list.length, ctx.data.expectedContacts(n).length);
  }
  // Split across forms: the new form finds one, the legacy form the other.
  const split = ctx.data.customerNumbers({ multiple: true, legacy: true })[0];
  const byNew = (await lookup(ctx, split)).body as CrmRecord[];
  const byOld = (await lookup(ctx, legacyForm(split)!)).body as CrmRecord[];
  assert.is(byNew.length + byOld.length, ctx.data.expectedContacts(split).length);
  assert.ok(byNew.length >= 1 && byOld.length >= 1);
});

t('unknown numbers: an empty array', async (ctx) => {
  for (const n of ctx.data.customerNumbers({ withContact: false })) assert.equal((await lookup(ctx, n)).body, []);
});

t('requests are counted per phone (as sent), failures included', async (ctx) => {
  await lookup(ctx, '0934890883');
  await lookup(ctx, '0934890883');
  await lookup(ctx, '01693608879', null);
  assert.is(ctx.crm.crmRequests('0934890883'), 2);
  assert.is(ctx.crm.crmRequests('01693608879'), 1);
  assert.is(ctx.crm.crmRequests('0393608879'), 0);
  assert.is(ctx.crm.crmRequests(), 3);
  assert.is(ctx.crm.stats().unauthorized, 1);
  ctx.crm.resetCounts();
  assert.is(ctx.crm.crmRequests(), 0);
});

t('crmFail → 500; crmFailRate fails about that share; crmDelayMs delays', async (ctx) => {
  ctx.faults.fail = true;
  assert.is((await lookup(ctx, '0934890883')).status, 500);
  ctx.faults.fail = false;
  ctx.faults.failRate = 0.5;
  let failed = 0;
  for (let i = 0; i < 40; i++) if ((await lookup(ctx, '0934890883')).status === 500) failed++;
  assert.ok(failed >= 8 && failed <= 32, `${failed}/40 failed`);
  ctx.faults.failRate = 0;
  ctx.faults.delayMs = 120;
  const started = Date.now();
  assert.is((await lookup(ctx, '0934890883')).status, 200);
  assert.ok(Date.now() - started >= 110);
});

t('other filters: contactType, type, email; page size at most 20', async (ctx) => {
  const get = async (q: string) =>
    (await (await fetch(`${ctx.url}/crm/contacts?${q}`, { headers: { apikey: KEY } })).json()) as CrmRecord[];
  assert.ok((await get('contactType=lead')).every((r) => r.contactType === 'lead'));
  assert.ok((await get('contactType=customer&type=1')).every((r) => r.type === '1'));
  assert.is((await get('email=AN.NGUYEN@gmail.com')).length, 1);
  assert.is((await get('limit=50')).length, 20);
  assert.is((await get('page=2')).length, ctx.data.contacts.length - 20);
  const twice = await fetch(`${ctx.url}/crm/contacts?phone=0934890883&phone=0912345678`, { headers: { apikey: KEY } });
  assert.is(twice.status, 400, 'a repeated phone is refused, not ignored');
});

t.run();

// ---- writes: POST /contacts, POST /tickets, PUT /tickets, GET /tickets ----
const w = suite<Ctx>('AntCRM writes');
w.before.each(async (ctx) => {
  ctx.data = createSeed();
  ctx.faults = { delayMs: 0, failRate: 0, fail: false };
  ctx.crm = antcrm({ contacts: ctx.data.contacts, apiKey: KEY, faults: ctx.faults });
  const app = express();
  app.use('/crm', ctx.crm.router);
  Object.assign(ctx, await serve(app));
});
w.after.each((ctx) => ctx.close());

const send = async (ctx: Ctx, method: string, path: string, body: unknown, key: string | null = KEY) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.apikey = key;
  const res = await fetch(`${ctx.url}/crm${path}`, {
    method,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const failsToAnswer = (p: Promise<unknown>): Promise<boolean> =>
  p.then(
    () => false,
    () => true,
  );
const TICKET = {
  title: '[Phone] Cuộc gọi nhỡ từ 0934 890 883',
  ticketIdApiRing: 'call-1',
  summary: 'DID 02873019555',
  SLA: '',
  contact: { id: 'abc' },
};

w('the apikey header is checked on every write', async (ctx) => {
  assert.is((await send(ctx, 'POST', '/tickets', TICKET, null)).status, 401);
  assert.is((await send(ctx, 'POST', '/tickets', TICKET, 'wrong')).status, 401);
  assert.is((await send(ctx, 'PUT', '/tickets', { TicketId: '1' }, 'wrong')).status, 401);
  assert.is((await send(ctx, 'POST', '/contacts', { name: 'x', customerIdApiRing: '1' }, null)).status, 401);
  assert.is(ctx.crm.tickets().length, 0);
  assert.is(ctx.crm.writeStats().unauthorized, 4);
});

w('POST /tickets keeps the ticket and answers its TicketId; GET /tickets lists it; PUT edits it', async (ctx) => {
  const r = await send(ctx, 'POST', '/tickets', TICKET);
  assert.is(r.status, 200);
  assert.is(r.body.success, 1);
  assert.type(r.body.TicketId, 'number');
  const [t] = ctx.crm.tickets();
  assert.is(t.TicketId, r.body.TicketId);
  assert.is(t.ticketIdApiRing, 'call-1');
  assert.is(t.priority, 'Medium');
  assert.equal(t.contact, { id: 'abc' });
  const put = await send(ctx, 'PUT', '/tickets', {
    TicketId: String(t.TicketId),
    summary: 'Gọi lại: khách hẹn 3h chiều',
    status: 'Resolved',
  });
  assert.equal(put, { status: 200, body: { success: 1, number: t.TicketId } });
  const list = (await (await fetch(`${ctx.url}/crm/tickets`, { headers: { apikey: KEY } })).json()) as CrmTicket[];
  assert.is(list.length, 1);
  assert.is(list[0].summary, 'Gọi lại: khách hẹn 3h chiều');
  assert.is(list[0].status, 'Resolved');
  assert.is((await fetch(`${ctx.url}/crm/tickets`)).status, 401);
  assert.is((await send(ctx, 'PUT', '/tickets', { TicketId: '1' })).status, 404, 'unknown TicketId');
});

w('POST /tickets refuses a ticket without title, SLA or contact; bad JSON is a 400', async (ctx) => {
  assert.is((await send(ctx, 'POST', '/tickets', { ...TICKET, title: '' })).status, 400);
  const { SLA: _sla, ...noSla } = TICKET;
  assert.is((await send(ctx, 'POST', '/tickets', noSla)).status, 400);
  assert.is((await send(ctx, 'POST', '/tickets', { ...TICKET, contact: {} })).status, 400);
  assert.is(
    (
      await send(ctx, 'POST', '/tickets', {
        ...TICKET,
        contact: { name: 'Khách', phones: [{ type: 'Work', value: '0934890883' }] },
      })
    ).status,
    200,
  );
  assert.is((await send(ctx, 'POST', '/tickets', '{not json')).status, 400);
  assert.is(ctx.crm.tickets().length, 1);
});

w('POST /contacts adds a lead that the next GET /contacts finds', async (ctx) => {
  const number = ctx.data.customerNumbers({ withContact: false })[0];
  assert.equal((await lookup(ctx, number)).body, []);
  const r = await send(ctx, 'POST', '/contacts', {
    name: number,
    customerIdApiRing: number,
    contactType: 'lead',
    phones: [{ type: 'Work', value: number }],
    sourceContact: 'AntRing',
  });
  assert.is(r.status, 200);
  assert.match(String(r.body.leadId), /^[0-9a-f]{24}$/);
  const found = (await lookup(ctx, number)).body as CrmRecord[];
  assert.is(found.length, 1);
  assert.is(found[0].leadId, r.body.leadId);
  assert.is(found[0].contactType, 'lead');
  assert.is(found[0].sourceContact, 'AntRing');
  assert.is(ctx.crm.added().length, 1);
  assert.is((await send(ctx, 'POST', '/contacts', { name: 'x' })).status, 400, 'customerIdApiRing required');
});

w('write faults: fail N times, a status, slow, down, answer lost', async (ctx) => {
  ctx.crm.writeFaults.failNext = 2;
  assert.is((await send(ctx, 'POST', '/tickets', TICKET)).status, 500);
  assert.is((await send(ctx, 'POST', '/tickets', TICKET)).status, 500);
  assert.is((await send(ctx, 'POST', '/tickets', TICKET)).status, 200);
  ctx.crm.writeFaults.failStatus = 503;
  assert.is((await send(ctx, 'POST', '/contacts', { name: 'a', customerIdApiRing: '1' })).status, 503);
  ctx.crm.writeFaults.failStatus = null;
  ctx.crm.writeFaults.delayMs = 100;
  const t0 = Date.now();
  assert.is((await send(ctx, 'POST', '/tickets', TICKET)).status, 200);
  assert.ok(Date.now() - t0 >= 90);
  ctx.crm.writeFaults.delayMs = 0;
  ctx.crm.writeFaults.down = true;
  assert.is(await failsToAnswer(send(ctx, 'POST', '/tickets', TICKET)), true, 'connection destroyed');
  ctx.crm.writeFaults.down = false;
  ctx.crm.writeFaults.loseAnswer = true;
  assert.is(await failsToAnswer(send(ctx, 'POST', '/tickets', TICKET)), true, 'answer lost');
  ctx.crm.writeFaults.loseAnswer = false;
  assert.is(ctx.crm.tickets().length, 3, 'the lost answer was written');
  assert.is(ctx.crm.writeStats().failed, 4);
  assert.is((await lookup(ctx, '0934890883')).status, 200, 'reads are not affected by write faults');
});

w.run();
