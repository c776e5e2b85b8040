// Issue 18 in Chromium: a missed call is called back by AntBot (the simulated alarm rings the queue's agents); the
// agent panel shows the "callback of a missed call" label on the ringing card, the wallboard the recovery figures,
// in Vietnamese and in English.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { type Stack, startStack } from '../helpers/stack.js';
import { callbackEnv } from '../integration/recovery-fixture.js';
import { browserSuite, launchChromium, type OpenedPage, openPage, text } from './harness.js';

interface Ctx {
  stack: Stack;
  browser: Browser;
  agent: OpenedPage;
  wall: OpenedPage;
  dataDir: string;
  runs: Promise<unknown>[];
}
const t = browserSuite<Ctx>('missed-call recovery in Chromium', 'recovery.test.ts', {} as Ctx);
const AGENT = 'lan.nguyen';
const CUSTOMER = '0934890883';

t.before(async (ctx) => {
  ctx.runs = [];
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'antring-recovery-browser-'));
  ctx.stack = await startStack({
    antbot: true,
    env: { DASHBOARD_POLL_MS: '250', DATA_DIR: ctx.dataDir },
    simEnv: (sim) => callbackEnv(sim, { CALLBACK_DELAY_S: '1' }),
  });
  ctx.browser = await launchChromium();
  ctx.agent = await openPage(
    ctx.browser,
    `${ctx.stack.url}/demo/agent.html#token=${ctx.stack.token('agent', { agent: AGENT })}`,
  );
  ctx.wall = await openPage(
    ctx.browser,
    `${ctx.stack.url}/demo/wallboard.html#token=${ctx.stack.token('wallboard', { queues: ['*'] })}`,
  );
  await ctx.agent.page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
  await ctx.wall.page.waitForSelector('#board[data-loaded="true"]', { timeout: 10_000 });
});

t.after(async (ctx) => {
  await ctx.agent?.context.close().catch(() => undefined);
  await ctx.wall?.context.close().catch(() => undefined);
  await ctx.browser?.close();
  await ctx.stack?.close();
  await Promise.allSettled(ctx.runs ?? []);
  if (ctx.dataDir) rmSync(ctx.dataDir, { recursive: true, force: true });
});

const rec = (page: Page, key: string) => text(page, `[data-rec="${key}"] .kpi-value`);

t('the callback rings the agent with the label; the wallboard shows the figures; vi then en', async (ctx) => {
  const { stack } = ctx;
  const queue = stack.sim.data.queues[0]!;
  const { callId } = await stack.sim.scenarios.inboundQueueCall({
    customer: CUSTOMER,
    queueId: queue.id,
    agents: [AGENT],
    answeredBy: null,
    ringMs: 200,
  });
  const { page } = ctx.agent;
  const label = page.locator('.call-card .recovery-label[data-callback="true"]');
  await label.first().waitFor({ timeout: 20_000 });
  assert.is((await label.first().textContent())?.trim(), 'Gọi lại cuộc gọi nhỡ');
  const wall = ctx.wall.page;
  await wall.waitForSelector('#recovery:not([hidden])', { timeout: 10_000 });
  assert.is(await text(wall, '#recovery-title'), 'Gọi lại cuộc gọi nhỡ (hôm nay)');
  assert.is(await rec(wall, 'missedToday'), '1');
  await wall.waitForFunction(
    () => document.querySelector('[data-rec="recovered"] .kpi-value')?.textContent === '1',
    null,
    {
      timeout: 20_000,
    },
  );
  assert.is(await rec(wall, 'open'), '0');
  assert.ok(callId);

  await page.click('#lang');
  assert.is((await label.first().textContent())?.trim(), 'Callback of a missed call');
  await wall.click('#lang');
  assert.is(await text(wall, '#recovery-title'), 'Missed-call recovery (today)');
  assert.is(await text(wall, '[data-rec="recovered"] .kpi-label'), 'Recovered');
});

t.run();
