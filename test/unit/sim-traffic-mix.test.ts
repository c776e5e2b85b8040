// The demo traffic's mix, as the wallboard shows it: at the demo's rate (20 calls a minute, `DEMO_CALLS_PER_MINUTE`),
// the queues are busy but not in crisis: 5–15 % of the offered queue calls abandoned, most answered, and a caller who
// finds every agent busy waits in the queue (music) for one rather than hanging up at once.
// Measured on a fake clock over an hour of traffic: the engine's waits, the traffic's timers, the agent states.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clockedHarness } from './sim-fixture.js';

const t = suite('demo traffic: the mix the wallboard shows');

async function run(seed: number, callsPerMinute: number, minutes: number) {
  const h = clockedHarness(seed);
  const { clock, state } = h;
  h.engine.startTraffic({ callsPerMinute });
  let maxWaiting = 0;
  for (let m = 0; m < minutes; m++) {
    await clock.advance(60_000);
    maxWaiting = Math.max(maxWaiting, state.waiting.size);
  }
  h.engine.close();
  const { offered, handled, abandoned, waitSum, waitCount } = state.totals;
  return { offered, handled, abandoned, share: abandoned / offered, avgWaitSec: waitSum / waitCount, maxWaiting };
}

for (const seed of [1, 42, 2026]) {
  t(`20 calls/min, an hour (seed ${seed}): 5–15 % of offered queue calls abandoned, the rest answered`, async () => {
    const r = await run(seed, 20, 60);
    const figures = JSON.stringify(r);
    assert.ok(r.offered >= 200, `enough queue calls offered: ${figures}`);
    assert.ok(r.share >= 0.05 && r.share <= 0.15, `abandoned share: ${figures}`);
    assert.ok(r.handled + r.abandoned >= r.offered - 10, `offered calls end answered or abandoned: ${figures}`);
    assert.ok(r.avgWaitSec < 60, `callers wait under a minute on average: ${figures}`);
    assert.ok(r.maxWaiting <= 12, `the queue does not pile up: ${figures}`);
  });
}

t('the first 38 offered calls (what a new user sees): not 20 abandoned, 1 to 7 at most', async () => {
  // The snapshot: 20 of 38 offered calls abandoned. At 20 calls/min, ~38 queue calls are offered in ~7 min.
  for (const seed of [1, 7, 42]) {
    const h = clockedHarness(seed);
    const { clock, state } = h;
    h.engine.startTraffic({ callsPerMinute: 20 });
    while (state.totals.offered < 38) await clock.advance(5_000);
    await clock.advance(120_000); // every one of them has ended
    h.engine.close();
    const figures = JSON.stringify(state.totals);
    assert.ok(state.totals.abandoned <= 7, `seed ${seed}: ${figures}`);
  }
});

t.run();
