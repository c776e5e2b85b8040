// `npm run bench -- --capacity` end to end at toy size (two tiny steps, the clients spread over several load
// processes): every step of the baseline and the bridge is measured with its generator's figures, every pop
// arrives (the receipts of every load process are joined back to the right client), the knee is reported, and the
// SVG chart and the capacity section are written where asked (never docs/ from a test).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BEGIN, END } from '../../bench/capacity-report.js';
import { type CapacityResult, isMeasured } from '../../bench/capacity-results.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const test = suite('bench capacity smoke (npm run bench -- --capacity at toy size)');
const tmp = mkdtempSync(join(tmpdir(), 'antring-bench-capacity-'));

test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('two steps for baseline and bridge, over several load processes, with a chart and a doc section', async () => {
  const doc = join(tmp, 'performance.md');
  const svg = join(tmp, 'capacity.svg');
  const args = [
    '--import',
    'tsx',
    'bench/run.ts',
    '--capacity',
    '--steps',
    '30x10,60x20',
    '--duration',
    '2',
    '--warmup',
    '1',
    '--clients-per-load',
    '20',
    '--doc',
    doc,
    '--svg',
    svg,
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.is(code, 0, err.slice(-3000));
  const res = JSON.parse(out) as CapacityResult;
  assert.is(res.mode, 'capacity');
  assert.equal(res.params.steps, [
    { clients: 30, rate: 10 },
    { clients: 60, rate: 20 },
  ]);
  assert.equal(Object.keys(res.runs).sort(), ['baseline', 'bridge']);
  for (const name of ['baseline', 'bridge'] as const) {
    const r = res.runs[name];
    assert.ok(r, `${name} ran`);
    assert.is(r.steps.length, 2, `${name}: both steps (p99 stays far below 100 ms at toy size): ${r.stopped}`);
    r.steps.forEach((s, i) => {
      assert.ok(isMeasured(s), `${name} step ${i}: ${'error' in s ? s.error : ''}`);
      if (!isMeasured(s)) return;
      assert.is(s.clientsConnected, s.clients, `${name} step ${i}: clients`);
      assert.is(s.generator.processes, i === 0 ? 2 : 3, `${name} step ${i}: clients / --clients-per-load processes`);
      assert.is(s.generator.cpuShares.length, s.generator.processes);
      assert.is(s.generator.loopDelayP99Ms.length, s.generator.processes);
      assert.ok(s.pops.expected > 0, `${name} step ${i}: pops expected`);
      assert.is(s.pops.received, s.pops.expected, `${name} step ${i}: every pop arrived, joined to its client`);
      assert.ok(s.p99Ms !== null && s.p99Ms < 1000, `${name} step ${i}: p99 ${s.p99Ms}`);
      assert.ok(
        s.messagesPerSec > 0 && s.framesPerSec > 0,
        `${name} step ${i}: traffic ${s.messagesPerSec} msg/s, ${s.framesPerSec} frames/s`,
      );
    });
    assert.is(r.knee.past, null, `${name}: no step missed at toy size`);
    // The knee is the last counted step (a step is uncounted only if this shared machine starved the generator).
    const counted = r.steps.filter((s) => isMeasured(s) && s.counted).length;
    assert.is(r.knee.uncounted, 2 - counted);
    if (counted) assert.ok(r.knee.step, `${name}: knee reported`);
  }
  assert.is(res.comparison.length, 2);
  assert.ok(
    res.comparison.every((c) => c.clusterVsBridgeCpu === null),
    'no cluster run',
  );
  const chart = readFileSync(svg, 'utf8');
  assert.match(chart, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const id of ['p99', 'cpu'])
    for (const name of ['baseline', 'bridge'])
      assert.match(chart, new RegExp(`data-panel="${id}" data-series="${name}"`));
  assert.not.match(chart, /data-panel="(p99|cpu)" data-series="cluster"/, 'no cluster series without a cluster run');
  const md = readFileSync(doc, 'utf8');
  assert.ok(md.includes(BEGIN) && md.includes(END));
  assert.match(md, /!\[Capacity[^\]]*\]\(capacity\.svg\)/);
  assert.match(md, /\| bridge \(1 node\) \| (60×20|30×10) \(or more: no step missed\) \| – \|/);
  assert.match(md, /### bridge \(1 node\)\n\n\| step \(clients × events\/s\) \|/);
});

test.run();
