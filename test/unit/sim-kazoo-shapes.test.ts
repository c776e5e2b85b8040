// Issue 9 "the simulator speaks the same": the generated traffic uses the shapes real Kazoo sends (mixed key styles,
// microsecond Msg-IDs shared by two DESTROYs, legs linked late, SIP user names first, desk dial-outs, feature codes,
// click-to-call legs as cb_clicktocall sets them, Other-Leg-* / Hangup-Code / Billing-Milli-Seconds fields),
// deterministic with the injected random.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRandom } from '../../src/simulator/history.js';
import { buildEvent, type LegSpec, toSnakeCase } from '../../src/simulator/kazoo-payload.js';
import { DEFAULT_SHAPES } from '../../src/simulator/kazoo-shapes.js';
import { accountIdOf, callRouteOf } from '../../src/simulator/signal-topic.js';
import { harness } from './sim-fixture.js';

const t = suite('kazoo shapes in generated traffic');
type P = Record<string, unknown>;

/** Title-Case view of any payload (snake_case keys mapped back by their snake form). */
const get = (p: P, key: string): unknown => p[key] ?? p[key.replace(/-/g, '_').toLowerCase()];
const ccv = (p: P): P => (get(p, 'Custom-Channel-Vars') ?? {}) as P;
const name = (p: P) => get(p, 'Event-Name') as string;
const callId = (p: P) => get(p, 'Call-ID') as string;

async function traffic(seed: number, calls = 40) {
  const h = harness({ random: seededRandom(seed), shapes: DEFAULT_SHAPES });
  const agents = h.data.agents.map((a) => a.username);
  for (let i = 0; i < calls; i++) {
    const ag = agents[i % 5];
    await h.engine.inboundQueueCall({
      customer: '0934890883',
      customerName: 'Nguyễn Văn An 🌸',
      agents: [ag],
      talkMs: 31_000,
    });
    await h.engine.directCall({ customer: '0912345678', agent: ag, result: 'answered' });
    await h.engine.internalCall({ from: ag, to: agents[(i + 1) % 5] });
  }
  return h;
}

t('key styles are mixed per call (Title-Case and snake_case), each call in one style', async () => {
  const { published } = await traffic(1);
  const snake = published.filter((p) => 'event_name' in p).length;
  const title = published.filter((p) => 'Event-Name' in p).length;
  assert.ok(snake > 50 && title > 50, `both styles (${title} title, ${snake} snake)`);
  const styleOf = new Map<string, string>();
  for (const p of published) {
    const root = callId(p);
    const s = 'event_name' in p ? 'snake' : 'title';
    assert.not.ok('Event-Name' in p && 'event_name' in p);
    if (name(p) === 'CHANNEL_CREATE' && !get(p, 'Other-Leg-Call-ID')) styleOf.set(root, s);
  }
  assert.ok(styleOf.size > 50);
});

t("Msg-ID is a microsecond timestamp; some calls' two DESTROYs share one, nothing else does", async () => {
  const { published } = await traffic(2);
  const byId = new Map<string, P[]>();
  for (const p of published) {
    const id = get(p, 'Msg-ID') as string;
    assert.match(id, /^[0-9]{16}$/);
    byId.set(id, [...(byId.get(id) ?? []), p]);
  }
  const shared = [...byId.values()].filter((ps) => ps.length > 1);
  assert.ok(shared.length >= 10, `shared Msg-IDs: ${shared.length}`);
  for (const ps of shared) {
    assert.is(ps.length, 2);
    assert.equal(ps.map(name), ['CHANNEL_DESTROY', 'CHANNEL_DESTROY']);
    assert.is.not(callId(ps[0]), callId(ps[1]), 'two legs of one call');
  }
});

t(
  'some answered agent legs are CREATEd unlinked (or with their own id) and linked on ANSWER, BRIDGE and DESTROY',
  async () => {
    const { published, data } = await traffic(3);
    const owners = new Set(data.agents.map((a) => a.userId));
    const agentCreates = published.filter(
      (p) =>
        name(p) === 'CHANNEL_CREATE' &&
        owners.has((ccv(p)['Owner-ID'] as string) ?? (ccv(p).owner_id as string)) &&
        get(p, 'Call-Direction') === 'outbound',
    );
    const none = agentCreates.filter((p) => get(p, 'Other-Leg-Call-ID') === undefined);
    const self = agentCreates.filter((p) => get(p, 'Other-Leg-Call-ID') === callId(p));
    assert.ok(none.length >= 5 && self.length >= 5, `late links: ${none.length} none, ${self.length} self`);
    for (const c of [...none, ...self]) {
      const later = published.filter((p) => callId(p) === callId(c) && name(p) !== 'CHANNEL_CREATE');
      assert.equal(later.map(name).slice(0, 2), ['CHANNEL_ANSWER', 'CHANNEL_BRIDGE']);
      for (const p of later) {
        const other = get(p, 'Other-Leg-Call-ID') as string;
        assert.ok(other && other !== callId(c), 'linked from the ANSWER on');
      }
      const bridge = later.find((p) => name(p) === 'CHANNEL_BRIDGE')!;
      assert.ok(
        get(bridge, 'Bridge-ID') ?? ccv(bridge)['Bridge-ID'] ?? ccv(bridge).bridge_id,
        'Bridge-ID at the top or in Custom-Channel-Vars',
      );
      assert.is(get(bridge, 'Bridge-B-Unique-ID'), get(bridge, 'Other-Leg-Call-ID'));
    }
    const inCcv = published.filter((p) => ccv(p)['Bridge-ID'] ?? ccv(p).bridge_id).length;
    const top = published.filter((p) => get(p, 'Bridge-ID')).length;
    assert.ok(inCcv > 10 && top > 10, `Bridge-ID in CCV ${inCcv}, top ${top}`);
  },
);

t(
  'durations as numbers or digit strings; Hangup-Code, Billing-Milli-Seconds, Channel-Created-Time, Other-Leg-* present',
  async () => {
    const { published } = await traffic(4);
    const destroys = published.filter((p) => name(p) === 'CHANNEL_DESTROY');
    const numeric = destroys.filter((p) => typeof get(p, 'Billing-Seconds') === 'number');
    const strings = destroys.filter((p) => typeof get(p, 'Billing-Seconds') === 'string');
    assert.ok(numeric.length > 20 && strings.length > 20);
    const talk = destroys.find(
      (p) => get(p, 'Caller-ID-Number') === '0934890883' && Number(get(p, 'Billing-Seconds')) === 31,
    )!;
    assert.ok(talk, 'a 31 s talk');
    assert.is(Number(get(talk, 'Billing-Milli-Seconds')), 31_000);
    assert.is(get(talk, 'Hangup-Code'), 'sip:200');
    assert.is(get(talk, 'Disposition'), 'ANSWER');
    assert.match(get(talk, 'Channel-Created-Time') as string, /^[0-9]{16}$/);
    const bridged = published.filter(
      (p) =>
        name(p) === 'CHANNEL_BRIDGE' &&
        get(p, 'Other-Leg-Caller-ID-Number') === '0934890883' &&
        get(p, 'Other-Leg-Direction') === 'inbound',
    );
    assert.ok(bridged.length > 0);
    for (const p of bridged)
      assert.is(get(p, 'Other-Leg-Destination-Number'), '02873019555', 'the customer leg dialled the DID');
  },
);

t('a caller name learned later: CREATE shows nothing or the SIP user, a later event the real name', async () => {
  const { published, data } = await traffic(5);
  const custCreates = published.filter(
    (p) =>
      name(p) === 'CHANNEL_CREATE' &&
      get(p, 'Caller-ID-Number') === '0934890883' &&
      get(p, 'Call-Direction') === 'inbound',
  );
  const blank = custCreates.filter((p) => get(p, 'Caller-ID-Name') === '');
  assert.ok(
    blank.length >= 5 && blank.length < custCreates.length,
    `${blank.length} of ${custCreates.length} without the name first`,
  );
  for (const c of blank) {
    const answer = published.find((p) => callId(p) === callId(c) && name(p) === 'CHANNEL_ANSWER')!;
    assert.is(get(answer, 'Caller-ID-Name'), 'Nguyễn Văn An 🌸');
  }
  const sipUsers = new Set(data.agents.map((a) => a.device.sipUser));
  const internal = published.filter(
    (p) => name(p) === 'CHANNEL_CREATE' && sipUsers.has(get(p, 'Caller-ID-Name') as string),
  );
  assert.ok(internal.length >= 5, 'internal callers shown as user_… on CREATE');
  assert.match(get(internal[0], 'Caller-ID-Name') as string, /^user_[a-z0-9]+$/);
});

t('same seed, same shapes', async () => {
  const shape = (ps: P[]) =>
    ps
      .map(
        (p) =>
          `${'event_name' in p ? 's' : 't'}${typeof get(p, 'Billing-Seconds')}${get(p, 'Other-Leg-Call-ID') ? 1 : 0}`,
      )
      .join();
  assert.is(shape((await traffic(9, 10)).published), shape((await traffic(9, 10)).published));
  assert.is.not(shape((await traffic(9, 10)).published), shape((await traffic(10, 10)).published));
});

t('desk-phone dial-out: the agent leg first (inbound, Owner-ID), carrier leg, both answered and billed', async () => {
  const { engine, published, data } = harness();
  const agent = data.agents[1];
  const r = await engine.deskDialOut({
    agent: agent.username,
    number: '0912345678',
    result: 'answered',
    talkMs: 31_000,
  });
  const [A] = r.legs;
  assert.is(r.callId, A);
  const seq = published.map((p) => `${callId(p) === A ? 'A' : 'B'} ${name(p).replace('CHANNEL_', '')}`);
  assert.equal(seq, ['A CREATE', 'B CREATE', 'B ANSWER', 'A ANSWER', 'A BRIDGE', 'B BRIDGE', 'A DESTROY', 'B DESTROY']);
  const a = published[0];
  assert.is(get(a, 'Call-Direction'), 'inbound');
  assert.is(ccv(a)['Owner-ID'], agent.userId);
  assert.is(get(a, 'Callee-ID-Number'), '0912345678');
  assert.is(get(a, 'To'), '0912345678@acme.antring.vn');
  const aDestroy = published[6];
  assert.equal([get(aDestroy, 'Billing-Seconds'), get(aDestroy, 'Disposition')], ['31', 'ANSWER']);
  // only the agent's leg seen (the carrier leg under another account): still answered and billed
  const lone = harness();
  const r2 = await lone.engine.deskDialOut({
    agent: agent.username,
    number: '0912345678',
    result: 'answered',
    carrierLegSeen: false,
    talkMs: 31_000,
  });
  assert.ok(lone.published.every((p) => callId(p) === r2.callId));
  assert.equal(lone.published.map(name), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_BRIDGE', 'CHANNEL_DESTROY']);
  assert.is(get(lone.published[3], 'Billing-Seconds'), '31');
});

t('feature code: one agent leg to *97@realm, answered by the switch', async () => {
  const { engine, published, data } = harness();
  const r = await engine.featureCode({ agent: data.agents[0].username, code: '*97' });
  assert.is(r.legs.length, 1);
  assert.equal(published.map(name), ['CHANNEL_CREATE', 'CHANNEL_ANSWER', 'CHANNEL_DESTROY']);
  assert.is(get(published[0], 'To'), '*97@acme.antring.vn');
  assert.is(get(published[0], 'Callee-ID-Number'), '*97');
  assert.is(ccv(published[0])['Owner-ID'], data.agents[0].userId);
});

t('click-to-call first leg: what cb_clicktocall.erl sets', async () => {
  const { engine, published, data } = harness();
  const agent = data.agents[0];
  const r = await engine.clickToCall({ agent: agent.username, number: '0912345678', result: 'answered' });
  assert.match(r.callId, /^c2c-[0-9a-f]{32}-[0-9a-f]{10}$/);
  const v = ccv(published[0]);
  assert.is(v['Authorizing-Type'], 'clicktocall');
  assert.match(v['Authorizing-ID'] as string, /^[0-9a-f]{32}$/);
  assert.is(v['Loopback-Request-URI'], '0912345678@acme.antring.vn');
  assert.is(v['From-URI'], `${agent.ext[0]}@acme.antring.vn`);
  assert.equal([v['Retain-CID'], v['Inherit-Codec']], ['true', 'false']);
  assert.is(v['Owner-ID'], agent.userId);
});

t('webhooks shape (forced): snake_case, hook_event, owner_id and account_id at the top level', () => {
  const leg: LegSpec = {
    callId: 'x1',
    direction: 'outbound',
    callerIdNumber: '0934890883',
    calleeIdNumber: '8001',
    from: '0934890883',
    to: '8001',
    request: 'u',
    accountId: 'a'.repeat(32),
    realm: 'acme.antring.vn',
    ownerId: 'b'.repeat(32),
    queueId: 'q1',
  };
  const p = buildEvent('CHANNEL_CREATE', leg, { at: Date.now() }, 'webhooks');
  assert.is(p.hook_event, 'channel_create');
  assert.is(p.owner_id, 'b'.repeat(32));
  assert.is(p.account_id, 'a'.repeat(32));
  assert.is(p.call_id, 'x1');
  assert.not.ok('event_name' in p || 'msg_id' in p);
  assert.equal(p.custom_channel_vars, { realm: 'acme.antring.vn', queue_id: 'q1' });
  assert.is(toSnakeCase({ 'Other-Leg-Call-ID': 1 }).other_leg_call_id, 1);
  assert.is(callRouteOf(p)?.routingKey, 'call.CHANNEL_CREATE.x1', 'the simulated hub routes it by hook_event');
  assert.is(accountIdOf(p), 'a'.repeat(32));
});

t.run();
