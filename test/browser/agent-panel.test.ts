// The agent panel (/demo/agent.html) in Chromium against the real bridge + simulator: the pop with the CRM contact
// within 1 s of the simulator ringing the agent, the states (answered, ended, answered by a colleague), the chooser and
// "no record", today's calls, click-to-call results, the expired token, both languages; and the page's screenshot.

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
  lan: OpenedPage;
  pages: OpenedPage[];
}
const t = browserSuite<Ctx>('agent panel in Chromium', 'agent-panel.test.ts', {} as Ctx);

const AGENT = 'lan.nguyen';
const card = (callId: string) => `.call-card[data-call-id="${callId}"]`;

async function open(ctx: Ctx, token: string, o: { locale?: string } = {}): Promise<OpenedPage> {
  const p = await openPage(ctx.browser, `${ctx.stack.url}/demo/agent.html#token=${token}`, o);
  ctx.pages.push(p);
  return p;
}

const live = (page: Page) => page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });

/** The root call id of the next call the simulator starts (its first published event). */
function nextCallId(stack: Stack): Promise<string> {
  return new Promise((resolve) => {
    const off = stack.sim.scenarios.observe((e) => {
      if (e.name !== 'CHANNEL_CREATE' || e.legId !== e.callId) return; // a new call's first (root) leg
      off();
      resolve(e.callId);
    });
  });
}

/** Problems a page reported, ignoring the HTTP statuses the tests provoke on purpose (403 DNC, 409, 429…; 404: an
 *  expired page asks POST /demo/token for a fresh token, which only a demo-mode bridge has). */
const problems = (p: OpenedPage) =>
  p.errors.filter(
    (e) => !/Failed to load resource: the server responded with a status of (403|404|409|422|429)/.test(e),
  );

t.before(async (ctx) => {
  ctx.pages = [];
  ctx.stack = await startStack({
    devices: true,
    antbot: true,
    env: { DIAL_RATE_PER_MINUTE: '4', DIAL_IDEMPOTENCY_MS: '0' },
  });
  // Click-to-calls end at once (the customer is busy): they do not keep the agent on a call for the later tests.
  ctx.stack.sim.faults.clickToCall.result = 'busy';
  ctx.browser = await launchChromium();
  ctx.lan = await open(ctx, ctx.stack.token('agent', { agent: AGENT }));
  await live(ctx.lan.page);
});

t.after(async (ctx) => {
  for (const p of ctx.pages ?? []) await p.context.close().catch(() => undefined);
  await ctx.browser?.close();
  await ctx.stack?.close();
});

t(
  'the pop shows the caller and the CRM contact within 1 s of the simulator ringing the agent; a colleague answers',
  async (ctx) => {
    const { stack } = ctx;
    const { page } = ctx.lan;
    let rangAt = 0;
    const off = stack.sim.scenarios.observe((e) => {
      // The agent's leg (not the customer's root leg) being created = the agent's phone ringing.
      if (!rangAt && e.name === 'CHANNEL_CREATE' && e.legId !== e.callId) rangAt = Date.now();
    });
    const id = nextCallId(stack);
    const run = stack.sim.scenarios.inboundQueueCall({
      customer: '0934890883',
      agents: [AGENT, 'minh.tran'],
      answeredBy: 'minh.tran',
      ringMs: 2500,
      talkMs: 500,
    });
    const callId = await id;
    await page.waitForSelector(`${card(callId)} .contact-name`, { timeout: 5000 });
    const shownAt = Date.now();
    off();
    const popMs = shownAt - rangAt;
    console.log(
      `pop time: ${popMs} ms from the simulator creating the agent's ringing leg to the card with the contact in the DOM`,
    );
    assert.ok(rangAt > 0, 'the simulator rang the agent');
    assert.ok(popMs <= 1000, `pop within 1 s (took ${popMs} ms)`);

    assert.is(await page.getAttribute(card(callId), 'data-state'), 'ringing');
    assert.is(await text(page, `${card(callId)} .call-number`), '0934 890 883');
    assert.is(await text(page, `${card(callId)} .contact-name`), 'Nguyễn Văn An');
    assert.is(await text(page, `${card(callId)} .badge`), 'Khách hàng');
    assert.match(await text(page, `${card(callId)} .facts`), /Khách hàng thân thiết.*lan\.nguyen.*Vàng/);
    assert.is(await text(page, `${card(callId)} .tags`), 'vip');
    assert.match(await text(page, `${card(callId)} .call-meta`), /Gọi đến · Hàng chờ: Chăm sóc khách hàng/);
    assert.match(await page.title(), /☎ 0934 890 883/);

    // Minh answers: Lan's card ends as "answered by a colleague".
    await page.waitForSelector(`${card(callId)}[data-state="ended"][data-outcome="answered_elsewhere"]`, {
      timeout: 6000,
    });
    assert.is(await text(page, `${card(callId)} .state-chip`), 'Đồng nghiệp đã nghe máy');
    await run;
  },
);

t("ringing → answered (live timer) → ended with its duration; the call joins today's list", async (ctx) => {
  const { stack } = ctx;
  const { page } = ctx.lan;
  const id = nextCallId(stack);
  const run = stack.sim.scenarios.inboundQueueCall({
    customer: '0912345678',
    agents: [AGENT],
    ringMs: 700,
    talkMs: 2600,
  });
  const callId = await id;
  await page.waitForSelector(`${card(callId)}[data-state="ringing"]`);
  await page.waitForSelector(`${card(callId)}[data-state="answered"]`, { timeout: 5000 });
  assert.is(await text(page, `${card(callId)} .state-chip`), 'Đang đàm thoại');
  assert.is(await text(page, `${card(callId)} .contact-name`), 'Lê Hoàng Phúc');
  // The timer counts the talk time.
  await page.waitForFunction(
    (sel) => /^0:0[12]$/.test(document.querySelector(sel)?.textContent ?? ''),
    `${card(callId)} .timer`,
    { timeout: 4000 },
  );
  await page.waitForSelector(`${card(callId)}[data-state="ended"][data-outcome="answered"]`, { timeout: 6000 });
  assert.is(await text(page, `${card(callId)} .state-chip`), 'Đã kết thúc');
  assert.match(await text(page, `${card(callId)} .timer`), /^0:0[1-3]$/);
  assert.is(await page.locator(`${card(callId)} .timer[data-since]`).count(), 0, "an ended call's timer stands still");
  const row = page.locator('#today tr', { hasText: '0912 345 678' }).first();
  // In today's list an answered call reads "answered", as the summary counts it (agent-today.test.ts).
  assert.match((await row.textContent()) ?? '', /Lê Hoàng Phúc.*Đã nghe/);
  // Dismissing the card removes it from the current calls.
  await page.click(`${card(callId)} .icon-btn`);
  assert.is(await page.locator(card(callId)).count(), 0);
  await run;
});

t('several CRM records: a chooser; no record: the number, plainly', async (ctx) => {
  const { stack } = ctx;
  const { page } = ctx.lan;
  const many = nextCallId(stack);
  const r1 = stack.sim.scenarios.directCall({ customer: '0903112233', agent: AGENT, result: 'missed', ringMs: 2000 });
  const manyId = await many;
  await page.waitForSelector(`${card(manyId)} .chooser`, { timeout: 3000 });
  assert.is(await text(page, `${card(manyId)} .chooser-prompt`), '2 hồ sơ trùng số này, chọn một:');
  const names = await page.locator(`${card(manyId)} .choice .choice-name`).allTextContents();
  assert.equal(names.sort(), ['Công ty TNHH Minh Phát', 'Trịnh Minh Phát']);
  await page.locator(`${card(manyId)} .choice`, { hasText: 'Trịnh Minh Phát' }).click();
  assert.is(await text(page, `${card(manyId)} .contact .contact-name`), 'Trịnh Minh Phát');
  assert.is(
    await page.getAttribute(`${card(manyId)} .choice[aria-pressed="true"] .choice-name`, 'class'),
    'choice-name',
  );
  await page.waitForSelector(`${card(manyId)}[data-outcome="missed"]`, { timeout: 5000 });
  assert.is(await text(page, `${card(manyId)} .state-chip`), 'Cuộc gọi nhỡ');
  assert.equal(await contrastProblems(page), [], 'readable contrast (WCAG AA) with cards of every kind on screen');
  await r1;

  const none = nextCallId(stack);
  const r2 = stack.sim.scenarios.directCall({ customer: '0919000111', agent: AGENT, result: 'missed', ringMs: 800 });
  const noneId = await none;
  await page.waitForSelector(`${card(noneId)} .contact-none`, { timeout: 3000 });
  assert.is(await text(page, `${card(noneId)} .contact-none-title`), 'Chưa có hồ sơ trong AntCRM');
  assert.is(await text(page, `${card(noneId)} .contact-none-number`), '0919 000 111');
  await r2;
});

t(
  'click-to-call from the dial box: dialing, device offline, do-not-call, invalid number, rate limited',
  async (ctx) => {
    const { stack } = ctx;
    const { page } = ctx.lan;
    const dial = async (number: string, kind: string) => {
      await page.fill('#dial-number', number);
      await page.press('#dial-number', 'Enter');
      await page.waitForSelector(`#dial-result[data-result="${kind}"]`, { timeout: 8000 });
      return text(page, '#dial-result');
    };
    assert.is(await dial('0945 667 788', 'dialing'), 'Đang gọi 0945 667 788: hãy nhấc máy của bạn.');
    // The outbound call pops on the panel.
    await page.waitForSelector('.call-card[data-direction="outbound"] .contact-name', { timeout: 5000 });
    assert.match(await text(page, '.call-card[data-direction="outbound"]'), /0945 667 788.*Mai Xuân Trường/);

    stack.sim.faults.devices.setOnline(AGENT, false);
    assert.match(await dial('0987654321', 'device_offline'), /ngoại tuyến/);
    stack.sim.faults.devices.setOnline(AGENT, true);
    assert.is(await dial('0916777888', 'dnc'), 'Số này nằm trong danh sách không gọi (DNC).');
    assert.is(await dial('09abc', 'invalid_number'), 'Số điện thoại không hợp lệ.');
    // The 4th dial this minute was the last one allowed (DIAL_RATE_PER_MINUTE=4; the invalid number did not count).
    assert.match(await dial('0868123123', 'dialing'), /0868 123 123/);
    assert.match(await dial('0865432109', 'rate_limited'), /^Bạn gọi quá nhanh: thử lại sau \d+ giây\.$/);

    // A redial button of today's list fills the box and dials (still rate limited here: the answer shows plainly).
    await page.locator('#today tr', { hasText: '0912 345 678' }).first().getByRole('button').click();
    assert.is(await page.inputValue('#dial-number'), '0912345678');
    await page.waitForSelector('#dial-result[data-result="rate_limited"]');
  },
);

t('formats: vi-VN and en numbers and dates, Vietnamese phone numbers, durations', async (ctx) => {
  const { page } = ctx.lan;
  const probe = `Promise.all([import('/demo/js/i18n.js'), import('/demo/js/format.js')]).then(([i, f]) => ({
    lang: i.getLang(), int: i.fmtInt(1234567), day: i.fmtDay(new Date(Date.UTC(2025, 0, 15, 3))), time: i.fmtTime('2025-01-15T03:05:00Z'),
    phones: ['0934890883', '+84 934 890 883', '84934890883', '02838223344', '01693608879', '19001234', '8001', '•••••••883'].map(f.formatPhone),
    durations: [7, 65, 3723].map(f.formatDuration) }))`;
  const vi = (await page.evaluate(probe)) as Record<string, unknown>;
  assert.is(vi.lang, 'vi');
  assert.is(vi.int, '1.234.567');
  assert.is(vi.time, '10:05', 'Asia/Ho_Chi_Minh, 24 h');
  assert.match(String(vi.day), /Thứ Tư.*15 tháng 1.*2025/);
  assert.equal(vi.phones, [
    '0934 890 883',
    '0934 890 883',
    '0934 890 883',
    '028 3822 3344',
    '0169 360 8879',
    '1900 1234',
    '8001',
    '•••••••883',
  ]);
  assert.equal(vi.durations, ['0:07', '1:05', '1:02:03']);
  await page.evaluate(`import('/demo/js/i18n.js').then((i) => i.setLang('en'))`);
  const en = (await page.evaluate(probe)) as Record<string, unknown>;
  assert.is(en.int, '1,234,567');
  assert.match(String(en.day), /Wednesday.*15 January 2025/);
  await page.evaluate(`import('/demo/js/i18n.js').then((i) => i.setLang('vi'))`);
});

t('English and Vietnamese: the switch relabels everything and is remembered; vi-VN formats', async (ctx) => {
  const { page } = ctx.lan;
  assert.is(await page.getAttribute('html', 'lang'), 'vi');
  assert.is(await text(page, '#now-title'), 'Cuộc gọi hiện tại');
  await page.click('#lang');
  assert.is(await page.getAttribute('html', 'lang'), 'en');
  assert.is(await text(page, '#now-title'), 'Current calls');
  assert.is(await text(page, '#conn'), 'Live');
  assert.match(
    await text(page, '#dial-result'),
    /^Too many calls: try again in \d+ s\.$/,
    'the last result relabelled too',
  );
  await page.reload();
  await live(page);
  assert.is(await text(page, '#today-title'), "Today's calls");
  await page.click('#lang');
  assert.is(await text(page, '#today-title'), 'Cuộc gọi hôm nay');
  // Times as vi-VN writes them (24 h, HH:mm) in today's list.
  const times = await page.locator('#today .col-time').allTextContents();
  assert.ok(times.length > 0 && times.every((x) => /^\d{2}:\d{2}$/.test(x)), times.join(','));
});

t('keyboard: the dial box, the language switch and the redial buttons are reachable with Tab', async (ctx) => {
  const { page } = ctx.lan;
  await page.focus('#lang');
  const seen: string[] = [];
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    seen.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el
          ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.textContent ? `:${el.textContent.trim()}` : ''}`
          : '';
      }),
    );
  }
  assert.ok(seen.includes('input#dial-number'), seen.join(' | '));
  assert.ok(seen.includes('button:Gọi'), seen.join(' | '));
  assert.ok(
    seen.some((s) => s.startsWith('button:Gọi lại')),
    seen.join(' | '),
  );
});

t(
  'connection lost: "reconnecting"; back online, the call that rang meanwhile is shown (the bridge replays live calls)',
  async (ctx) => {
    const { stack } = ctx;
    const { page, context } = ctx.lan;
    await context.setOffline(true); // Chromium closes the page's websocket
    await page.waitForSelector('#conn[data-state="reconnecting"]', { timeout: 10_000 });
    assert.is(await text(page, '#conn'), 'Đang kết nối lại…');
    const id = nextCallId(stack);
    const run = stack.sim.scenarios.directCall({
      customer: '0865432109',
      agent: AGENT,
      result: 'missed',
      ringMs: 4000,
    });
    const callId = await id;
    await context.setOffline(false);
    await live(page);
    await page.waitForSelector(`${card(callId)}[data-state="ringing"] .contact-name`, { timeout: 5000 });
    assert.is(await text(page, `${card(callId)} .contact-name`), 'Triệu Vy');
    await run;
  },
);

t('an expired token: the page says so, and a pasted fresh token reconnects', async (ctx) => {
  const { stack } = ctx;
  const short = await open(ctx, stack.token('agent', { agent: 'huong.le' }, 2));
  await live(short.page);
  await short.page.waitForSelector('#conn[data-state="expired"]', { timeout: 6000 });
  assert.is(await text(short.page, '#conn'), 'Phiên đã hết hạn');
  assert.match(await text(short.page, '#banner'), /Mã truy cập \(token\) đã hết hạn/);
  assert.equal(await contrastProblems(short.page), [], 'readable contrast in the expired state');
  // A token that expired before the page opened: refused at the handshake (connect_error token_expired).
  const old = await open(ctx, stack.token('agent', { agent: 'huong.le' }, -10));
  await old.page.waitForSelector('#conn[data-state="expired"]', { timeout: 6000 });
  // Paste a new one.
  await old.page.fill('#new-token', stack.token('agent', { agent: 'huong.le' }));
  await old.page.press('#new-token', 'Enter');
  await live(old.page);
  assert.ok((await old.page.evaluate(() => location.hash)).includes('token='), 'kept in the fragment for a reload');
  // No token at all: a clear state, not an error.
  const none = await openPage(ctx.browser, `${stack.url}/demo/agent.html`);
  ctx.pages.push(none);
  await none.page.waitForSelector('#conn[data-state="no_token"]');
  assert.match(await text(none.page, '#banner'), /#token=/);
});

t('a query token moves to the fragment; the pages run under their CSP without errors', async (ctx) => {
  const { stack } = ctx;
  const p = await openPage(
    ctx.browser,
    `${stack.url}/demo/agent.html?token=${stack.token('agent', { agent: 'tuan.pham' })}`,
  );
  ctx.pages.push(p);
  await live(p.page);
  const { search, hash } = await p.page.evaluate(() => ({ search: location.search, hash: location.hash }));
  assert.is(search, '');
  assert.match(hash, /^#token=/);
  const res = await fetch(`${stack.url}/demo/agent.html`);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.is(res.headers.get('referrer-policy'), 'no-referrer');
  for (const page of ctx.pages) assert.equal(problems(page), [], 'no page error, no CSP violation');
});

t('screenshot: docs/screenshots/agent.png', async (ctx) => {
  const { stack } = ctx;
  const { page } = ctx.lan;
  await page.reload(); // no lingering cards from the tests above
  await live(page);
  await page.waitForSelector('#today tbody tr td.col-time');
  const id = nextCallId(stack);
  const run = stack.sim.scenarios
    .inboundQueueCall({ customer: '0934890883', agents: [AGENT], ringMs: 30_000, talkMs: 100 })
    .catch(() => undefined);
  const callId = await id;
  await page.waitForSelector(`${card(callId)} .contact-name`);
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '0:03', `${card(callId)} .timer`, {
    timeout: 6000,
  });
  const file = await screenshot(page, 'agent');
  console.log(`screenshot: ${file}`);
  void run;
});

t.run();
