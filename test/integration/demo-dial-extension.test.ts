// What a demo user met (issue 16 item 4): click-to-call to a 2-digit extension answered `409 device_offline` while the
// agent's other dials worked. The bridge and the simulated AntRing now share one rule (2–6 digit extensions), and an
// AntRing 400 that is not about the device is "AntRing refused the call" (502), never an offline device.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Stack, startStack } from '../helpers/stack.js';

const t = suite<{ stack: Stack }>('click-to-call to an extension, through the simulated AntRing');
t.before(async (ctx) => {
  ctx.stack = await startStack({ devices: true, env: { DIAL_IDEMPOTENCY_MS: '0' } });
});
t.after(async (ctx) => {
  await ctx.stack?.close();
});

async function dial(stack: Stack, agent: string, number: string) {
  const res = await fetch(`${stack.url}/api/click-to-call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token('agent', { agent })}` },
    body: JSON.stringify({ number }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

t('extensions 12, 8002 and 123456 dial (202), like a customer number', async ({ stack }) => {
  for (const number of ['12', '8002', '123456', '0912345678']) {
    assert.equal(await dial(stack, 'lan.nguyen', number), { status: 202, body: { status: 'dialing', number } }, number);
  }
});

t(
  'the offline device is still 409 device_offline; the device AntRing does not know is 502 "refused"',
  async ({ stack }) => {
    const offline = stack.sim.data.agents.find((a) => !a.device.online)!;
    const off = await dial(stack, offline.username, '12');
    assert.is(off.status, 409);
    assert.is(off.body.error, 'device_offline');
    // AntRing no longer knows lan.nguyen's device password (changed on the PBX, not in DEVICES_FILE).
    const lan = stack.sim.data.agents.find((a) => a.username === 'lan.nguyen')!;
    const saved = lan.device.sipPassword;
    lan.device.sipPassword = 'changed-on-the-pbx';
    try {
      assert.equal(await dial(stack, 'lan.nguyen', '12'), {
        status: 502,
        body: { error: 'upstream_error', message: 'AntRing refused the call (HTTP 400: invalid device)' },
      });
    } finally {
      lan.device.sipPassword = saved;
    }
  },
);

t.run();
