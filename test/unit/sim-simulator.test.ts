// The composed simulator on one port: REST at /oapi/v1, AntCRM at /crm, the signal socket (both protocols),
// the scenario engine publishing through the hub, grouped fault switches, stats, an idempotent close().
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.js';
import { waitFor } from '../helpers/wait.js';
import { sha256 } from './sim-fixture.js';

const t = suite<{ sim: Simulator }>('startSimulator');
t.before.each(async (ctx) => {
  ctx.sim = await startSimulator({
    timing: { ivrMs: 0, queueMs: 0, ringMs: 5, talkMs: 5, agentRingMs: 0, routeMs: 0 },
    wrapupMs: 0,
  });
});
t.after.each((ctx) => ctx.sim.close());

const token = async (sim: Simulator) => {
  const c = sim.credentials;
  return fetch(`${sim.url}/oapi/v1/voice/auth_token`, {
    method: 'POST',
    headers: { 'x-auth-app-id': c.appId, 'x-auth-app-hash': sha256(c.appId + c.appSecret) },
  });
};

t('URLs and credentials', ({ sim }) => {
  assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.is(sim.apiUrl, sim.url);
  assert.is(sim.crmUrl, `${sim.url}/crm`);
  assert.is(sim.signalUrl('socketio'), sim.url);
  assert.is(sim.signalUrl('blackhole'), `${sim.url.replace('http:', 'ws:')}/blackhole`);
  const c = sim.credentials;
  assert.is(c.accountId, sim.data.org.accountId);
  assert.ok(c.appId && c.appSecret && c.crmApiKey && c.domain && c.email);
});

t('REST and CRM on the same port; stats count them', async ({ sim }) => {
  assert.is((await token(sim)).status, 200);
  const crm = await fetch(`${sim.crmUrl}/contacts?phone=0934890883`, {
    headers: { apikey: sim.credentials.crmApiKey },
  });
  assert.is(((await crm.json()) as unknown[]).length, 1);
  assert.is(sim.crmRequests('0934890883'), 1);
  const s = sim.stats();
  assert.is(s.authTokenRequests, 1);
  assert.is(s.crmRequests, 1);
  assert.is(s.rest.tokensIssued, 1);
  assert.is((await fetch(`${sim.url}/nothing`)).status, 404);
});

t('the seed history is there for call/histories', async ({ sim }) => {
  const c = sim.credentials;
  const to = String(Math.floor(Date.now() / 1000));
  const from = String(Number(to) - 30 * 86_400);
  const q = new URLSearchParams({
    appId: c.appId,
    created_from: from,
    created_to: to,
    limit: '100',
    page: '1',
    hash: sha256(`${from + to}1001${c.appId}${c.appSecret}`),
  });
  const body = (await (await fetch(`${sim.url}/oapi/v1/call/histories?${q}`)).json()) as {
    data: unknown[];
    total: number;
  };
  assert.ok(body.total > 50 && body.data.length === 100, `${body.total} records`);
});

t('grouped fault switches (and their flat aliases) act on the next request', async ({ sim }) => {
  sim.faults.tokens.reject = true;
  assert.is((await token(sim)).status, 401);
  assert.is(sim.faults.rejectTokens, true);
  sim.faults.rejectTokens = false;
  sim.faults.failTokens = true;
  assert.is((await token(sim)).status, 503);
  sim.faults.reset();
  assert.is((await token(sim)).status, 200);
  sim.faults.crm.fail = true;
  assert.is(
    (await fetch(`${sim.crmUrl}/contacts?phone=1`, { headers: { apikey: sim.credentials.crmApiKey } })).status,
    500,
  );
  sim.faults.crmFail = false;
  const body = (await (await token(sim)).json()) as { value: string };
  sim.faults.tokens.expireAll();
  assert.is(sim.tokens.check(body.value), 'expired');
});

t('click-to-call through REST plays the outbound legs; device offline → 400', async ({ sim }) => {
  const c = sim.credentials;
  const agent = sim.data.agents[2];
  const seen: string[] = [];
  sim.scenarios.observe((e) => seen.push(`${e.legId === e.callId ? 'A' : 'B'} ${e.name}`));
  const dial = () =>
    fetch(`${sim.url}/oapi/v1/call/click-to-call/0912345678`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-auth-app-id': c.appId,
        'x-auth-app-hash': sha256(c.appId + c.appSecret),
      },
      body: JSON.stringify({ sipUser: agent.device.sipUser, sipPassword: agent.device.sipPassword }),
    });
  assert.is((await dial()).status, 200);
  await waitFor(() => sim.scenarios.stats().completed === 1, { what: 'the click-to-call' });
  assert.equal(seen.slice(0, 3), ['A CHANNEL_CREATE', 'A CHANNEL_ANSWER', 'B CHANNEL_CREATE']);
  sim.faults.devices.setOnline(agent.username, false);
  const res = await dial();
  assert.is(res.status, 400);
  assert.equal(await res.json(), { message: 'device offline' });
  assert.is(sim.stats().clickToCallRequests, 2);
  assert.is(sim.stats().rest.clickToCall['0912345678'], 2);
});

t('Socket.IO 0.9 handshake is answered before express', async ({ sim }) => {
  const res = await fetch(`${sim.url}/socket.io/1/?t=${Date.now()}`);
  assert.is(res.status, 200);
  assert.match(await res.text(), /^[^:]+:\d+:\d+:websocket/);
});

t('a blackhole subscriber receives the Kazoo events a scenario publishes', async ({ sim }) => {
  const { value } = (await (await token(sim)).json()) as { value: string };
  const ws = new WebSocket(sim.signalUrl('blackhole'));
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (m) => frames.push(JSON.parse(String(m))));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(
    JSON.stringify({
      action: 'subscribe',
      auth_token: value,
      request_id: 'r1',
      data: { account_id: sim.credentials.accountId, binding: 'call.*.*' },
    }),
  );
  await sim.signals.waitForSubscriptions(1, { timeoutMs: 5000 });
  const r = await sim.scenarios.inboundQueueCall({ customer: '0934890883', agents: ['lan.nguyen'] });
  await waitFor(() => frames.filter((f) => f.action === 'event').length >= 7, { what: '7 events' });
  const events = frames.filter((f) => f.action === 'event').map((f) => f.data as Record<string, unknown>);
  assert.is(events[0]['Call-ID'] ?? events[0].call_id, r.callId, 'Title-Case or snake_case, drawn per call');
  assert.equal(
    events.map((e) => e['Event-Name'] ?? e.event_name),
    [
      'CHANNEL_CREATE',
      'CHANNEL_ANSWER',
      'CHANNEL_CREATE',
      'CHANNEL_ANSWER',
      'CHANNEL_BRIDGE',
      'CHANNEL_BRIDGE',
      'CHANNEL_DESTROY',
      'CHANNEL_DESTROY',
    ].slice(0, events.length),
  );
  assert.ok(sim.stats().scenarios.delivered >= 7);
  ws.close();
});

t('demo traffic runs and close() stops everything (idempotent)', async ({ sim }) => {
  sim.scenarios.startTraffic({ callsPerMinute: 3000, ringMs: [5, 20], talkMs: [5, 20], queueMs: [5, 20] });
  await waitFor(() => sim.scenarios.stats().completed >= 5, { what: '5 demo calls' });
  await Promise.all([sim.close(), sim.close()]);
  assert.not.ok(sim.scenarios.trafficRunning);
  await sim.close();
});

t.run();
