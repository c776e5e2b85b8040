// `npm run bench` end to end at toy size (a few seconds a run): every run connects its clients, every expected pop
// arrives and is explained by a frame, a cache miss waits for the simulated AntCRM and a hit does not, the ratios and
// targets are computed, and the report is written where asked (never docs/performance.md from a test).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BEGIN, END } from '../../bench/capacity-report.js';
import type { BenchResult, RunResult } from '../../bench/results.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const test = suite('bench smoke (npm run bench at toy size)');
const tmp = mkdtempSync(join(tmpdir(), 'antring-bench-smoke-'));
const CRM_DELAY = 40;

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('baseline, bridge and cluster runs produce consistent figures and a report', async () => {
  const doc = join(tmp, 'performance.md');
  // A capacity section from an earlier `--capacity` run: the normal run regenerates the page around it.
  const section = `${BEGIN}\n\n## Capacity\n\nkept as it was\n\n${END}`;
  writeFileSync(doc, `# Performance\n\nold page\n\n${section}\n\n## Reproduce\n`);
  const args = [
    '--import',
    'tsx',
    'bench/run.ts',
    '--clients',
    '40',
    '--rate',
    '30',
    '--duration',
    '3',
    '--warmup',
    '1',
    '--crm-delay',
    String(CRM_DELAY),
    '--miss-ratio',
    '0.3',
    '--doc',
    doc,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.is(code, 0, err.slice(-3000));
  const res = JSON.parse(out) as BenchResult;
  assert.is(res.params.clients, 40);
  const names = ['baseline', 'bridge', 'cluster'] as const;
  for (const name of names) {
    const r = res.runs[name];
    assert.ok(r, `${name} ran`);
    if (name === 'cluster' && r && 'skipped' in r) {
      // Only acceptable when this machine has no Redis; the JSON says why.
      assert.match(r.skipped, /redis-server not found/);
      continue;
    }
    assert.not.ok(r && 'skipped' in r, `${name}: ${r && 'skipped' in r ? r.skipped : ''}`);
    const run = r as RunResult;
    assert.is(run.clients.connected, 40, `${name}: clients`);
    assert.ok(run.latency.expected > 20, `${name}: pops expected (${run.latency.expected})`);
    assert.is(run.latency.received, run.latency.expected, `${name}: every pop arrived`);
    assert.is(run.latency.uncorrelated, 0, `${name}: every receipt explained by a frame`);
    assert.ok(
      run.latency.hit.p50! > 0 && run.latency.hit.p99! < 1000,
      `${name}: hit latency ${JSON.stringify(run.latency.hit)}`,
    );
    assert.ok(run.messages.perSec > 0 && run.frames.perSec > 15, `${name}: traffic`);
    assert.ok(run.memory.connected.rss > 10 * 1024 * 1024, `${name}: RSS measured`);
    assert.ok(run.memory.connected.heapUsed > 1024 * 1024, `${name}: heap measured (probe)`);
    assert.is(run.load.processes?.length, 1, `${name}: one load process in a normal run`);
    assert.is(run.load.processes?.[0].clients, 40);
    if (name !== 'baseline') {
      // The simulated AntCRM answers after CRM_DELAY ms: a miss waits for it, a hit does not.
      assert.ok(run.latency.miss.count > 0, `${name}: misses measured`);
      assert.ok(run.latency.miss.p50! >= CRM_DELAY * 0.9, `${name}: miss p50 ${run.latency.miss.p50} ≥ the CRM delay`);
      assert.ok(run.latency.hit.p50! < CRM_DELAY, `${name}: hit p50 ${run.latency.hit.p50} < the CRM delay`);
    }
  }
  const bridge = res.runs.bridge as RunResult;
  const baseline = res.runs.baseline as RunResult;
  assert.is(bridge.latency.expected, baseline.latency.expected, 'the same script drives both');
  assert.ok(res.ratios && res.ratios.p99 !== null && res.ratios.messagesPerCpuSecond !== null, 'ratios computed');
  assert.is(res.targets.length, 4);
  const md = readFileSync(doc, 'utf8');
  assert.match(md, /^# Performance/);
  assert.match(md, /\| messages delivered per second \|/);
  assert.match(md, /## Targets/);
  assert.ok(md.includes(section), 'the capacity section is kept');
  assert.not.match(md, /old page/);
  assert.ok(md.indexOf(section) < md.indexOf('## Reproduce'), 'before Reproduce');
});

test.run();
