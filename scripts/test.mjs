#!/usr/bin/env node
// Runs every uvu test file in its own Node process (isolation: ports, timers, globals),
// sums uvu's per-process totals and ends with the line `N passed, N failed`. First it sets up what the chosen suites
// need from the machine (scripts/prerequisites.mjs: apt-get install when root, else the one command that does).
// Usage: node scripts/test.mjs [suite ...] [--filter substring]
//   suites are folders under test/ (unit, integration, cluster, browser, deploy), plus `lint` (Biome: format +
//   lint, read-only, and the TypeScript typecheck); default: all of them, lint first.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { ensurePrerequisites } from './prerequisites.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ORDER = ['lint', 'unit', 'integration', 'cluster', 'browser', 'deploy'];
const args = process.argv.slice(2);
const filterAt = args.indexOf('--filter');
const filter = filterAt >= 0 ? args.splice(filterAt, 2)[1] : undefined;
const suites = args.length ? args : ORDER.filter((s) => s === 'lint' || existsSync(join(root, 'test', s)));
// Heavy suites start real processes; keep them off each other's CPU on a 2-core machine.
const CONCURRENCY = { unit: 4, integration: 2, cluster: 1, browser: 1, deploy: 1 };
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 240_000);

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return walk(p);
      return /\.test\.ts$/.test(name) ? [p] : [];
    })
    .sort();
}

// uvu colours its summary; Node's own ANSI stripper, so no control character in a regex here.
const strip = (s) => stripVTControlCharacters(s);

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => {
      out += `\n[test runner] ${relative(root, file)} timed out after ${FILE_TIMEOUT_MS} ms\n`;
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = strip(out);
      const total = /Total:\s+(\d+)/.exec(text);
      const passed = /Passed:\s+(\d+)/.exec(text);
      const skipped = /Skipped:\s+(\d+)/.exec(text);
      const p = passed ? Number(passed[1]) : 0;
      let f = total && passed ? Number(total[1]) - Number(passed[1]) - (skipped ? Number(skipped[1]) : 0) : 0;
      // A process that crashed or was killed before uvu's summary counts as one failure.
      if ((code !== 0 || signal) && f === 0) f = 1;
      if (!total && code === 0) {
        f += 1;
        out += '\n[test runner] no uvu summary: the file ran no test\n';
      }
      resolve({ file, passed: p, failed: f, skipped: skipped ? Number(skipped[1]) : 0, ms: Date.now() - started, out });
    });
  });
}

async function runPool(files, limit) {
  const results = [];
  let next = 0;
  async function worker() {
    while (next < files.length) {
      const file = files[next++];
      const r = await runFile(file);
      const tag = r.failed ? 'FAIL' : 'ok  ';
      console.log(
        `${tag} ${relative(root, file)}  (${r.passed} passed, ${r.failed} failed, ${(r.ms / 1000).toFixed(1)} s)`,
      );
      if (r.failed || process.env.TEST_VERBOSE)
        console.log(
          r.out
            .split('\n')
            .map((l) => `     | ${l}`)
            .join('\n'),
        );
      results.push(r);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, files.length) }, worker));
  return results;
}

// The lint gate: each check counts as one test. Biome runs read-only (`biome ci`), so `npm test` never rewrites a
// file; `npm run format` applies its fixes.
const LINT_CHECKS = [
  ['biome ci (format + lint)', [join(root, 'node_modules/@biomejs/biome/bin/biome'), 'ci', '--reporter=summary', '.']],
  [
    'tsc --noEmit (strict typecheck)',
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'],
  ],
];

function runCheck([name, argv]) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => resolve({ name, ok: code === 0, ms: Date.now() - started, out: strip(out) }));
  });
}

let passed = 0,
  failed = 0,
  skipped = 0;
// The machine's part (redis-server, Chromium, python3-socketio): installed here when it can be, else one clear failure.
const setup = ensurePrerequisites(suites);
if (!setup.ok) {
  console.log(`\nFAIL test setup: ${setup.message}`);
  failed++;
}
for (const suite of setup.ok ? suites : []) {
  if (suite === 'lint') {
    console.log(`\n== lint (${LINT_CHECKS.length} checks)`);
    for (const r of await Promise.all(LINT_CHECKS.map(runCheck))) {
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}  (${(r.ms / 1000).toFixed(1)} s)`);
      if (!r.ok)
        console.log(
          r.out
            .split('\n')
            .slice(0, 200)
            .map((l) => `     | ${l}`)
            .join('\n'),
        );
      if (r.ok) passed++;
      else failed++;
    }
    continue;
  }
  const files = walk(join(root, 'test', suite)).filter((f) => !filter || f.includes(filter));
  if (!files.length) continue;
  console.log(`\n== ${suite} (${files.length} files)`);
  for (const r of await runPool(files, CONCURRENCY[suite] ?? 1)) {
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
  }
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
