// Several simulated AntRing accounts (one simulator each: its own AntRing, AntCRM, agents and traffic) behind one
// bridge configured with a tenants file (contract §8). Used by the tenants integration tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bridge, type BridgeDeps, createBridge } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/contract.js';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.js';
import { connectClient, type RecordingClient } from '../helpers/clients.js';
import { captureLogger } from '../helpers/logs.js';
import { roleToken, signToken } from '../helpers/tokens.js';

export const SECRET = 'tenants-secret-0123456789abcdef0123456789abcdef';

export interface SimTenant {
  sim: Simulator;
  /** Lowercase, as the bridge keys it. */
  org: string;
}

export interface TenantEntryOptions {
  /** Write the app secret wrong (the tenant is `down`, auth_failed). */
  wrongSecret?: boolean;
  /** Write the account id in upper case (the bridge lowercases it). */
  upper?: boolean;
  name?: string;
  /** Every simulated agent's SIP device, passwords as `{ env }` references (click-to-call). */
  devices?: boolean;
}

/** One tenants-file entry for a simulator; the app secret is a `{ env }` reference resolved from `env`. */
export function entryOf(t: SimTenant, env: Record<string, string>, o: TenantEntryOptions = {}): object {
  const c = t.sim.credentials;
  const envName = `SECRET_${t.org.slice(0, 8).toUpperCase()}`;
  env[envName] = o.wrongSecret ? 'not-the-secret' : c.appSecret;
  return {
    accountId: o.upper ? t.org.toUpperCase() : t.org,
    ...(o.name ? { name: o.name } : {}),
    antring: {
      appId: c.appId,
      appSecret: { env: envName },
      domain: c.domain,
      email: c.email,
      apiUrl: t.sim.apiUrl,
      signalUrl: t.sim.signalUrl('socketio'),
      signalProtocol: 'socketio',
    },
    antcrm: { apiUrl: t.sim.crmUrl, apiKey: c.crmApiKey },
    ...(o.devices ? { devices: devicesOf(t, env) } : {}),
  };
}

function devicesOf(t: SimTenant, env: Record<string, string>): object {
  return Object.fromEntries(
    t.sim.data.agents.map((a, i) => {
      const name = `SIP_${t.org.slice(0, 8).toUpperCase()}_${i}`;
      env[name] = a.device.sipPassword;
      return [a.username, { sipUser: a.device.sipUser, sipPassword: { env: name } }];
    }),
  );
}

export async function startSims(n: number): Promise<SimTenant[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const org = `${(i + 10).toString(16)}${'0'.repeat(29)}${i}a`.slice(0, 32);
      const sim = await startSimulator({ accountId: org });
      return { sim, org };
    }),
  );
}

export interface TenantsHarness {
  bridge: Bridge;
  url: string;
  env: Record<string, string>;
  file: string;
  logs: ReturnType<typeof captureLogger>;
  writeTenants(entries: object[] | string): void;
  token(org: string, role: Role, extra?: Record<string, unknown>): string;
  operatorToken(): string;
  client(org: string, role: Role, extra?: Record<string, unknown>): Promise<RecordingClient>;
  get(path: string, token: string): Promise<{ status: number; body: unknown }>;
  post(path: string, token: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startTenantsBridge(
  build: (env: Record<string, string>) => object[],
  deps: Omit<BridgeDeps, 'logger' | 'tenantsIo'> = {},
): Promise<TenantsHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'antring-tenants-'));
  const file = join(dir, 'tenants.json');
  const env: Record<string, string> = {};
  const writeTenants = (entries: object[] | string) =>
    writeFileSync(file, typeof entries === 'string' ? entries : JSON.stringify(entries), { mode: 0o600 });
  writeTenants(build(env));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    TENANTS_FILE: file,
    JWT_SECRET: SECRET,
    DATA_DIR: join(dir, 'data'),
    DASHBOARD_POLL_MS: '500',
    LOG_LEVEL: 'debug',
  });
  const logs = captureLogger('debug');
  const bridge = createBridge(config, { antringTimeoutMs: 2000, ...deps, logger: logs.logger, tenantsIo: { env } });
  const { url } = await bridge.start();
  const clients: RecordingClient[] = [];
  const request = async (method: string, path: string, token: string) => {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const h: TenantsHarness = {
    bridge,
    url,
    env,
    file,
    logs,
    writeTenants,
    token: (org, role, extra = {}) => roleToken(role, { org, secret: SECRET, extra }),
    operatorToken: () => signToken({ sub: 'ops', org: '*', role: 'operator' }, { secret: SECRET }),
    async client(org, role, extra = {}) {
      const cl = await connectClient(url, h.token(org, role, extra));
      clients.push(cl);
      return cl;
    },
    get: (path, token) => request('GET', path, token),
    post: (path, token) => request('POST', path, token),
    async close() {
      for (const cl of clients) cl.close();
      await bridge.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
