// The wallboard (/demo/wallboard.html) in Chromium against the real bridge polling the simulator's dashboard every
// 250 ms: its counters follow the simulator, customer numbers stay redacted, agents by state, stale data marked.

import type { Browser, Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { type Stack, startStack } from '../helpers/stack.js';
import {
  browserSuite,
  contrastProblems,
  launchChromium,
  type OpenedPage,
  openPage,
  screenshot,
  text,
} from './harness.js';

interface Ctx {
  stack: Stack;
  browser: Browser;
  wall: OpenedPage;
  runs: Promise<unknown>[];
}
/** Scenarios still running when the simulator closes end with ScenarioAbortedError: expected here. */
const track = (ctx: Ctx, run: Promise<unknown>) =>
  void ctx.runs.push(
    run.catch((err: Error) => {
      if (err?.name !== 'ScenarioAbortedError') throw err;
    }),
  );
const t = browserSuite<Ctx>('wallboard in Chromium', 'wallboard.test.ts', {} as Ctx);

const kpi = async (page: Page, name: string) => text(page, `[data-kpi="${name}"] .kpi-value`);
const kpiIs = (page: Page, name: string, value: string, timeout = 5000) =>
  page.waitForFunction(
    ([n, v]) => document.querySelector(`[data-kpi="${n}"] .kpi-value`)?.textContent === v,
    [name, value],
    { timeout },
  );

t.before(async (ctx) => {
  ctx.runs = [];
  ctx.stack = await startStack({ env: { DASHBOARD_POLL_MS: '250' } });
  ctx.browser = await launchChromium();
  ctx.wall = await openPage(
    ctx.browser,
    `${ctx.stack.url}/demo/wallboard.html#token=${ctx.stack.token('wallboard', { queues: ['*'] })}`,
  );
  await ctx.wall.page.waitForSelector('#board[data-loaded="true"]', { timeout: 10_000 });
});

t.after(async (ctx) => {
  await ctx.wall?.context.close().catch(() => undefined);
  await ctx.browser?.close();
  await ctx.stack?.close();
  await Promise.allSettled(ctx.runs ?? []);
});

t('on connect: the figures of the simulator, agents by state, no stale mark', async (ctx) => {
  const { page } = ctx.wall;
  const sim = ctx.stack.sim.data;
  assert.is(await kpi(page, 'waiting'), '0');
  assert.is(await kpi(page, 'offered'), '0');
  assert.is(await page.getAttribute('#board', 'data-stale'), 'false');
  assert.ok(await page.isHidden('#stale'));
  assert.equal((await page.locator('.queue h3').allTextContents()).sort(), sim.queues.map((q) => q.name).sort());
  const online = sim.agents.filter((a) => a.device.online);
  assert.is(await page.locator('.agent').count(), online.length);
  assert.is(await text(page, '.agent-counts [data-status="ready"] .count-value'), String(online.length));
  assert.is(
    await text(page, '.agent-counts [data-status="logged_out"] .count-value'),
    String(sim.agents.length - online.length),
  );
  assert.match(await text(page, '#updated'), /^Cập nhật \d{2}:\d{2}:\d{2}$/);
});

t(
  "a queue call: waiting, offered, then handled; the caller's number redacted; the agent on a call; changes flash",
  async (ctx) => {
    const { stack } = ctx;
    const { page } = ctx.wall;
    const cskh = stack.sim.data.queues.find((q) => q.name === 'Chăm sóc khách hàng')!;
    track(
      ctx,
      stack.sim.scenarios.inboundQueueCall({
        customer: '0934890883',
        queueId: cskh.id,
        agents: ['lan.nguyen'],
        queueMs: 2500,
        ringMs: 500,
        talkMs: 60_000,
      }),
    );
    await kpiIs(page, 'waiting', '1');
    await kpiIs(page, 'offered', '1');
    const queue = `.queue[data-queue="${cskh.id}"]`;
    assert.is(await text(page, `${queue} .qf-waiting .qf-value`), '1');
    assert.is(await text(page, `${queue} .waiting-list .masked`), '•••••••883');
    assert.ok((await page.locator('[data-kpi="offered"].changed').count()) === 1, 'the changed figure flashes');
    const html = await page.content();
    assert.not.match(html, /0934890883|0934 890 883|Nguyễn Văn An/, 'no customer number nor name on the wallboard');

    // Answered: handled +1, nothing waiting, Lan on a call.
    await kpiIs(page, 'handled', '1', 8000);
    await kpiIs(page, 'waiting', '0');
    assert.is(await text(page, `${queue} .queue-none`), 'Không có cuộc gọi chờ');
    await page.waitForSelector('.agent[data-username="lan.nguyen"][data-status="connected"]');
    assert.is(await text(page, '.agent-counts [data-status="connected"] .count-value'), '1');
    const lan = '.agent[data-username="lan.nguyen"]';
    assert.is(await text(page, `${lan} .agent-name`), 'Nguyễn Thị Lan');
    assert.is(await text(page, `${lan} .agent-status`), 'Đang gọi');
    assert.match(await text(page, `${lan} .timer`), /^\d:\d{2}$/);
  },
);

t('an abandoned call: abandoned +1, the average and longest wait move', async (ctx) => {
  const { stack } = ctx;
  const { page } = ctx.wall;
  const sales = stack.sim.data.queues.find((q) => q.name === 'Kinh doanh')!;
  const before = await kpi(page, 'abandoned');
  track(
    ctx,
    stack.sim.scenarios.inboundQueueCall({
      customer: '0987654321',
      queueId: sales.id,
      agents: [],
      abandon: true,
      queueMs: 2200,
      ringMs: 0,
    }),
  );
  await page.waitForSelector(`.queue[data-queue="${sales.id}"] .waiting-list .masked`);
  assert.is(await text(page, `.queue[data-queue="${sales.id}"] .waiting-list .masked`), '•••••••321');
  await kpiIs(page, 'abandoned', String(Number(before) + 1), 8000);
  assert.is(await page.getAttribute('[data-kpi="abandoned"]', 'data-alert'), 'true');
  assert.match(await kpi(page, 'max-wait'), /^0:0[1-3]$/);
});

t('English labels', async (ctx) => {
  const { page } = ctx.wall;
  await page.click('#lang');
  assert.is(await text(page, '[data-kpi="offered"] .kpi-label'), 'Offered');
  assert.is(await text(page, '#conn'), 'Live');
  await page.click('#lang');
  assert.is(await text(page, '[data-kpi="offered"] .kpi-label'), 'Cuộc gọi vào');
});

t('screenshot: docs/screenshots/wallboard.png', async (ctx) => {
  const { stack } = ctx;
  const { page } = ctx.wall;
  const [cskh, sales] = [
    stack.sim.data.queues.find((q) => q.name === 'Chăm sóc khách hàng')!,
    stack.sim.data.queues.find((q) => q.name === 'Kinh doanh')!,
  ];
  const sc = stack.sim.scenarios;
  const waiting = (customer: string, queueId: string) =>
    track(ctx, sc.inboundQueueCall({ customer, queueId, agents: [], abandon: true, queueMs: 120_000 }));
  track(
    ctx,
    sc.inboundQueueCall({
      customer: '0912345678',
      queueId: sales.id,
      agents: ['huong.le'],
      queueMs: 100,
      ringMs: 300,
      talkMs: 120_000,
    }),
  );
  track(
    ctx,
    sc.inboundQueueCall({
      customer: '0909112233',
      queueId: cskh.id,
      agents: ['tuan.pham'],
      queueMs: 100,
      ringMs: 300,
      talkMs: 1200,
    }),
  );
  waiting('0903112233', cskh.id);
  waiting('0978123456', cskh.id);
  waiting('0945667788', sales.id);
  stack.sim.faults.devices.setPaused('thao.vo', true);
  await page.waitForSelector('.agent[data-username="tuan.pham"][data-status="wrapup"]', { timeout: 8000 });
  await kpiIs(page, 'waiting', '3');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.waiting-list .timer')].every((el) => el.textContent !== '0:00'),
  );
  assert.equal(await contrastProblems(page), [], 'readable contrast (WCAG AA)');
  const file = await screenshot(page, 'wallboard');
  console.log(`screenshot: ${file}`);
});

t('the page loses its connection: reconnecting, figures marked stale; back: live and fresh', async (ctx) => {
  const { page, context } = ctx.wall;
  await context.setOffline(true); // Chromium closes the page's websocket
  await page.waitForSelector('#conn[data-state="reconnecting"]', { timeout: 10_000 });
  assert.is(await text(page, '#conn'), 'Đang kết nối lại…');
  assert.is(await page.getAttribute('#board', 'data-stale'), 'true');
  assert.ok(await page.isVisible('#stale'));
  await context.setOffline(false);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 15_000 });
  assert.is(await page.getAttribute('#board', 'data-stale'), 'false');
  assert.ok(await page.isHidden('#stale'));
});

t('stale: when the bridge cannot poll AntRing, the figures stay, dimmed and labelled with their time', async (ctx) => {
  const { page, errors } = ctx.wall;
  const offered = await kpi(page, 'offered');
  await ctx.stack.sim.close(); // AntRing gone: the bridge's next polls fail
  await page.waitForSelector('#board[data-stale="true"]', { timeout: 10_000 });
  assert.ok(await page.isVisible('#stale'));
  assert.match(await text(page, '#stale'), /^Dữ liệu cũ: lần cập nhật cuối lúc \d{2}:\d{2}:\d{2}$/);
  assert.is(await kpi(page, 'offered'), offered, 'the last known figures, not zeros');
  assert.equal(errors, [], 'no page error, no CSP violation');
});

t.run();
