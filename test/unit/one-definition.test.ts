// Issue 10 items 19-20: one definition per fact. Scans the sources as text for the copies that used to exist, so a
// new copy fails here instead of drifting apart from the original.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return files(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

/** The files (relative to the root) whose text matches `re`. */
function defining(dirs: string[], re: RegExp): string[] {
  return dirs
    .flatMap(files)
    .filter((f) => f !== SELF && re.test(readFileSync(join(ROOT, f), 'utf8')))
    .map((f) => relative(ROOT, join(ROOT, f)))
    .sort();
}

const SELF = relative(ROOT, fileURLToPath(import.meta.url));
const TESTS = ['test'];

test('test support: one waitFor, one fake clock, one captured logger, one token signer', () => {
  assert.equal(defining(TESTS, /(function waitFor\b|const waitFor\s*=|async function until\b|pollUntil)/), [
    'test/helpers/wait.ts',
  ]);
  assert.equal(defining(TESTS, /class \w*Clock\b|function (tracking|counting)Clock\b/), ['test/helpers/clock.ts']);
  assert.equal(defining(TESTS, /function captureLogger\b/), ['test/helpers/logs.ts']);
  assert.equal(defining(TESTS, /jwt\.sign\(/), ['test/helpers/tokens.ts']);
});

test('src: the signal protocol union, EnrichedUpdate, FetchLike and the error summary are defined once', () => {
  assert.equal(defining(['src'], /'socketio' \| 'blackhole'|'blackhole' \| 'socketio'/), []);
  assert.equal(defining(['src'], /export (type|interface) EnrichedUpdate\b/), ['src/fanout/types.ts']);
  assert.equal(defining(['src'], /export type FetchLike\s*=/), ['src/upstream/fetch.ts']);
  assert.equal(defining(['src'], /function (errText|errSummary)\b|const (errText|errSummary)\s*=/), [
    'src/shared/errors.ts',
  ]);
  assert.equal(defining(['src'], /as \{ clusterUpdateId\?: unknown \}/), []);
});

test.run();
