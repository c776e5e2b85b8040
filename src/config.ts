// Environment → one typed, validated Config. Parsed once, at start; bad config = one line per problem.
import { z } from 'zod';

export type SignalProtocol = 'socketio' | 'blackhole';

export interface Config {
  port: number;
  host: string;
  /** Both AntRing credentials unset: embedded simulator, demo tokens. */
  demo: boolean;
  /** Demo mode: the simulator's generated calls per minute. */
  demoCallsPerMinute: number;
  antring: {
    appId: string;
    appSecret: string;
    accountId: string;
    apiUrl: string;
    signalUrl: string;
    signalProtocol: SignalProtocol;
    bindings: string[];
    domain?: string;
    email?: string;
  };
  antcrm: { apiUrl: string; apiKey?: string; cacheTtlMs: number; negativeTtlMs: number; maxConcurrency: number };
  antbot: { apiUrl: string; username?: string; password?: string };
  jwt: { secret?: string; publicKey?: string; issuer?: string; audience?: string };
  devicesFile?: string;
  /** In-process devices (demo mode: the simulator's), used instead of devicesFile. Secrets: never log a Config. */
  devices?: Readonly<Record<string, { sipUser: string; sipPassword: string }>>;
  redisUrl?: string;
  crmBudgetMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  corsOrigins: string[];
  dashboardPollMs: number;
  dial: { ratePerMinute: number; idempotencyMs: number };
  /** Cluster mode (REDIS_URL): upstream holders, lease and heartbeat lifetimes, Socket.IO recovery window. */
  cluster: { upstreamNodes: number; leaseTtlMs: number; heartbeatTtlMs: number; recoveryMs: number };
  /** SIGTERM: how long the node reports not ready before it closes (load balancers move traffic away). */
  shutdownDrainMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

const DEFAULT_BINDINGS = 'call.CHANNEL_CREATE.*,call.CHANNEL_ANSWER.*,call.CHANNEL_BRIDGE.*,call.CHANNEL_DESTROY.*';

const opt = z.string().trim().min(1).optional().catch(undefined);
const url = (def: string) => z.string().trim().default(def).pipe(z.url({ protocol: /^(https?|wss?)$/ }));
const int = (def: number, min: number, max: number) =>
  z.string().trim().default(String(def)).transform((v) => Number(v)).pipe(z.number().int().min(min).max(max));

const schema = z.object({
  PORT: int(8080, 0, 65535),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  ANTRING_APP_ID: opt,
  ANTRING_APP_SECRET: opt,
  ANTRING_ACCOUNT_ID: opt,
  ANTRING_API_URL: url('https://openapi.antbuddy.com'),
  ANTRING_SIGNAL_URL: url('https://ws.antbuddy.com:5557'),
  ANTRING_SIGNAL_PROTOCOL: z.enum(['socketio', 'blackhole']).default('socketio'),
  ANTRING_BINDINGS: z.string().default(DEFAULT_BINDINGS)
    .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[\w.*-]+$/, 'bindings are dotted Kazoo keys like call.CHANNEL_CREATE.*')).min(1)),
  ANTRING_DOMAIN: opt,
  ANTRING_EMAIL: opt,
  ANTCRM_API_URL: url('https://apiring.antbuddy.com'),
  ANTCRM_API_KEY: opt,
  ANTCRM_CACHE_TTL_MS: int(300_000, 0, 86_400_000),
  ANTCRM_NEGATIVE_TTL_MS: int(60_000, 0, 86_400_000),
  ANTCRM_MAX_CONCURRENCY: int(16, 1, 1000),
  ANTBOT_API_URL: url('https://alice.antbuddy.com/rest-api'),
  ANTBOT_USERNAME: opt,
  ANTBOT_PASSWORD: opt,
  JWT_SECRET: opt,
  JWT_PUBLIC_KEY: opt,
  JWT_ISSUER: opt,
  JWT_AUDIENCE: opt,
  DEVICES_FILE: opt,
  REDIS_URL: z.string().trim().min(1).optional().pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  CRM_BUDGET_MS: int(150, 0, 10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: z.string().default('').transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  DASHBOARD_POLL_MS: int(5000, 250, 600_000),
  DIAL_RATE_PER_MINUTE: int(10, 1, 10_000),
  DIAL_IDEMPOTENCY_MS: int(5000, 0, 600_000),
  CLUSTER_UPSTREAM_NODES: int(2, 1, 10),
  CLUSTER_LEASE_TTL_MS: int(5000, 1000, 600_000),
  CLUSTER_HEARTBEAT_TTL_MS: int(3000, 1000, 600_000),
  CLUSTER_RECOVERY_MS: int(30_000, 0, 3_600_000),
  SHUTDOWN_DRAIN_MS: int(2000, 0, 60_000),
  DEMO_CALLS_PER_MINUTE: int(20, 1, 6000),
});

/** The variables the cross-field rules read: all optional strings, so parsing them never fails. */
const crossFieldSchema = schema.pick({
  ANTRING_APP_ID: true, ANTRING_APP_SECRET: true, ANTRING_ACCOUNT_ID: true, ANTRING_DOMAIN: true, ANTRING_EMAIL: true,
  JWT_SECRET: true, JWT_PUBLIC_KEY: true, ANTBOT_USERNAME: true, ANTBOT_PASSWORD: true,
});

/** Rules that span variables (demo mode or not, pairs set together). Texts name variables, never their values. */
function crossFieldProblems(e: z.infer<typeof crossFieldSchema>): string[] {
  const problems: string[] = [];
  if (e.ANTRING_APP_ID || e.ANTRING_APP_SECRET) {
    if (!e.ANTRING_APP_ID) problems.push('ANTRING_APP_ID: required when ANTRING_APP_SECRET is set');
    if (!e.ANTRING_APP_SECRET) problems.push('ANTRING_APP_SECRET: required when ANTRING_APP_ID is set');
    if (!e.ANTRING_ACCOUNT_ID) problems.push('ANTRING_ACCOUNT_ID: required outside demo mode');
    if (!e.JWT_SECRET && !e.JWT_PUBLIC_KEY) problems.push('JWT_SECRET or JWT_PUBLIC_KEY: one is required outside demo mode');
  }
  if (e.JWT_SECRET && e.JWT_PUBLIC_KEY) problems.push('JWT_SECRET and JWT_PUBLIC_KEY: set one, not both');
  if (e.JWT_SECRET && e.JWT_SECRET.length < 32) problems.push('JWT_SECRET: must be at least 32 characters');
  if (e.JWT_PUBLIC_KEY && !/-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(e.JWT_PUBLIC_KEY)) {
    problems.push('JWT_PUBLIC_KEY: must be a PEM public key');
  }
  if (Boolean(e.ANTBOT_USERNAME) !== Boolean(e.ANTBOT_PASSWORD)) {
    problems.push('ANTBOT_USERNAME and ANTBOT_PASSWORD: set both or neither');
  }
  if (Boolean(e.ANTRING_DOMAIN) !== Boolean(e.ANTRING_EMAIL)) {
    problems.push('ANTRING_DOMAIN and ANTRING_EMAIL: set both or neither (they sign the dashboard, queues and agents calls)');
  }
  return problems;
}

/** Parse the environment. Throws ConfigError listing every problem (malformed values and cross-field rules
 *  together), one per line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = crossFieldProblems(crossFieldSchema.parse(env));
  if (!parsed.success) {
    // The variable's name only (`ANTRING_BINDINGS`, not `ANTRING_BINDINGS.0`); never the value (it may be a secret).
    problems.unshift(...parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`));
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const demo = !e.ANTRING_APP_ID && !e.ANTRING_APP_SECRET;
  if (problems.length) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    demo,
    antring: {
      appId: e.ANTRING_APP_ID ?? '',
      appSecret: e.ANTRING_APP_SECRET ?? '',
      accountId: e.ANTRING_ACCOUNT_ID ?? '',
      apiUrl: e.ANTRING_API_URL.replace(/\/+$/, ''),
      signalUrl: e.ANTRING_SIGNAL_URL.replace(/\/+$/, ''),
      signalProtocol: e.ANTRING_SIGNAL_PROTOCOL,
      bindings: e.ANTRING_BINDINGS,
      domain: e.ANTRING_DOMAIN,
      email: e.ANTRING_EMAIL,
    },
    antcrm: {
      apiUrl: e.ANTCRM_API_URL.replace(/\/+$/, ''),
      apiKey: e.ANTCRM_API_KEY,
      cacheTtlMs: e.ANTCRM_CACHE_TTL_MS,
      negativeTtlMs: e.ANTCRM_NEGATIVE_TTL_MS,
      maxConcurrency: e.ANTCRM_MAX_CONCURRENCY,
    },
    antbot: { apiUrl: e.ANTBOT_API_URL.replace(/\/+$/, ''), username: e.ANTBOT_USERNAME, password: e.ANTBOT_PASSWORD },
    jwt: { secret: e.JWT_SECRET, publicKey: e.JWT_PUBLIC_KEY, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE },
    devicesFile: e.DEVICES_FILE,
    redisUrl: e.REDIS_URL,
    crmBudgetMs: e.CRM_BUDGET_MS,
    logLevel: e.LOG_LEVEL,
    corsOrigins: e.CORS_ORIGINS,
    dashboardPollMs: e.DASHBOARD_POLL_MS,
    dial: { ratePerMinute: e.DIAL_RATE_PER_MINUTE, idempotencyMs: e.DIAL_IDEMPOTENCY_MS },
    cluster: {
      upstreamNodes: e.CLUSTER_UPSTREAM_NODES,
      leaseTtlMs: e.CLUSTER_LEASE_TTL_MS,
      heartbeatTtlMs: e.CLUSTER_HEARTBEAT_TTL_MS,
      recoveryMs: e.CLUSTER_RECOVERY_MS,
    },
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    demoCallsPerMinute: e.DEMO_CALLS_PER_MINUTE,
  };
}
