// Issue 10 item 15: in demo traffic the focus (printed) agent gets a ringing call from a customer with one AntCRM
// contact as soon as the bridge listens, and about every minute after, while the rest of the traffic goes on.
// Measured on a fake clock: the engine's waits, the traffic's timers and the agent states all run on it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clockedHarness } from './sim-fixture.js';

const t = suite("demo traffic: the focus agent's pops");

function setup(ready?: () => Promise<unknown>) {
  const h = clockedHarness(42, { trafficReady: ready });
  const { clock, data } = h;
  const focus = data.agents[0];
  const pops: number[] = [];
  const others: string[] = []; // root legs: every call
  h.engine.observe((e) => {
    if (e.name !== 'CHANNEL_CREATE') return;
    if (e.legId === e.callId) return void others.push(e.callId);
    const ccv = e.payload['Custom-Channel-Vars'] as Record<string, string>;
    const number = e.payload['Caller-ID-Number'] as string;
    if (ccv['Owner-ID'] === focus.userId && data.expectedContacts(number).length === 1) pops.push(clock.now());
    else others.push(e.legId);
  });
  const t0 = clock.now();
  return { clock, h, pops, others, t0, focus };
}

t(
  'first pop within 10 s of the bridge listening, then one every 45–80 s for 10 minutes; other calls go on',
  async () => {
    let listening!: () => void;
    const s = setup(() => new Promise<void>((r) => (listening = r)));
    s.h.engine.startTraffic({ callsPerMinute: 20 });
    await s.clock.advance(3_000);
    assert.is(s.pops.length, 0, 'nothing rings the agent before the bridge listens');
    listening();
    const listenedAt = s.clock.now();
    await s.clock.advance(10_000);
    assert.ok(s.pops.length >= 1, 'a pop within 10 s');
    assert.ok(s.pops[0] - listenedAt <= 10_000);
    await s.clock.advance(600_000);
    s.h.engine.stopTraffic();
    const gaps = s.pops.slice(1).map((p, i) => p - s.pops[i]);
    assert.ok(s.pops.length >= 9, `pops in 10 min: ${s.pops.length} (gaps ${gaps.join(', ')})`);
    const periodic = gaps.filter((g) => g >= 45_000);
    for (const g of periodic) assert.ok(g <= 80_000, `gap ${g} ms`);
    assert.ok(periodic.length >= 8, `about every minute (gaps ${gaps.join(', ')})`);
    assert.ok(s.others.length > 60, `other traffic went on (${s.others.length} calls)`);
    s.h.engine.close();
  },
);

t('no bridge ever listening: the first pop still comes after the ready timeout', async () => {
  const s = setup(() => new Promise(() => {}));
  s.h.engine.startTraffic({ callsPerMinute: 1, readyTimeoutMs: 8_000 });
  await s.clock.advance(7_000);
  assert.is(s.pops.length, 0);
  await s.clock.advance(3_000);
  assert.is(s.pops.length, 1);
  s.h.engine.close();
  await s.clock.advance(120_000);
  assert.is(s.pops.length, 1, 'close() stops the pops');
});

t.run();
