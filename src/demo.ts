// Demo mode: the embedded simulator of AntRing + AntCRM, a bridge wired to it, live traffic and ready-made tokens.
// Only reachable when both AntRing credentials are unset (config.demo).
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from './config.js';
import type { Role } from './contract.js';
import { type Simulator, startSimulator } from './simulator/simulator.js';

export interface DemoSetup {
  config: Config;
  simulator: Simulator;
  tokens: Record<'agent' | 'supervisor' | 'wallboard' | 'admin', string>;
  agentUsername: string;
}

export async function startDemo(
  base: Config,
  opts: { tokenTtlSec?: number; simulatorPort?: number } = {},
): Promise<DemoSetup> {
  const simulator = await startSimulator({ port: opts.simulatorPort ?? 0, webhookSecret: base.webhooks.secret });
  const c = simulator.credentials;
  const secret = base.jwt.secret ?? randomBytes(32).toString('hex');
  const config: Config = {
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
    jwt: { secret, issuer: base.jwt.issuer, audience: base.jwt.audience },
    corsOrigins: base.corsOrigins.length ? base.corsOrigins : ['*'],
    // Webhooks to the simulator's embedded receiver, which verifies every signature (the demo's webhooks page).
    webhooks: { ...base.webhooks, urls: [simulator.webhooks.url], secret: simulator.webhooks.secret },
  };
  const agentUsername = simulator.data.agents[0].username;
  const ttl = opts.tokenTtlSec ?? 12 * 3600;
  const sign = (role: Role, extra: Record<string, unknown> = {}) =>
    jwt.sign({ sub: `demo-${role}`, org: c.accountId, role, ...extra }, secret, {
      algorithm: 'HS256',
      expiresIn: ttl,
      ...(base.jwt.issuer ? { issuer: base.jwt.issuer } : {}),
      ...(base.jwt.audience ? { audience: base.jwt.audience } : {}),
    });
  const tokens = {
    agent: sign('agent', { agent: agentUsername }),
    supervisor: sign('supervisor', { queues: ['*'] }),
    wallboard: sign('wallboard', { queues: ['*'] }),
    admin: sign('admin'),
  };
  return { config, simulator, tokens, agentUsername };
}
