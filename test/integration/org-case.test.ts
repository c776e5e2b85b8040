// Org ids, one rule (issue 15 item 3): Kazoo account ids are lowercase hex. An ANTRING_ACCOUNT_ID written in upper
// case is normalised once at configuration, a JWT `org` at verification; everything else compares exactly. Before,
// intake compared case-insensitively and the engine exactly: every event passed intake and was dropped as another org's.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ORG } from '../fixtures/kazoo/index.js';
import { connectClient } from '../helpers/clients.js';
import { JWT_SECRET, type Stack, startStack } from '../helpers/stack.js';
import { roleToken } from '../helpers/tokens.js';

const t = suite<{ stack: Stack }>('org ids: an upper-case ANTRING_ACCOUNT_ID');
t.before(async (ctx) => {
  ctx.stack = await startStack({ env: { ANTRING_ACCOUNT_ID: ORG.toUpperCase() } });
});
t.after(async (ctx) => {
  await ctx.stack?.close();
});

t('events are still delivered; tokens with the org in either case are accepted', async ({ stack }) => {
  assert.is(stack.org, ORG, 'the simulator account is the corpus org');
  const { sim } = stack;
  const agent = sim.data.agents[0].username;
  const customer = sim.data.customerNumbers({ withContact: true, multiple: false, legacy: false })[0];
  const admin = await stack.client('admin');
  const shouting = await connectClient(
    stack.url,
    roleToken('agent', { org: ORG.toUpperCase(), secret: JWT_SECRET, extra: { agent } }),
  );
  try {
    const { callId } = await sim.scenarios.directCall({
      customer,
      agent,
      result: 'answered',
      ringMs: 100,
      talkMs: 100,
    });
    const seen = await admin.waitCall((v) => v.callId === callId && v.state === 'ended', 'the call ended (admin)');
    assert.is(seen.org, ORG, 'views carry the normalised org');
    assert.is(seen.outcome, 'answered');
    const own = await shouting.waitCall((v) => v.callId === callId && v.state === 'ended', 'the call ended (agent)');
    assert.is(own.outcome, 'answered');
    assert.is(stack.bridge.status().signal, 'live');
  } finally {
    shouting.close();
  }
});

t.run();
