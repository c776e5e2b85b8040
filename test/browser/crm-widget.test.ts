// The click-to-call widget (/demo/widget.js) on the demo CRM page (/demo/crm.html) in Chromium: a tel: link dials and
// the agent panel then shows the outbound call; data-antring-dial elements (mouse and keyboard); results as toasts;
// one global name only; and the page's screenshot.

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
  crm: OpenedPage;
  agent: OpenedPage;
}
const t = browserSuite<Ctx>('click-to-call widget on the CRM page in Chromium', 'crm-widget.test.ts', {} as Ctx);

const AGENT = 'lan.nguyen';
const toastCount = (page: Page) => page.locator('[data-antring-toasts] .toast').count();
/** The widget numbers its toasts (data-seq); the highest so far, 0 for none. */
const lastSeq = async (page: Page) =>
  Math.max(
    0,
    ...(await page
      .locator('[data-antring-toasts] .toast')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))))),
  );

/** Clicks (or presses Enter on) something and returns the text of the toast it produced. */
async function act(page: Page, what: () => Promise<void>): Promise<{ text: string; kind: string | null }> {
  const before = await lastSeq(page);
  await what();
  const el = page.locator(`[data-antring-toasts] .toast[data-seq="${before + 1}"]`);
  await el.waitFor({ timeout: 8000 });
  return { text: ((await el.locator('.msg').textContent()) ?? '').trim(), kind: await el.getAttribute('data-kind') };
}

t.before(async (ctx) => {
  ctx.stack = await startStack({ devices: true, antbot: true, env: { DIAL_IDEMPOTENCY_MS: '0' } });
  ctx.stack.sim.faults.clickToCall.result = 'missed';
  ctx.browser = await launchChromium();
  const token = ctx.stack.token('agent', { agent: AGENT });
  ctx.agent = await openPage(ctx.browser, `${ctx.stack.url}/demo/agent.html#token=${token}`);
  await ctx.agent.page.waitForSelector('#conn[data-state="live"]');
  ctx.crm = await openPage(ctx.browser, `${ctx.stack.url}/demo/crm.html#token=${token}`);
});

t.after(async (ctx) => {
  for (const p of [ctx.crm, ctx.agent]) await p?.context.close().catch(() => undefined);
  await ctx.browser?.close();
  await ctx.stack?.close();
});

t(
  'clicking a tel: link dials; a toast says so; the agent panel then shows the outbound call with its contact',
  async (ctx) => {
    const { crm, agent, stack } = ctx;
    const before = stack.sim.stats().clickToCallRequests;
    const r = await act(crm.page, () => crm.page.click('a[href="tel:0934890883"]'));
    assert.equal(r, { text: 'Đang gọi 0934 890 883: hãy nhấc máy của bạn.', kind: 'ok' });
    assert.is(stack.sim.stats().clickToCallRequests - before, 1);
    assert.is(crm.page.url().includes('tel:'), false, 'the browser did not follow the tel: link');
    const out = '.call-card[data-direction="outbound"]';
    await agent.page.waitForSelector(`${out} .contact-name`, { timeout: 5000 });
    assert.is(await text(agent.page, `${out} .call-number`), '0934 890 883');
    assert.is(await text(agent.page, `${out} .contact-name`), 'Nguyễn Văn An');
    assert.is(await text(agent.page, `${out} .state-chip`), 'Đang gọi ra');
  },
);

t('the widget decorated the page: titles, buttons, keyboard on data-antring-dial elements', async (ctx) => {
  const { page } = ctx.crm;
  const links = await page.locator('a[href^="tel:"]').count();
  assert.is(await page.locator('a[href^="tel:"][data-antring-ready]').count(), links);
  assert.is(await page.getAttribute('a[href="tel:0934890883"]', 'title'), 'Gọi 0934 890 883 qua AntRing');
  const span = 'span[data-antring-dial="0868123123"]';
  assert.is(await page.getAttribute(span, 'role'), 'button');
  assert.is(await page.getAttribute(span, 'tabindex'), '0');
  await page.focus(span);
  const r = await act(page, () => page.keyboard.press('Enter'));
  assert.equal(r, { text: 'Đang gọi 0868 123 123: hãy nhấc máy của bạn.', kind: 'ok' });
  // A button with data-antring-dial, and an international tel: link.
  assert.match(
    (await act(page, () => page.click('button[data-antring-dial="0912345678"]'))).text,
    /^Đang gọi 0912 345 678/,
  );
  assert.match((await act(page, () => page.click('a[href="tel:+84945667788"]'))).text, /^Đang gọi 0945 667 788/);
  // Links added later work too.
  await page.evaluate(() => {
    const a = document.createElement('a');
    a.href = 'tel:0978123456';
    a.id = 'late';
    a.textContent = '0978 123 456';
    document.querySelector('.howto')!.append(a);
  });
  await page.waitForSelector('#late[data-antring-ready]');
  assert.match((await act(page, () => page.click('#late'))).text, /^Đang gọi 0978 123 456/);
});

t('results as toasts: do-not-call, invalid number, device offline, expired token', async (ctx) => {
  const { page } = ctx.crm;
  const { stack } = ctx;
  assert.equal(await act(page, () => page.click('a[href="tel:0916777888"]')), {
    text: '0916 777 888 nằm trong danh sách không gọi (DNC).',
    kind: 'error',
  });
  assert.equal(await act(page, () => page.click('a[href="tel:090400112"]')), {
    text: '“090400112” không phải số điện thoại hợp lệ.',
    kind: 'error',
  });
  stack.sim.faults.devices.setOnline(AGENT, false);
  assert.match((await act(page, () => page.click('a[href="tel:0987.654.321"]'))).text, /ngoại tuyến/);
  stack.sim.faults.devices.setOnline(AGENT, true);
  // The host's getToken gives an expired token: the toast says so (the widget asks for a token on every click).
  const expired = await openPage(
    ctx.browser,
    `${stack.url}/demo/crm.html#token=${stack.token('agent', { agent: AGENT }, -10)}`,
  );
  try {
    assert.equal(await act(expired.page, () => expired.page.click('a[href="tel:0934890883"]')), {
      text: 'Phiên đã hết hạn: hãy đăng nhập lại.',
      kind: 'error',
    });
  } finally {
    await expired.context.close();
  }
  // Toasts can be dismissed with the keyboard.
  const n = await toastCount(page);
  await page.locator(`[data-antring-toasts] .toast[data-seq="${await lastSeq(page)}"] button`).focus();
  await page.keyboard.press('Enter');
  assert.is(await toastCount(page), n - 1);
});

t('rate limited: the toast gives the wait from Retry-After', async (ctx) => {
  const { stack } = ctx;
  // Another agent, so the earlier dials do not count; the default limit is 10 a minute.
  const page = (
    await openPage(ctx.browser, `${stack.url}/demo/crm.html#token=${stack.token('agent', { agent: 'minh.tran' })}`)
  ).page;
  try {
    let last = { text: '', kind: null as string | null };
    for (let i = 0; i < 11 && !/quá nhanh/.test(last.text); i++) {
      last = await act(page, () =>
        page.evaluate(`void window.AntRingDial.dial('09031122${String(i).padStart(2, '0')}')`),
      );
    }
    assert.match(last.text, /^Bạn gọi quá nhanh: thử lại sau \d+ giây\.$/);
    assert.is(last.kind, 'error');
  } finally {
    await page.context().close();
  }
});

t('one global name: window.AntRingDial, frozen; destroy() undoes everything', async (ctx) => {
  const { stack } = ctx;
  const p = await openPage(ctx.browser, `${stack.url}/demo/index.html`);
  try {
    const before = await p.page.evaluate(() => Object.getOwnPropertyNames(window));
    await p.page.addScriptTag({ url: '/demo/widget.js' });
    await p.page.evaluate("window.AntRingDial.init({ getToken: () => 'x' })"); // a string: no bundler helpers in the page
    const after = await p.page.evaluate(() => Object.getOwnPropertyNames(window));
    assert.equal(
      after.filter((k) => !before.includes(k)),
      ['AntRingDial'],
    );
    assert.ok(await p.page.evaluate(() => Object.isFrozen(window.AntRingDial)));
    assert.is(await p.page.locator('[data-antring-toasts]').count(), 1);
    await p.page.evaluate(() => window.AntRingDial.destroy());
    assert.is(await p.page.locator('[data-antring-toasts]').count(), 0);
    assert.is(await p.page.evaluate(() => document.adoptedStyleSheets.length), 0);
    assert.equal(p.errors, []);
  } finally {
    await p.context.close();
  }
});

t('screenshot: docs/screenshots/crm.png', async (ctx) => {
  const { page, errors } = ctx.crm;
  await page.reload();
  await act(page, () => page.click('a[href="tel:0934890883"]'));
  await act(page, () => page.click('a[href="tel:0916777888"]'));
  assert.equal(await contrastProblems(page), [], 'readable contrast (WCAG AA)');
  await page.evaluate('window.scrollTo(0, 0)');
  const file = await screenshot(page, 'crm');
  console.log(`screenshot: ${file}`);
  const unexpected = errors.filter((e) => !/status of (403|409|401|422|429)/.test(e));
  assert.equal(unexpected, [], 'no page error, no CSP violation');
});

declare global {
  interface Window {
    AntRingDial: {
      init(o: { getToken: () => string; bridgeUrl?: string }): void;
      dial(n: string): Promise<unknown>;
      destroy(): void;
    };
  }
}

t.run();
