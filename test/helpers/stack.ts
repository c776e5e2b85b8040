// The real bridge on port 0 against the simulator, with teardown. Used by every integration test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bridge, type BridgeDeps, createBridge } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/contract.js';
import type { SignalProtocol } from '../../src/shared/signal-protocol.js';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.js';
import { connectClient, type RecordingClient } from './clients.js';
import { captureLogger } from './logs.js';
import { roleToken } from './tokens.js';
import { waitFor } from './wait.js';

export const JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

export interface StackOptions {
  protocol?: SignalProtocol;
  tokenLifetimeMs?: number;
  expireFormat?: 'unix-s' | 'unix-ms' | 'ttl-s' | 'iso';
  crmBudgetMs?: number;
  heartbeatSec?: number;
  env?: Record<string, string>;
  /** More environment made from the simulator once it runs (its AntBot's credentials, its DID). */
  simEnv?: (sim: Simulator) => Record<string, string>;
  /** Click-to-call: write a DEVICES_FILE (0600, removed on close) with every simulated agent's SIP device. */
  devices?: boolean;
  /** Click-to-call: point ANTBOT_* at the simulated AntBot (do-not-call list). */
  antbot?: boolean;
  /** Extra bridge dependencies (AntRing timeout, click-to-call knobs). */
  bridgeDeps?: Omit<BridgeDeps, 'logger'>;
}

export interface Stack {
  sim: Simulator;
  bridge: Bridge;
  url: string;
  org: string;
  logs: ReturnType<typeof captureLogger>;
  token(role: Role, extra?: Record<string, unknown>, ttlSec?: number): string;
  client(role: Role, extra?: Record<string, unknown>): Promise<RecordingClient>;
  waitLive(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({
    tokenLifetimeMs: o.tokenLifetimeMs,
    expireFormat: o.expireFormat,
    heartbeatSec: o.heartbeatSec,
  });
  const c = sim.credentials;
  const protocol = o.protocol ?? 'socketio';
  let devicesDir: string | undefined;
  const dialEnv: Record<string, string> = {};
  if (o.devices) {
    devicesDir = mkdtempSync(join(tmpdir(), 'antring-devices-'));
    const file = join(devicesDir, 'devices.json');
    const devices = Object.fromEntries(
      sim.data.agents.map((a) => [a.username, { sipUser: a.device.sipUser, sipPassword: a.device.sipPassword }]),
    );
    writeFileSync(file, JSON.stringify(devices), { mode: 0o600 });
    dialEnv.DEVICES_FILE = file;
  }
  if (o.antbot) {
    Object.assign(dialEnv, {
      ANTBOT_API_URL: sim.antbotUrl,
      ANTBOT_USERNAME: c.antbotUsername,
      ANTBOT_PASSWORD: c.antbotPassword,
    });
  }
  // A refused configuration (or a bridge that cannot start) must fail the test, not leave the simulator holding the
  // process open.
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      ANTRING_APP_ID: c.appId,
      ANTRING_APP_SECRET: c.appSecret,
      ANTRING_ACCOUNT_ID: c.accountId,
      ANTRING_API_URL: sim.apiUrl,
      ANTRING_SIGNAL_URL: sim.signalUrl(protocol),
      ANTRING_SIGNAL_PROTOCOL: protocol,
      ANTRING_DOMAIN: c.domain,
      ANTRING_EMAIL: c.email,
      ANTCRM_API_URL: sim.crmUrl,
      ANTCRM_API_KEY: c.crmApiKey,
      JWT_SECRET,
      CRM_BUDGET_MS: String(o.crmBudgetMs ?? 150),
      LOG_LEVEL: 'debug',
      ...dialEnv,
      ...o.env,
      ...o.simEnv?.(sim),
    });
  } catch (err) {
    await sim.close();
    if (devicesDir) rmSync(devicesDir, { recursive: true, force: true });
    throw err;
  }
  const logs = captureLogger('debug');
  // The demo pages' feed (tickets, leads, received webhooks), as demo mode wires it.
  const bridge = createBridge(config, { demoFeed: sim.demoFeed, ...o.bridgeDeps, logger: logs.logger });
  let url: string;
  try {
    ({ url } = await bridge.start());
  } catch (err) {
    await bridge.stop();
    await sim.close();
    if (devicesDir) rmSync(devicesDir, { recursive: true, force: true });
    throw err;
  }
  const clients: RecordingClient[] = [];
  const stack: Stack = {
    sim,
    bridge,
    url,
    org: c.accountId,
    logs,
    token(role, extra = {}, ttlSec = 600) {
      return roleToken(role, { org: c.accountId, secret: JWT_SECRET, extra, ttlSec });
    },
    async client(role, extra = {}) {
      const cl = await connectClient(url, stack.token(role, extra));
      clients.push(cl);
      return cl;
    },
    async waitLive() {
      await waitFor(() => bridge.status().signal === 'live', {
        what: 'the signal subscription to be live',
        timeoutMs: 15_000,
      });
    },
    async close() {
      for (const cl of clients) cl.close();
      await bridge.stop();
      await sim.close();
      if (devicesDir) rmSync(devicesDir, { recursive: true, force: true });
    },
  };
  await stack.waitLive();
  return stack;
}
