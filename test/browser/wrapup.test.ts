// The wrap-up box of the agent panel in Chromium against the real bridge + simulator: the agent types a note and a
// disposition on the ended call, the bridge writes it to the simulated AntCRM as the call's ticket, the card shows the
// AntCRM status, and the CRM demo page lists the new ticket (and the webhooks page the verified deliveries). Both
// languages.
import type { Browser } from 'playwright-core';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { queueAgents, startWritebackStack, type WritebackStack } from '../integration/writeback-fixture.js';
import { browserSuite, launchChromium, type OpenedPage, openPage, screenshot, text } from './harness.js';

interface Ctx {
  s: WritebackStack;
  browser: Browser;
  pages: OpenedPage[];
}
const t = browserSuite<Ctx>('wrap-up box and the CRM page in Chromium', 'wrapup.test.ts', {} as Ctx);

t.before(async (ctx) => {
  ctx.pages = [];
  // The demo pages' feed, as demo mode wires it (createBridge deps.demoFeed = the simulator's).
  ctx.s = await startWithFeed();
  ctx.browser = await launchChromium();
});
t.after(async (ctx) => {
  for (const p of ctx.pages) await p.context.close();
  await ctx.browser?.close();
  await ctx.s?.close();
});

/** A stack whose bridge serves the simulator's feed on /demo/feed/… (the simulator is made first). */
async function startWithFeed(): Promise<WritebackStack> {
  let feedOf: WritebackStack | undefined;
  const s = await startWritebackStack({
    deps: {
      demoFeed: {
        crm: () => feedOf?.sim.demoFeed.crm() ?? { tickets: [], leads: [] },
        webhooks: () => feedOf?.sim.demoFeed.webhooks() ?? { deliveries: [] },
      },
    },
  });
  feedOf = s;
  return s;
}

for (const lang of ['vi', 'en'] as const) {
  t(`the wrap-up box writes the note; the CRM page shows the new ticket (${lang})`, async (ctx) => {
    const { s } = ctx;
    const { queueId, agents } = queueAgents(s.sim);
    const agent = agents[0];
    const token = s.token('agent', { agent });
    const panel = await openPage(ctx.browser, `${s.url}/demo/agent.html?lang=${lang}#token=${token}`, {
      locale: lang === 'vi' ? 'vi-VN' : 'en-GB',
    });
    ctx.pages.push(panel);
    await panel.page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
    const customer = s.sim.data.customerNumbers({ withContact: true, multiple: false })[lang === 'vi' ? 5 : 6];
    const { callId } = await s.sim.scenarios.inboundQueueCall({
      customer,
      queueId,
      agents: [agent],
      answeredBy: agent,
      ringMs: 100,
      talkMs: 150,
    });
    const card = `.call-card[data-call-id="${callId}"]`;
    await panel.page.waitForSelector(`${card}[data-state="ended"] form.wrapup`, { timeout: 10_000 });
    assert.is(
      await text(panel.page, `${card} .wrapup-title`),
      lang === 'vi' ? 'Ghi chú sau cuộc gọi' : 'After-call note',
    );
    const note =
      lang === 'vi'
        ? 'Khách muốn nâng cấp gói, gọi lại chiều nay.'
        : 'Customer wants an upgrade; call back this afternoon.';
    await panel.page.fill(`${card} textarea.wrapup-note`, note);
    await panel.page.selectOption(`${card} select.wrapup-disposition`, 'callback');
    await panel.page.click(`${card} button.wrapup-save`);
    await panel.page.waitForSelector(`${card} .wrapup-result[data-result="accepted"]`, { timeout: 10_000 });
    const ticket = await waitFor(() => s.sim.crm.tickets().find((x) => x.ticketIdApiRing === callId), {
      what: 'the ticket in AntCRM',
    });
    assert.ok(ticket.summary.includes(`[callback] ${note}`), ticket.summary);
    await panel.page.waitForSelector(`${card} .crm-line[data-crm="written"][data-ticket-id="${ticket.TicketId}"]`, {
      timeout: 10_000,
    });
    assert.match(
      await text(panel.page, `${card} .crm-line`),
      lang === 'vi' ? /AntCRM: đã ghi · phiếu #\d+/ : /AntCRM: written · ticket #\d+/,
    );
    await screenshot(panel.page, `wrapup-${lang}`);

    const crm = await openPage(ctx.browser, `${s.url}/demo/crm.html#token=${token}`);
    ctx.pages.push(crm);
    const row = `#tickets tr[data-ticket-id="${ticket.TicketId}"]`;
    await crm.page.waitForSelector(row, { timeout: 10_000 });
    assert.ok((await text(crm.page, row)).includes(note), 'the ticket row shows the note');
    assert.ok((await text(crm.page, row)).includes(`#${ticket.TicketId}`));
    await crm.page.locator('#feed').scrollIntoViewIfNeeded();
    if (lang === 'vi') await screenshot(crm.page, 'crm-writeback');
    assert.equal([...panel.errors, ...crm.errors], []);
  });
}

t('the webhooks page lists verified deliveries', async (ctx) => {
  const { s } = ctx;
  const hooks = await openPage(ctx.browser, `${s.url}/demo/webhooks.html?lang=en`, { locale: 'en-GB' });
  ctx.pages.push(hooks);
  const first = await waitFor(() => s.sim.webhooks.deliveries()[0], { what: 'a webhook received' });
  await hooks.page.waitForSelector(`tr[data-webhook-id="${first.id}"] .verified`, { timeout: 10_000 });
  assert.match(await text(hooks.page, `tr[data-webhook-id="${first.id}"]`), /✓ verified v1,/);
  await screenshot(hooks.page, 'webhooks');
  assert.equal(hooks.errors, []);
});

t("the CRM page starts in the browser's language like the other pages (English), and switches vi/en", async (ctx) => {
  const { s } = ctx;
  const token = s.token('agent', { agent: queueAgents(s.sim).agents[0] });
  const crm = await openPage(ctx.browser, `${s.url}/demo/crm.html#token=${token}`, { locale: 'en-GB' });
  ctx.pages.push(crm);
  const { page } = crm;
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.is(await text(page, 'h1'), 'Contacts');
  assert.is(await page.title(), 'Acme CRM · Contacts');
  assert.is(await text(page, '#lang'), 'Tiếng Việt');
  assert.is(await text(page, '#tickets-updated'), 'Updated Vietnam time, UTC+7');
  assert.match((await page.getAttribute('a[href="tel:0934890883"]', 'title')) ?? '', /with AntRing/);
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'vi');
  assert.is(await text(page, 'h1'), 'Liên hệ');
  assert.is(await text(page, '#lang'), 'English');
  assert.is(await text(page, '#tickets-updated'), 'Cập nhật giờ Việt Nam, UTC+7');
  assert.not.match((await page.getAttribute('a[href="tel:0934890883"]', 'title')) ?? '', /with AntRing/);
  assert.equal(crm.errors, []);
});

t('the CRM page shows ticket times in Vietnam time, as the ticket bodies, in a browser elsewhere', async (ctx) => {
  const { s } = ctx;
  const { queueId, agents } = queueAgents(s.sim);
  const token = s.token('agent', { agent: agents[0] });
  const crm = await openPage(ctx.browser, `${s.url}/demo/crm.html?lang=en#token=${token}`, {
    locale: 'en-GB',
    timezoneId: 'America/New_York',
  });
  ctx.pages.push(crm);
  const customer = s.sim.data.customerNumbers({ withContact: true, multiple: false })[3];
  const { callId } = await s.sim.scenarios.inboundQueueCall({
    customer,
    queueId,
    agents: agents.slice(0, 1),
    answeredBy: null,
    ringMs: 100,
  });
  const ticket = await waitFor(() => s.sim.crm.tickets().find((x) => x.ticketIdApiRing === callId), {
    what: "the missed call's ticket",
  });
  const row = `#tickets tr[data-ticket-id="${ticket.TicketId}"]`;
  await crm.page.waitForSelector(row, { timeout: 10_000 });
  const vietnam = (iso: string) =>
    new Date(iso).toLocaleTimeString('en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  const updated = await text(crm.page, `${row} td.updated`);
  assert.is(updated, vietnam(ticket.updatedAt ?? ticket.createdAt));
  // The body's "Thời gian:" line is Vietnam time too: the same hour and minute.
  assert.ok(ticket.summary.includes(updated.slice(0, 5)), `${updated} in\n${ticket.summary}`);
  assert.equal(crm.errors, []);
});

t("the webhooks page shows the dialled number of an outbound call, not the agent's extension", async (ctx) => {
  const { s } = ctx;
  const hooks = await openPage(ctx.browser, `${s.url}/demo/webhooks.html?lang=en`, { locale: 'en-GB' });
  ctx.pages.push(hooks);
  const agent = queueAgents(s.sim).agents[1];
  const number = '0912345678';
  await s.sim.scenarios.clickToCall({ agent, number, result: 'answered', ringMs: 100, talkMs: 100 });
  const out = await waitFor(() => s.sim.webhooks.deliveries().find((d) => d.data.direction === 'outbound'), {
    what: 'a webhook of the outbound call',
  });
  const cell = `tr[data-webhook-id="${out.id}"] td.number`;
  await hooks.page.waitForSelector(cell, { timeout: 10_000 });
  assert.match(await text(hooks.page, cell), /^0912 345 678/);
  assert.equal(hooks.errors, []);
});

t.run();
