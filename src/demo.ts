// Demo mode: the embedded simulators (AntRing + AntCRM + AntBot), one per demo company, a bridge serving both as
// tenants (contract §8), live traffic and ready-made tokens (each company's, and an operator's).
// Only reachable when both AntRing credentials are unset (config.demo).
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from './config.js';
import type { Role } from './contract.js';
import { type Simulator, startSimulator } from './simulator/simulator.js';
import { tenantOfConfig } from './tenants/env.js';
import type { TenantConfig } from './tenants/types.js';

export interface DemoCompany {
  name: string;
  accountId: string;
  simulator: Simulator;
  tokens: Record<Role, string>;
  agentUsername: string;
  tenant: TenantConfig;
}

export interface DemoSetup {
  /** The bridge's Config: the first company's account in the single-account fields, the demo's JWT secret. */
  config: Config;
  /** The companies, served as the bridge's tenants (createBridge deps.tenants). */
  companies: DemoCompany[];
  tenants: TenantConfig[];
  /** `role: "operator"`, `org: "*"`: GET /api/tenants, POST /api/tenants/reload. */
  operatorToken: string;
  /** The first company's (what a single-company demo printed). */
  simulator: Simulator;
  tokens: Record<Role, string>;
  agentUsername: string;
  /** Closes every simulator. */
  close(): Promise<void>;
}

/** The second company's account id (the first is the simulator's default). */
const SECOND_ACCOUNT = '7d1c5e0a9b3f4a6c8e2d1b0a9f8e7d6c';
const NAMES = ['Công ty An Phát', 'Công ty Bình Minh'];

export async function startDemo(
  base: Config,
  opts: { tokenTtlSec?: number; simulatorPort?: number; companies?: 1 | 2 } = {},
): Promise<DemoSetup> {
  const count = opts.companies ?? 2;
  const simulators: Simulator[] = [];
  try {
    simulators.push(await startSimulator({ port: opts.simulatorPort ?? 0, webhookSecret: base.webhooks.secret }));
    if (count > 1) simulators.push(await startSimulator({ accountId: SECOND_ACCOUNT }));
  } catch (err) {
    await Promise.all(simulators.map((s) => s.close()));
    throw err;
  }
  const secret = base.jwt.secret ?? randomBytes(32).toString('hex');
  const jwtConfig = { secret, issuer: base.jwt.issuer, audience: base.jwt.audience, maxTtlSec: base.jwt.maxTtlSec };
  const ttl = Math.min(opts.tokenTtlSec ?? 12 * 3600, base.jwt.maxTtlSec); // never longer than the verifier accepts
  const sign = (claims: Record<string, unknown>) =>
    jwt.sign(claims, secret, {
      algorithm: 'HS256',
      expiresIn: ttl,
      ...(base.jwt.issuer ? { issuer: base.jwt.issuer } : {}),
      ...(base.jwt.audience ? { audience: base.jwt.audience } : {}),
    });
  const companies = simulators.map((simulator, i): DemoCompany & { config: Config } => {
    const config = companyConfig(base, simulator, jwtConfig);
    const org = config.antring.accountId;
    const agentUsername = simulator.data.agents[0].username;
    const role = (r: Role, extra: Record<string, unknown> = {}) => sign({ sub: `demo-${r}`, org, role: r, ...extra });
    return {
      name: NAMES[i],
      accountId: org,
      simulator,
      agentUsername,
      config,
      tenant: { ...tenantOfConfig(config), name: NAMES[i] },
      tokens: {
        agent: role('agent', { agent: agentUsername }),
        supervisor: role('supervisor', { queues: ['*'] }),
        wallboard: role('wallboard', { queues: ['*'] }),
        admin: role('admin'),
      },
    };
  });
  const first = companies[0];
  return {
    config: first.config,
    companies: companies.map(({ config: _c, ...company }) => company),
    tenants: companies.map((c) => c.tenant),
    operatorToken: sign({ sub: 'demo-operator', org: '*', role: 'operator' }),
    simulator: first.simulator,
    tokens: first.tokens,
    agentUsername: first.agentUsername,
    close: async () => {
      await Promise.all(simulators.map((s) => s.close()));
    },
  };
}

/** A company's Config: its simulator's AntRing, AntCRM, AntBot, devices and webhook receiver. */
function companyConfig(base: Config, simulator: Simulator, jwtConfig: Config['jwt']): Config {
  const c = simulator.credentials;
  return {
    ...base,
    antring: {
      ...base.antring,
      appId: c.appId,
      appSecret: c.appSecret,
      accountId: c.accountId,
      apiUrl: simulator.apiUrl,
      signalUrl: simulator.signalUrl(base.antring.signalProtocol),
      domain: c.domain,
      email: c.email,
    },
    antcrm: { ...base.antcrm, apiUrl: simulator.crmUrl, apiKey: c.crmApiKey },
    // Click-to-call against the simulator: its AntBot do-not-call list and its agents' SIP devices (kept in-process).
    antbot: { apiUrl: simulator.antbotUrl, username: c.antbotUsername, password: c.antbotPassword },
    devices: Object.fromEntries(
      simulator.data.agents.map((a) => [a.username, { sipUser: a.device.sipUser, sipPassword: a.device.sipPassword }]),
    ),
    jwt: jwtConfig,
    corsOrigins: base.corsOrigins.length ? base.corsOrigins : ['*'],
    // Webhooks to the simulator's embedded receiver, which verifies every signature (the demo's webhooks page).
    webhooks: { ...base.webhooks, urls: [simulator.webhooks.url], secret: simulator.webhooks.secret },
  };
}
