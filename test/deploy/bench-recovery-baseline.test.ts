// The "baseline+recovery" run of the bench: which runs a normal run measures, and its table in the report.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS, parseArgs, runList } from '../../bench/args.js';
import { recoveryTable } from '../../bench/report.js';
import type { BenchResult, RunResult } from '../../bench/results.js';

const t = suite('bench: baseline+recovery');
t('a normal run adds baseline-recovery after baseline; --no-recovery-baseline and capacity do not', () => {
  assert.equal(runList(parseArgs([])), ['baseline', 'baseline-recovery', 'bridge', 'cluster']);
  assert.equal(runList(parseArgs(['--runs', 'bridge,baseline'])), ['baseline', 'baseline-recovery', 'bridge']);
  assert.equal(runList(parseArgs(['--runs', 'bridge'])), ['bridge']);
  assert.equal(runList(parseArgs(['--runs', 'baseline-recovery,bridge'])), ['baseline-recovery', 'bridge']);
  assert.equal(runList(parseArgs(['--no-recovery-baseline'])), ['baseline', 'bridge', 'cluster']);
  assert.equal(runList(parseArgs(['--capacity'])), ['baseline', 'bridge']);
  assert.equal(DEFAULTS.runs, ['baseline', 'bridge', 'cluster']);
});

const run = (name: RunResult['name'], perK: number, mpcs: number, heap: number) =>
  ({
    name,
    cpu: { seconds: 1, utilization: 0.1, perThousandMessages: perK, messagesPerCpuSecond: mpcs },
    latency: { hit: { count: 1, p50: 1, p95: 2, p99: 3, max: 4, mean: 1 } },
    memory: { perClient: { rssBytes: 20_480, heapBytes: heap } },
  }) as unknown as RunResult;

t('the report shows both baselines and the ratio against each; nothing without the run', () => {
  const ratio = { p99: 1, messagesPerSec: 1, cpuPerMessage: 2, messagesPerCpuSecond: 0.5 };
  const res = {
    runs: {
      baseline: run('baseline', 0.025, 40_000, 11_776),
      'baseline-recovery': run('baseline-recovery', 0.03, 33_333, 12_288),
      bridge: run('bridge', 0.05, 20_000, 13_312),
    },
    ratios: ratio,
    ratiosVsRecovery: { ...ratio, cpuPerMessage: 1.67, messagesPerCpuSecond: 0.6 },
  } as unknown as BenchResult;
  const md = recoveryTable(res).join('\n');
  assert.match(md, /\| messages per CPU second \| 40,000 \| 33,333 \| 20,000 \| 0\.5 \| 0\.6 \|/);
  assert.match(md, /\| V8 heap per connected client \| 11\.5 KB \| 12 KB \| 13 KB \| {2}\| {2}\|/);
  assert.equal(recoveryTable({ ...res, runs: { baseline: res.runs.baseline } } as BenchResult), []);
});
t.run();
