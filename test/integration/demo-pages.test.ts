// GET /demo/…: the client-demo pages and socket.io-client's browser build, with their security headers; nothing
// outside client-demo/ is reachable; the pages hold no inline script, style or event handler (their CSP forbids them).

import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DemoPagesError, defaultDemoDir, demoPages } from '../../src/http/demo-pages.js';
import { errorHandler, notFound } from '../../src/http/errors.js';
import { captureLogger } from '../helpers/logs.js';

const t = suite<{ server: http.Server; url: string }>('demo pages (GET /demo/…)');

t.before(async (ctx) => {
  const app = express();
  app.use(demoPages());
  app.use(notFound);
  app.use(errorHandler(captureLogger('warn').logger));
  ctx.server = http.createServer(app);
  await new Promise<void>((r) => ctx.server.listen(0, '127.0.0.1', () => r()));
  ctx.url = `http://127.0.0.1:${(ctx.server.address() as AddressInfo).port}`;
});
t.after(async (ctx) => {
  ctx.server.closeAllConnections();
  await new Promise((r) => ctx.server.close(r));
});

/** A raw GET (fetch would normalise `..` away). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

t('/demo redirects to /demo/, which lists the three pages', async ({ url }) => {
  const r = await fetch(`${url}/demo`, { redirect: 'manual' });
  assert.is(r.status, 301);
  assert.is(r.headers.get('location'), '/demo/');
  const index = await fetch(`${url}/demo/`);
  assert.is(index.status, 200);
  const html = await index.text();
  for (const page of ['agent.html', 'wallboard.html', 'crm.html']) assert.ok(html.includes(`href="${page}"`), page);
});

t('pages, modules, styles and the widget, with CSP, nosniff and no referrer', async ({ url }) => {
  for (const [path, type] of [
    ['/demo/agent.html', /text\/html/],
    ['/demo/wallboard.html', /text\/html/],
    ['/demo/crm.html', /text\/html/],
    ['/demo/js/agent.js', /javascript/],
    ['/demo/widget.js', /javascript/],
    ['/demo/css/base.css', /text\/css/],
    ['/demo/icon.svg', /image\/svg\+xml/],
    ['/demo/vendor/socket.io.esm.min.js', /javascript/],
  ] as const) {
    const r = await fetch(`${url}${path}`);
    assert.is(r.status, 200, path);
    assert.match(r.headers.get('content-type') ?? '', type, path);
    assert.match(
      r.headers.get('content-security-policy') ?? '',
      /default-src 'self'.*script-src 'self'.*style-src 'self'/,
      path,
    );
    assert.is(r.headers.get('x-content-type-options'), 'nosniff', path);
    assert.is(r.headers.get('referrer-policy'), 'no-referrer', path);
  }
  const vendor = await (await fetch(`${url}/demo/vendor/socket.io.esm.min.js`)).text();
  assert.match(vendor, /export\s*\{/, 'the ES module build');
});

t('nothing else: unknown files, other vendor files, dot files and paths out of the folder are 404', async ({ url }) => {
  for (const path of [
    '/demo/nope.html',
    '/demo/vendor/socket.io.js',
    '/demo/vendor/..%2f..%2fpackage.json',
    '/demo/.gitignore',
  ]) {
    const r = await fetch(`${url}${path}`);
    assert.is(r.status, 404, path);
    assert.equal(await r.json(), { error: 'not_found', message: 'no such route' }, path);
  }
  for (const path of [
    '/demo/../package.json',
    '/demo/..%2fpackage.json',
    '/demo/%2e%2e/package.json',
    '/demo/js/../../package.json',
  ]) {
    const r = await rawGet(url, path);
    assert.ok(r.status === 404 || r.status === 403, `${path}: ${r.status}`);
    assert.not.match(r.body, /"antring-bridge"/, path);
  }
});

t('the pages hold no inline script, style attribute or event handler; scripts and styles are local', () => {
  const dir = defaultDemoDir();
  const pages = readdirSync(dir).filter((f) => f.endsWith('.html'));
  assert.ok(pages.length >= 4);
  for (const f of pages) {
    const html = readFileSync(join(dir, f), 'utf8');
    assert.not.match(html, /<script(?![^>]*\ssrc=)[^>]*>/i, `${f}: inline <script>`);
    assert.not.match(html, /<style/i, `${f}: <style>`);
    assert.not.match(html, /\sstyle=/i, `${f}: style attribute`);
    assert.not.match(html, /\son[a-z]+=/i, `${f}: event handler attribute`);
    assert.not.match(html, /<[^>]+\s(src|href)="(https?:)?\/\//i, `${f}: a resource from elsewhere`);
  }
});

t('a missing folder is a clear error at start', () => {
  assert.throws(
    () => demoPages({ dir: '/nonexistent/client-demo' }),
    (e: Error) => e instanceof DemoPagesError && /client-demo pages not found/.test(e.message),
  );
});

t.run();
