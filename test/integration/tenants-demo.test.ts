// Demo mode runs two companies (contract §8, issue 17 item 7): two simulated AntRing + AntCRM accounts with their own
// traffic behind one bridge; each company's printed tokens see its own calls only; the operator token lists both.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createBridge } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startDemo } from '../../src/demo.js';
import { connectClient } from '../helpers/clients.js';
import { captureLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/wait.js';

const test = suite('tenants: demo mode with two companies');

test('two companies, their own calls and contacts; the operator sees both tenants', async () => {
  const demo = await startDemo(loadConfig({ PORT: '0', HOST: '127.0.0.1' }));
  const bridge = createBridge(demo.config, {
    logger: captureLogger('warn').logger,
    demoFeed: demo.simulator.demoFeed,
    tenants: () => demo.tenants,
  });
  try {
    const { url } = await bridge.start();
    assert.is(demo.companies.length, 2);
    const [a, b] = demo.companies;
    assert.is.not(a.accountId, b.accountId);
    const adminA = await connectClient(url, a.tokens.admin);
    const adminB = await connectClient(url, b.tokens.admin);
    for (const c of demo.companies) c.simulator.scenarios.startTraffic({ callsPerMinute: 600 });
    await adminA.waitCall((v) => v.contactStatus === 'found', 'a pop with a contact for company A', 15_000);
    await adminB.waitCall((v) => v.contactStatus === 'found', 'a pop with a contact for company B', 15_000);
    assert.equal([...new Set(adminA.calls.map((v) => v.org))], [a.accountId]);
    assert.equal([...new Set(adminB.calls.map((v) => v.org))], [b.accountId]);
    const res = await fetch(`${url}/api/tenants`, { headers: { authorization: `Bearer ${demo.operatorToken}` } });
    assert.is(res.status, 200);
    const tenants = (await res.json()) as { accountId: string; name: string; upstream: { state: string } }[];
    assert.equal(
      tenants.map((t) => [t.accountId, t.name]),
      demo.companies.map((c) => [c.accountId, c.name]),
    );
    await waitFor(
      async () => ((await (await fetch(`${url}/readyz`)).json()) as { status: string }).status === 'ready',
      {
        what: '/readyz ready',
      },
    );
    adminA.close();
    adminB.close();
  } finally {
    for (const c of demo.companies) c.simulator.scenarios.stopTraffic();
    await bridge.stop();
    await demo.close();
  }
});

test.run();
