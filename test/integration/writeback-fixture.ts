// The write-back tests' stack: the simulator (its AntCRM keeps what it is given, its webhook receiver verifies with
// `standardwebhooks`) and the real bridge on port 0 with ANTCRM_WRITEBACK, WEBHOOK_URLS/SECRET and a DATA_DIR of its
// own; the bridge can be stopped and started again on the same DATA_DIR. Short outbox retries for tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bridge, type BridgeDeps, createBridge } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/contract.js';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.js';
import { connectClient, type RecordingClient } from '../helpers/clients.js';
import { captureLogger } from '../helpers/logs.js';
import { roleToken } from '../helpers/tokens.js';
import { waitFor } from '../helpers/wait.js';

export const JWT_SECRET = 'writeback-secret-0123456789abcdef0123456789abcdef';
export const FAST_WORKER = { retryDelaysMs: [100, 200], jitter: 0, pollMs: 50, attemptTimeoutMs: 2000 };

/** The bridge's environment against this simulator (webhooks to its receiver). */
export function writebackEnv(
  sim: Simulator,
  dataDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const c = sim.credentials;
  return {
    ANTRING_APP_ID: c.appId,
    ANTRING_APP_SECRET: c.appSecret,
    ANTRING_ACCOUNT_ID: c.accountId,
    ANTRING_API_URL: sim.apiUrl,
    ANTRING_SIGNAL_URL: sim.signalUrl('socketio'),
    ANTRING_SIGNAL_PROTOCOL: 'socketio',
    ANTRING_DOMAIN: c.domain,
    ANTRING_EMAIL: c.email,
    ANTCRM_API_URL: sim.crmUrl,
    ANTCRM_API_KEY: c.crmApiKey,
    ANTCRM_WRITEBACK: 'tickets,leads,wrapup',
    WEBHOOK_URLS: sim.webhooks.url,
    WEBHOOK_SECRET: sim.webhooks.secret,
    DATA_DIR: dataDir,
    JWT_SECRET,
    CRM_BUDGET_MS: '1000',
    ...extra,
  };
}

export interface WritebackStack {
  sim: Simulator;
  dataDir: string;
  bridge: Bridge;
  url: string;
  org: string;
  logs: ReturnType<typeof captureLogger>;
  token(role: Role, extra?: Record<string, unknown>): string;
  client(role: Role, extra?: Record<string, unknown>): Promise<RecordingClient>;
  /** REST with a token of this role. */
  api(
    role: Role,
    path: string,
    init?: { method?: string; body?: unknown; extra?: Record<string, unknown> },
  ): Promise<{ status: number; body: unknown }>;
  /** Stops the bridge (not the simulator) and starts a new one on the same DATA_DIR. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startWritebackStack(
  o: { env?: Record<string, string>; envOf?: (sim: Simulator) => Record<string, string>; deps?: BridgeDeps } = {},
): Promise<WritebackStack> {
  const sim = await startSimulator({ historySeedCount: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'antring-writeback-'));
  const clients: RecordingClient[] = [];
  const c = sim.credentials;
  const start = async () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      ...writebackEnv(sim, dataDir, { ...o.env, ...o.envOf?.(sim) }),
    });
    const logs = captureLogger('debug');
    const bridge = createBridge(config, {
      ...o.deps,
      writeback: { worker: FAST_WORKER, ...o.deps?.writeback },
      logger: logs.logger,
    });
    const { url } = await bridge.start();
    await waitFor(() => bridge.status().signal === 'live', {
      what: 'the signal subscription to be live',
      timeoutMs: 15_000,
    });
    return { bridge, url, logs };
  };
  const first = await start();
  const s: WritebackStack = {
    sim,
    dataDir,
    ...first,
    org: c.accountId,
    token(role, extra = {}) {
      return roleToken(role, { org: c.accountId, secret: JWT_SECRET, extra, sub: `t-${role}` });
    },
    async client(role, extra = {}) {
      const cl = await connectClient(s.url, s.token(role, extra));
      clients.push(cl);
      return cl;
    },
    async api(role, path, init = {}) {
      const res = await fetch(`${s.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${s.token(role, init.extra)}`, 'content-type': 'application/json' },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body };
    },
    async restart() {
      for (const cl of clients.splice(0)) cl.close();
      await s.bridge.stop();
      Object.assign(s, await start());
    },
    async close() {
      for (const cl of clients) cl.close();
      await s.bridge.stop();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return s;
}

/** Agents of the simulator's first queue (usernames). */
export function queueAgents(sim: Simulator): { queueId: string; agents: string[] } {
  const queue = sim.data.queues[0];
  return {
    queueId: queue.id,
    agents: sim.data.agents.filter((a) => queue.agents.includes(a.userId)).map((a) => a.username),
  };
}
