// The agent panel's "today" summary agrees with its own list (issue 10 item 14): the number of rows labelled
// answered is the "answered" counter, the rows labelled missed are the "missed" counter; an ended outbound call
// (answered or not) is never shown one way and counted another. Live calls and history rows alike.

import type { Browser } from 'playwright-core';
import * as assert from 'uvu/assert';
import { type Stack, startStack } from '../helpers/stack.js';
import { browserSuite, launchChromium, type OpenedPage, openPage, text } from './harness.js';

interface Ctx {
  stack: Stack;
  browser: Browser;
  page?: OpenedPage;
}
const t = browserSuite<Ctx>("agent panel: today's counters agree with the list", 'agent-today.test.ts', {} as Ctx);
const AGENT = 'lan.nguyen';

t.before(async (ctx) => {
  ctx.stack = await startStack({});
  ctx.browser = await launchChromium();
});

t.after(async (ctx) => {
  await ctx.page?.context.close().catch(() => undefined);
  await ctx.browser?.close();
  await ctx.stack?.close();
});

async function agreement(ctx: Ctx, lang: 'vi' | 'en'): Promise<{ rows: string[]; answered: number; missed: number }> {
  const { page } = ctx.page!;
  const rows = (await page.locator('#today tbody td.col-status').allTextContents()).map((s) => s.trim());
  const stat = async (k: string) =>
    Number((await text(page, `#summary [data-stat="${k}"] .stat-value`)).replace(/\D/g, ''));
  const labels =
    lang === 'vi' ? { answered: 'Đã nghe', missed: 'Cuộc gọi nhỡ' } : { answered: 'Answered', missed: 'Missed' };
  const answered = await stat('answered');
  const missed = await stat('missed');
  assert.is(
    rows.filter((r) => r === labels.answered).length,
    answered,
    `answered rows = the counter (${rows.join(' | ')})`,
  );
  assert.is(
    rows.filter((r) => r === labels.missed || r === (lang === 'vi' ? 'Nhỡ' : 'Missed')).length,
    missed,
    `missed rows = the counter (${rows.join(' | ')})`,
  );
  assert.is(await stat('total'), rows.length);
  return { rows, answered, missed };
}

t('answered and unanswered outbound calls, missed inbound calls: counters = rows', async (ctx) => {
  const { stack } = ctx;
  ctx.page = await openPage(
    ctx.browser,
    `${stack.url}/demo/agent.html#token=${stack.token('agent', { agent: AGENT })}`,
  );
  const { page } = ctx.page;
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
  await page.waitForSelector('#today tbody tr');
  const before = await page.locator('#today tbody tr td.col-status').count();
  // While the page is open: an answered click-to-call, one the customer does not answer, a busy one, a missed queue call.
  for (const result of ['answered', 'missed', 'busy'] as const) {
    await stack.sim.scenarios.clickToCall({
      agent: AGENT,
      number: '0912345678',
      result,
      agentRingMs: 50,
      ringMs: 150,
      talkMs: 150,
    });
  }
  await stack.sim.scenarios.inboundQueueCall({
    customer: '0934890883',
    agents: [AGENT],
    ringMs: 150,
    answeredBy: null,
  });
  await page.waitForFunction((n) => document.querySelectorAll('#today tbody td.col-status').length >= n, before + 3, {
    timeout: 10_000,
  });
  const live = await agreement(ctx, 'vi');
  assert.ok(live.answered >= 1, 'the answered click-to-call counts');
  // The same page after a reload: everything comes from the call history now.
  await page.reload();
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
  await page.waitForSelector('#today tbody td.col-status');
  await agreement(ctx, 'vi');
  await page.click('#lang');
  await page.waitForSelector('#today-title:has-text("Today")');
  await agreement(ctx, 'en');
});

t.run();
