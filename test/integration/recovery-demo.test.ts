// Issue 18 item 5: demo mode (no configuration) has callbacks on with the simulator's AntBot: a missed call of a demo
// company shows `open`, then AntBot's simulated callback rings the queue with `callback: true` and an agent's answer
// makes it `recovered` (the demo's 30 s delay shortened to 1 s here).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createBridge } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startDemo } from '../../src/demo.js';
import { connectClient } from '../helpers/clients.js';
import { captureLogger } from '../helpers/logs.js';

const test = suite('demo mode: missed-call recovery on');

test('demo defaults: callbacks on, 30 s; a missed call is called back and recovered', async () => {
  assert.equal(
    (({ enabled, delaySec }) => ({ enabled, delaySec }))(loadConfig({ PORT: '0', HOST: '127.0.0.1' }).callbacks),
    { enabled: true, delaySec: 30 },
  );
  const demo = await startDemo(loadConfig({ PORT: '0', HOST: '127.0.0.1', CALLBACK_DELAY_S: '1' }));
  const bridge = createBridge(demo.config, {
    logger: captureLogger('warn').logger,
    demoFeed: demo.simulator.demoFeed,
    tenants: () => demo.tenants,
  });
  try {
    const { url } = await bridge.start();
    const [a] = demo.companies;
    const admin = await connectClient(url, a.tokens.admin);
    const queue = a.simulator.data.queues[0];
    const { callId } = await a.simulator.scenarios.inboundQueueCall({
      customer: '0934890777',
      queueId: queue.id,
      agents: [a.agentUsername],
      answeredBy: null,
      ringMs: 200,
    });
    await admin.waitCall((v) => v.callId === callId && v.recovery?.status === 'open', 'the recovery open', 15_000);
    const cb = await admin.waitCall((v) => v.callback === true, 'the simulated callback', 20_000);
    assert.equal(cb.recovers, [callId]);
    const done = await admin.waitCall(
      (v) => v.callId === callId && v.recovery?.status === 'recovered',
      'recovered by the callback',
      20_000,
    );
    assert.is(done.recovery?.by, 'callback');
    admin.close();
  } finally {
    await bridge.stop();
    await demo.close();
  }
});

test.run();
