// Browser tests: Debian's Chromium driven by playwright-core, against the real bridge + simulator (startStack).
// Without Chromium the suites say so loudly and skip; under CI=true they fail instead.
import { accessSync, closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The screenshots' fixed size. */
export const VIEWPORT = { width: 1280, height: 800 };
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/**
 * Where screenshots go: docs/screenshots/ only when asked for (`SCREENSHOTS=1`, e.g.
 * `SCREENSHOTS=1 node scripts/test.mjs browser`), else a scratch folder under the OS temp dir, so that `npm test`
 * never rewrites the committed pictures (the page is still photographed: the same code path runs).
 */
export function screenshotDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SCREENSHOTS === '1' || env.SCREENSHOTS === 'true'
    ? SCREENSHOT_DIR
    : `${join(tmpdir(), 'antring-bridge-screenshots')}/`;
}

function chromiumMissing(): string | undefined {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return undefined;
  } catch {
    return `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  }
}

function warnLoudly(reason: string, file: string): void {
  const line = '!'.repeat(100);
  const text = `\n${line}\n!!! BROWSER TESTS NOT RUN (${file}): ${reason}\n!!! The client-demo pages were NOT tested. Under CI=true this fails.\n${line}\n`;
  console.error(text);
  // The test runner only shows a file's output when it fails: also tell the terminal, if there is one.
  try {
    const fd = openSync('/dev/tty', 'w');
    writeSync(fd, text);
    closeSync(fd);
  } catch {
    /* no terminal (CI, detached): stderr above is all we can do */
  }
}

const noopHook = Object.assign(() => undefined, { each: () => undefined });

/**
 * A uvu suite for browser tests. Chromium missing: under CI=true one failing test says why; otherwise a loud warning
 * (stderr and the terminal) and no test of the suite runs.
 */
export function browserSuite<T>(name: string, file: string, ctx?: T): Test<T> {
  const t = suite<T>(name, ctx);
  const missing = chromiumMissing();
  if (!missing) return t;
  if (process.env.CI === 'true') {
    t('Chromium is installed (required under CI)', () => assert.unreachable(missing));
    return Object.assign(() => undefined, {
      ...t,
      before: noopHook,
      after: noopHook,
      skip: () => undefined,
      only: () => undefined,
      run: () => t.run(),
    }) as Test<T>;
  }
  warnLoudly(missing, file);
  // Nothing registered: the file reports 0 passed, 0 failed (uvu's skip count is not part of its total, which the
  // runner's arithmetic assumes, so skipped tests would be subtracted from other files' failures).
  return Object.assign(() => undefined, {
    ...t,
    before: noopHook,
    after: noopHook,
    skip: () => undefined,
    only: () => undefined,
    run: () => t.run(),
  }) as Test<T>;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: LAUNCH_ARGS });
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors (CSP violations show up here). */
  errors: string[];
}

/** A fresh context (no shared storage) at the fixed viewport, in Vietnamese and Vietnam's time zone by default. */
export async function openPage(
  browser: Browser,
  url: string,
  o: { locale?: string; timezoneId?: string } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    locale: o.locale ?? 'vi-VN',
    timezoneId: o.timezoneId ?? 'Asia/Ho_Chi_Minh',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  await page.goto(url);
  return { context, page, errors };
}

/** Saves <screenshotDir()>/<name>.png at the fixed viewport (docs/screenshots/ only with SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = screenshotDir();
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${name}.png`;
  await page.mouse.move(VIEWPORT.width / 2, 2); // no hover effect in the picture
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path, fullPage: false, animations: 'disabled', caret: 'hide' });
  return path;
}

/** The page's visible text, whitespace collapsed. */
export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Text whose contrast with its background is below WCAG AA (4.5:1, or 3:1 for large text), for every visible element
 * with its own text. The background is the nearest opaque background colour (gradients and images are not read).
 * A string, evaluated in the page as is (no bundler helpers).
 */
const CONTRAST_PROBE = `(() => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const bg = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length === 3 || c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || Number(cs.opacity) < 1) continue;
    const fg = rgb(cs.color).slice(0, 3);
    const [a, b] = [lum(fg), lum(bg(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) out.push(el.tagName.toLowerCase() + '.' + el.className + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return out;
})()`;

export async function contrastProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(CONTRAST_PROBE)) as string[];
}
