// What a new user sees first: `npm start` (demo mode) prints the three demo links with their tokens; opened in
// Chromium, the agent panel pops a call of the generated traffic, the wallboard fills, the CRM page's links dial.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/wait.js';
import { browserSuite, launchChromium, type OpenedPage, openPage } from './harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
interface Ctx {
  child?: ChildProcess;
  out: string;
  browser?: Browser;
  pages: OpenedPage[];
}
const t = browserSuite<Ctx>('demo links printed by npm start, in Chromium', 'demo-links.test.ts', {
  out: '',
  pages: [],
});

t.after(async (ctx) => {
  for (const p of ctx.pages) await p.context.close().catch(() => undefined);
  await ctx.browser?.close();
  if (ctx.child && ctx.child.exitCode === null) {
    const exited = new Promise((r) => ctx.child!.once('exit', r));
    process.kill(-ctx.child.pid!, 'SIGTERM'); // npm and the bridge under it
    await exited;
  }
});

t('the printed links open working pages', async (ctx) => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SHUTDOWN_DRAIN_MS: '0',
  };
  for (const k of Object.keys(env)) if (/^(ANTRING_|ANTCRM_|ANTBOT_|JWT_|REDIS_URL)/.test(k)) delete env[k];
  ctx.child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  ctx.child.stdout!.on('data', (d) => (ctx.out += d));
  ctx.child.stderr!.on('data', (d) => (ctx.out += d));
  const links = await waitFor(
    () => {
      const agent = /Agent panel:\s+(http:\/\/\S+\/demo\/agent\.html#token=\S+)/.exec(ctx.out)?.[1];
      const wallboard = /Wallboard:\s+(http:\/\/\S+\/demo\/wallboard\.html#token=\S+)/.exec(ctx.out)?.[1];
      const crm = /CRM \+ widget:\s+(http:\/\/\S+\/demo\/crm\.html#token=\S+)/.exec(ctx.out)?.[1];
      return agent && wallboard && crm ? { agent, wallboard, crm } : undefined;
    },
    { what: 'the three demo links on stdout', timeoutMs: 30_000 },
  );
  ctx.browser = await launchChromium();

  const agent = await openPage(ctx.browser, links.agent);
  ctx.pages.push(agent);
  await agent.page.waitForSelector('#conn[data-state="live"]', { timeout: 10_000 });
  // The demo traffic's first call rings the demo agent at once, with a caller who has a CRM record.
  await agent.page.waitForSelector('.call-card .contact-name', { timeout: 10_000 });

  const wall = await openPage(ctx.browser, links.wallboard);
  ctx.pages.push(wall);
  await wall.page.waitForSelector('#board[data-loaded="true"]', { timeout: 15_000 });
  assert.ok(Number(await wall.page.textContent('.agent-counts [data-status="ready"] .count-value')) >= 0);

  const crm = await openPage(ctx.browser, links.crm);
  ctx.pages.push(crm);
  await crm.page.waitForSelector('a[href^="tel:"][data-antring-ready]');
  await crm.page.click('a[href="tel:0912345678"]');
  const toast = await crm.page.waitForSelector('[data-antring-toasts] .toast', { timeout: 8000 });
  assert.match((await toast.textContent()) ?? '', /0912 345 678/);
  for (const p of ctx.pages)
    assert.equal(
      p.errors.filter((e) => !/status of (403|409|429)/.test(e)),
      [],
    );
});

t.run();
