// The whole simulated AntRing + AntCRM on one http.Server: REST at /oapi/v1, AntCRM at /crm, the call-signal
// socket (Socket.IO 0.9 under /socket.io/, Kazoo blackhole elsewhere), the scenario engine and every fault switch.
// Used by the bridge's demo mode, the tests and the benchmarks.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { CHANNEL_EVENT_NAMES } from '../shared/channel-events.js';
import { antbotSim } from './antbot.js';
import { antcrm } from './antcrm.js';
import { antringRest } from './antring-rest.js';
import { createSeed } from './data.js';
import { SimFaults } from './faults.js';
import { seedHistory } from './history.js';
import { alarmCallbacks } from './scenario-callback.js';
import { ScenarioAbortedError } from './scenario-types.js';
import { ScenarioEngine } from './scenarios.js';
import { attachSignalServers } from './signal-servers.js';
import type { SocketIo09Framing } from './signal-socketio09.js';
import type { Simulator, SimulatorCredentials, SimulatorOptions } from './simulator-types.js';
import { SimState } from './state.js';
import { TokenRegistry } from './token-registry.js';
import { webhookReceiver } from './webhook-receiver.js';

export type { Simulator, SimulatorCredentials, SimulatorOptions, SimulatorStats } from './simulator-types.js';

/** The simulator's default Socket.IO 0.9 framing: a third of the ticks batched, a quarter of the events with object args. */
export const DEFAULT_FRAMING: Omit<SocketIo09Framing, 'random'> = { batch: 0.35, objectArgs: 0.25 };
/** Socket.IO 0.9 framing of the classic shape: one message per event, array args. */
export const PLAIN_FRAMING: Omit<SocketIo09Framing, 'random'> = { batch: 0, objectArgs: 0 };

/** The call events a listening bridge subscribes to (the traffic's first pop waits for them). */
const LISTENED = CHANNEL_EVENT_NAMES.filter((n) => n !== 'CHANNEL_BRIDGE');

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const logger = (opts.logger ?? pino({ level: 'silent' })).child({ mod: 'simulator' });
  const data = createSeed({ accountId: opts.accountId });
  const credentials: SimulatorCredentials = {
    appId: opts.appId ?? 'antring-sim',
    appSecret: opts.appSecret ?? randomBytes(16).toString('hex'),
    accountId: data.org.accountId,
    crmApiKey: opts.crmApiKey ?? randomBytes(16).toString('hex'),
    antbotUsername: opts.antbotUsername ?? 'antbot-sim',
    antbotPassword: opts.antbotPassword ?? randomBytes(16).toString('hex'),
    domain: data.org.domain,
    email: data.org.email,
  };
  const state = new SimState(data, { wrapupMs: opts.wrapupMs });
  const historyCount = opts.historySeedCount ?? 240;
  if (historyCount > 0) for (const r of seedHistory(data, Date.now(), historyCount)) state.addHistory(r);
  const tokens = new TokenRegistry();

  const server = http.createServer();
  const signals = attachSignalServers(server, {
    tokens,
    heartbeatSec: opts.heartbeatSec,
    logger,
    framing: { ...DEFAULT_FRAMING, ...opts.framing, random: opts.framing?.random ?? opts.random },
  });
  const faults = new SimFaults({
    tokens,
    data,
    state,
    signal: signals,
    tokenLifetimeMs: opts.tokenLifetimeMs,
    expireFormat: opts.expireFormat,
  });
  const scenarios = new ScenarioEngine({
    data,
    state,
    publish: (p) => signals.publish(p),
    delay: opts.delay,
    keyStyle: opts.keyStyle,
    shapes: opts.shapes,
    timing: opts.timing,
    random: opts.random,
    onError: (err) => logger.error({ err }, 'simulated call failed'),
    trafficReady: () => signals.waitForListener(data.org.accountId, LISTENED, { timeoutMs: 60_000 }),
  });
  const rest = antringRest({
    data,
    state,
    tokens,
    faults,
    credentials,
    startClickToCall: (agent, number) => {
      scenarios
        .clickToCall({ agent: agent.username, number, result: faults.clickToCall.result, via: 'openapi' })
        .catch((err: unknown) => {
          if (!(err instanceof ScenarioAbortedError)) logger.error({ err }, 'click-to-call scenario failed');
        });
    },
  });
  const antbot = antbotSim({ username: credentials.antbotUsername, password: credentials.antbotPassword });
  // An alarm makes Alice call the customer and transfer the answered call: agents ring (scenario-callback.ts).
  antbot.calendar.onAlarm(
    alarmCallbacks({ scenarios, data, onError: (err) => logger.error({ err }, 'simulated callback failed') }),
  );
  const crm = antcrm({
    contacts: data.contacts,
    apiKey: credentials.crmApiKey,
    faults: faults.crm,
    writeFaults: faults.crmWrites,
    random: opts.random,
  });
  const receiver = webhookReceiver({
    secret: opts.webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`,
    faults: faults.webhooks,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/oapi/v1', rest.router);
  app.use('/crm', crm.router);
  app.use('/antbot/rest-api', antbot.router);
  app.use('/webhooks', receiver.router);
  app.use(rest.recordings);
  app.use((_req, res) => void res.status(404).json({ message: 'not found' }));
  server.on('request', (req, res) => {
    if (signals.handleHandshake(req, res)) return;
    app(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url }, 'simulator listening');

  let closing: Promise<void> | undefined;
  const doClose = async (): Promise<void> => {
    scenarios.close();
    antbot.stop();
    await signals.close();
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  };

  return {
    url,
    apiUrl: url,
    crmUrl: `${url}/crm`,
    antbotUrl: `${url}/antbot/rest-api`,
    antbot,
    signalUrl: (protocol) => (protocol === 'blackhole' ? `${url.replace(/^http/, 'ws')}/blackhole` : url),
    credentials,
    data,
    state,
    tokens,
    scenarios,
    faults,
    signals,
    crmRequests: (phone) => crm.crmRequests(phone),
    crm: {
      tickets: () => crm.tickets(),
      leads: () => crm.added().filter((r) => r.contactType === 'lead'),
      writeStats: () => crm.writeStats(),
    },
    webhooks: {
      url: `${url}/webhooks`,
      secret: receiver.secret,
      deliveries: () => receiver.deliveries(),
      stats: () => receiver.stats(),
      reset: () => receiver.reset(),
    },
    demoFeed: {
      crm: () => ({
        tickets: crm.tickets().reverse(),
        leads: crm
          .added()
          .filter((r) => r.contactType === 'lead')
          .reverse(),
      }),
      webhooks: () => ({ deliveries: receiver.deliveries().reverse() }),
    },
    stats: () => {
      const r = rest.stats();
      const c = crm.stats();
      return {
        authTokenRequests: r.routes['POST /voice/auth_token'] ?? 0,
        crmRequests: c.total,
        clickToCallRequests: r.routes['POST /call/click-to-call'] ?? 0,
        rest: r,
        crm: c,
        antbot: antbot.stats(),
        signals: signals.stats(),
        scenarios: scenarios.stats(),
      };
    },
    close: () => (closing ??= doClose()),
  };
}
