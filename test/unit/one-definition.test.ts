// Issue 10 items 19-20, issue 16 item 6: one definition per fact. Scans the sources as text for the copies that used
// to exist, so a new copy fails here instead of drifting apart from the original: function names, and also literal
// lists (an array, a union or an object's keys spelling out the role names or the channel event names) and literal
// key formats (`lead:${…}`, `o:${…}`, `ab:{…}`) outside the one module that owns them. Comments are not scanned.
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

/** A file's code without its comments (a `//` inside a string cuts the rest of that line: only less is scanned). */
function code(f: string): string {
  return readFileSync(join(ROOT, f), 'utf8')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
    .replace(/(^|\s)\/\*[\s\S]*?\*\//g, '$1');
}

/** The src/ files whose code (comments aside) matches `re`. */
function building(re: RegExp): string[] {
  return files('src')
    .filter((f) => re.test(code(f)))
    .sort();
}

/** A literal list of at least `min` of `names`: items separated by `,` or `|` (an array, a union, a comma-joined
 *  string), each item `quoted` (and, with `bare`, also unquoted or as a Kazoo binding `call.NAME.*`); or an object
 *  literal with at least `min` of them as keys (`{ agent: 0, supervisor: 0, … }`). */
function literalList(names: readonly string[], min: number, bare = false): RegExp {
  const n = `(?:${names.join('|')})`;
  const item = bare ? `['"\`]?(?:call\\.)?${n}(?:\\.\\*)?['"\`]?` : `['"\`]${n}['"\`]`;
  const list = `${item}(?:\\s*[,|]\\s*${item}){${min - 1},}`;
  const keys = `(?:\\b${n}\\??\\s*:[^,;\\n{}]*,\\s*){${min - 1},}\\b${n}\\??\\s*:`;
  return new RegExp(`${list}|${keys}`);
}

/** Key formats: where a literal key starts being built (a template or a string), and its one module. */
const KEY_FORMATS = {
  rooms: /[`'"]o:(\$\{|['"`])/,
  cluster: /[`'"]ab:\{/,
  outbox: /[`'"](ticket|lead|wrapup|webhook):/,
};

const ROLE_NAMES = ['agent', 'supervisor', 'wallboard', 'admin'];
const CHANNEL_EVENTS = ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY'];

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

test('the scanners see what they look for (a scanner that cannot match would pass anything)', () => {
  const roles = literalList(ROLE_NAMES, 3);
  assert.ok(roles.test("const R = ['agent', 'supervisor', 'wallboard', 'admin'] as const;"));
  assert.ok(roles.test("type R = 'agent' | 'supervisor' |\n  'wallboard';"));
  assert.ok(roles.test('const counts = { agent: 0, supervisor: 0, wallboard: 0, admin: 0 };'));
  assert.not.ok(roles.test("if (c.role === 'agent' || c.role === 'admin') return;"));
  assert.not.ok(roles.test("case 'agent':\n  return a;\ncase 'supervisor':\n  return b;\ncase 'admin':"));
  const events = literalList(CHANNEL_EVENTS, 3, true);
  assert.ok(events.test("new Set(['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE'])"));
  assert.ok(events.test("'call.CHANNEL_CREATE.*,call.CHANNEL_ANSWER.*,call.CHANNEL_DESTROY.*'"));
  assert.not.ok(events.test("if (name === 'CHANNEL_CREATE' || name === 'CHANNEL_DESTROY') x('CHANNEL_ANSWER');"));
  // Samples of code with template literals: `#{` stands for a placeholder's opening.
  const src = (s: string) => s.replaceAll('#{', '$' + '{');
  assert.ok(KEY_FORMATS.rooms.test(src('const nodeRoom = `o:#{encodeURIComponent(org)}:node:#{id}`;')));
  assert.not.ok(KEY_FORMATS.rooms.test(src('const proto = `o:x`; const x = foo:#{bar}')));
  assert.ok(KEY_FORMATS.cluster.test(src('const p = `ab:{#{org}}:`;')));
  assert.ok(KEY_FORMATS.outbox.test("if (key.startsWith('lead:')) return key.slice('lead:'.length);"));
  assert.ok(KEY_FORMATS.outbox.test(src('return `webhook:#{viewId}:#{endpoint}`;')));
  assert.not.ok(code(SELF).includes(['Comments are', 'not scanned'].join(' ')), 'comments are left out');
});

test('src: the role names are listed once (contract.ts ROLES); every other list derives from it', () => {
  assert.equal(building(literalList(ROLE_NAMES, 3)), ['src/contract.ts']);
});

test('src: the channel event names are listed once (shared/channel-events.ts); every other list derives from it', () => {
  assert.equal(building(literalList(CHANNEL_EVENTS, 3, true)), ['src/shared/channel-events.ts']);
});

test('src: Socket.IO room names (`o:<org>:…`, ids escaped, "*" too) are built only in fanout/rooms.ts', () => {
  assert.equal(building(KEY_FORMATS.rooms), ['src/fanout/rooms.ts']);
});

test("src: the cluster's Redis keys (`ab:{<org>}:…`) are built only in cluster/keys.ts", () => {
  assert.equal(building(KEY_FORMATS.cluster), ['src/cluster/keys.ts']);
});

test('src: outbox keys (`ticket:`, `lead:`, `wrapup:`, `webhook:`) are built and parsed only in outbox/keys.ts', () => {
  assert.equal(building(KEY_FORMATS.outbox), ['src/outbox/keys.ts']);
});

test.run();
