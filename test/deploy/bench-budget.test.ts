// The CPU budget (bench/budget.ts): a profile's samples go to the row of the top-most frame that is ours or a
// library's, node internals pass through to their caller, GC and timers have their rows, only the window counts,
// and every column closes on the measured CPU so the gap rows add up to the measured gap.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { attribute, BUDGET_ROWS, budgetMarkdown, budgetTable, type CpuProfile, rowOfUrl } from '../../bench/budget.js';

const test = suite('bench CPU budget (attribution by subsystem)');
const ROOT = 'file:///work/main';

test('URLs map to subsystems; generic helpers and node internals pass through', () => {
  assert.is(rowOfUrl(`${ROOT}/dist/signals/frame-intake.js`), 'signal intake');
  assert.is(rowOfUrl(`${ROOT}/src/calls/engine.ts`), 'engine');
  assert.is(rowOfUrl(`${ROOT}/dist/enrich/enricher.js`), 'enrichment');
  assert.is(rowOfUrl(`${ROOT}/dist/fanout/publisher.js`), 'publisher + seq + live store');
  assert.is(rowOfUrl(`${ROOT}/bench/baseline-server.ts`), 'publisher + seq + live store');
  assert.is(rowOfUrl(`${ROOT}/dist/dashboard/poller.js`), 'dashboard + directory');
  assert.is(rowOfUrl(`${ROOT}/dist/http/metrics.js`), 'metrics');
  assert.is(rowOfUrl(`${ROOT}/dist/log.js`), 'logging');
  assert.is(
    rowOfUrl(`${ROOT}/node_modules/socket.io-adapter/dist/in-memory-adapter.js`),
    rowOfUrl(`${ROOT}/node_modules/ws/lib/sender.js`),
  );
  assert.is(
    rowOfUrl(`${ROOT}/node_modules/engine.io/build/socket.js`),
    'Socket.IO encode/emit (socket.io, engine.io, ws)',
  );
  assert.is(rowOfUrl(`${ROOT}/node_modules/pino/lib/proto.js`), 'logging');
  assert.is(rowOfUrl(`${ROOT}/node_modules/prom-client/lib/counter.js`), 'metrics');
  assert.is(rowOfUrl(`${ROOT}/node_modules/lru-cache/dist/esm/index.js`), undefined);
  assert.is(rowOfUrl('node:internal/timers'), undefined);
  assert.is(rowOfUrl(`${ROOT}/node_modules/node-fetch/src/index.js`), rowOfUrl(`${ROOT}/dist/upstream/fetch.js`));
  assert.is(rowOfUrl(''), undefined);
});

// root → timers → ours(publisher) → node:net → (native leaf);  root → lru-cache under enrich;  GC; idle; timers only.
function profile(): CpuProfile {
  const n = (id: number, functionName: string, url: string, children: number[] = []) => ({
    id,
    callFrame: { functionName, url },
    children,
  });
  return {
    nodes: [
      n(1, '(root)', '', [2, 6, 8, 9, 10]),
      n(2, 'listOnTimeout', 'node:internal/timers', [3, 11]),
      n(3, 'publish', `${ROOT}/dist/fanout/publisher.js`, [4]),
      n(4, 'write', 'node:net', [5]),
      n(5, 'writev', ''),
      n(6, 'lookup', `${ROOT}/dist/enrich/enricher.js`, [7]),
      n(7, 'get', `${ROOT}/node_modules/lru-cache/dist/esm/index.js`),
      n(8, '(garbage collector)', ''),
      n(9, '(idle)', ''),
      n(10, '(program)', ''),
      n(11, 'processTimers', 'node:internal/timers'),
    ],
    // 10 samples, 1 ms apart, from t=0 µs; the profile ends at 10,000 µs.
    samples: [5, 5, 7, 8, 9, 9, 10, 11, 5, 7],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    startTime: 0,
    endTime: 10_000,
  };
}

test('samples go to the top-most frame of ours or a library, GC, timers, other; idle is left out', () => {
  const rows = attribute(profile());
  assert.is(rows['publisher + seq + live store'], 3);
  assert.is(rows.enrichment, 2);
  assert.is(rows.GC, 1);
  assert.is(rows.timers, 1);
  assert.is(rows['other (node internals, native, program)'], 1);
  assert.is(
    BUDGET_ROWS.reduce((a, r) => a + rows[r], 0),
    8,
  );
});

test('only the window counts', () => {
  // Window: from 5 ms before the end to 1 ms before it → sample times 5,000..8,999 µs (samples 5..8).
  const rows = attribute(profile(), { span: { fromEndMs: 5, toEndMs: 1 } });
  assert.is(rows['publisher + seq + live store'], 0);
  assert.is(rows['other (node internals, native, program)'], 1);
  assert.is(rows.timers, 1);
  assert.is(rows.enrichment, 0);
});

test('each column is scaled to its measured CPU: the gap rows add up to the measured gap, biggest first', () => {
  const bridge = attribute(profile()); // 8 ms sampled
  const baseline = attribute({ ...profile(), samples: [5, 9, 9, 9, 9, 9, 9, 9, 9, 8] }); // 2 ms sampled
  const b = budgetTable(
    bridge,
    baseline,
    { clients: 10, rate: 1, windowSec: 1, messages: 100 },
    {
      bridgeCpuMs: 12,
      baselineCpuMs: 3,
    },
  );
  assert.equal(b.scale, { bridge: 1.5, baseline: 1.5 });
  assert.is(b.gapMs, 9);
  assert.is(b.rowsSumMs, 9);
  assert.is(b.lines[0].row, 'enrichment');
  assert.is(b.lines[0].gapMs, 3);
  const pub = b.lines.find((l) => l.row === 'publisher + seq + live store');
  assert.equal(pub, {
    row: 'publisher + seq + live store',
    bridgeMs: 4.5,
    baselineMs: 1.5,
    bridgeSampledMs: 3,
    baselineSampledMs: 1,
    gapMs: 3,
    gapUsPerMessage: 30,
    gapPct: 33.3,
  });
  const md = budgetMarkdown(b).join('\n');
  assert.match(md, /\| publisher \+ seq \+ live store \| 4.5 \| 1.5 \| 3 \| 30 \| 33.3 % \|/);
});

test('the main thread is spread by samples, other threads are a row; a baseline that delivered more is scaled', () => {
  const bridge = attribute(profile()); // 8 ms sampled
  const baseline = attribute({ ...profile(), samples: [5, 9, 9, 9, 9, 9, 9, 9, 9, 8] }); // 2 ms sampled
  const b = budgetTable(
    bridge,
    baseline,
    { clients: 10, rate: 1, windowSec: 1, messages: 100, baselineMessages: 200 },
    { bridgeCpuMs: 12, bridgeMainMs: 4, baselineCpuMs: 8, baselineMainMs: 6 },
  );
  // Baseline for the bridge's 100 messages: 4 ms (3 main, 1 other threads).
  assert.is(b.baselineCpuMs, 4);
  assert.is(b.gapMs, 8);
  assert.is(b.rowsSumMs, 8);
  assert.equal(b.scale, { bridge: 0.5, baseline: 1.5 });
  const threads = b.lines.find((l) => l.row === 'other threads (GC helpers, libuv pool, module loader)');
  assert.equal([threads?.bridgeMs, threads?.baselineMs, threads?.gapMs], [8, 1, 7]);
  const pub = b.lines.find((l) => l.row === 'publisher + seq + live store');
  assert.equal([pub?.bridgeMs, pub?.baselineMs, pub?.gapMs], [1.5, 1.5, 0]);
});

test.run();
