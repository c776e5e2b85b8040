// Environment → one typed, validated Config. Parsed once, at start; bad config = one line per problem.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { int, listOf, oneOf, opt, url, urlOf, webhookUrls } from './config-fields.js';
import {
  type Config,
  ConfigError,
  DEFAULT_WEBHOOK_EVENTS,
  WEBHOOK_EVENTS,
  type WebhookEvent,
  WRITEBACK_KINDS,
  type WritebackKind,
} from './config-types.js';
import { OUTBOX_DURABILITIES } from './outbox/durability.js';
import { type CallbacksConfig, CallbacksConfigError, callbacksFromEnv } from './recovery/config.js';
import { DEMO_CALLBACK_DEFAULTS } from './recovery/demo-defaults.js';
import { CHANNEL_EVENT_NAMES, channelBinding } from './shared/channel-events.js';
import { SIGNAL_PROTOCOLS } from './shared/signal-protocol.js';
import { tenantsFileConflicts } from './tenants/env-rules.js';
import { normaliseAccountId } from './tenants/types.js';

export { type Config, ConfigError, WEBHOOK_EVENTS, type WebhookEvent, WRITEBACK_KINDS, type WritebackKind };

const DEFAULT_BINDINGS = CHANNEL_EVENT_NAMES.map(channelBinding).join(',');

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  PORT: int(8080, 0, 65535),
  HOST: z.string().trim().min(1, 'is empty; expected a host name or address to listen on').default('0.0.0.0'),
  ANTRING_APP_ID: opt,
  ANTRING_APP_SECRET: opt,
  ANTRING_ACCOUNT_ID: opt,
  ANTRING_API_URL: url('https://openapi.antbuddy.com'),
  ANTRING_SIGNAL_URL: url('https://ws.antbuddy.com:5557'),
  ANTRING_SIGNAL_PROTOCOL: oneOf(SIGNAL_PROTOCOLS, 'socketio'),
  ANTRING_BINDINGS: z
    .string()
    .default(DEFAULT_BINDINGS)
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^[\w.*-]+$/, 'bindings are dotted Kazoo keys like call.CHANNEL_CREATE.*'))
        .min(1, 'is empty; expected comma-separated Kazoo bindings like call.CHANNEL_CREATE.*'),
    ),
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
  JWT_MAX_TTL_S: int(86_400, 1, 31_536_000),
  DEVICES_FILE: opt,
  TENANTS_FILE: opt,
  REDIS_URL: z
    .string()
    .trim()
    .min(1)
    .optional()
    .catch(undefined)
    .pipe(urlOf(/^rediss?$/, 'a redis:// or rediss:// URL').optional()),
  CRM_BUDGET_MS: int(150, 0, 10_000),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  DASHBOARD_POLL_MS: int(5000, 250, 600_000),
  DIAL_RATE_PER_MINUTE: int(10, 1, 10_000),
  DIAL_IDEMPOTENCY_MS: int(5000, 0, 600_000),
  CLUSTER_UPSTREAM_NODES: int(2, 1, 10),
  CLUSTER_LEASE_TTL_MS: int(5000, 1000, 600_000),
  CLUSTER_HEARTBEAT_TTL_MS: int(3000, 1000, 600_000),
  CLUSTER_RECOVERY_MS: int(30_000, 0, 3_600_000),
  SHUTDOWN_DRAIN_MS: int(2000, 0, 60_000),
  DEMO_CALLS_PER_MINUTE: int(20, 1, 6000),
  ANTCRM_WRITEBACK: listOf(WRITEBACK_KINDS),
  ANTCRM_TICKET_SLA: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(100, 'expected at most 100 characters')),
  WEBHOOK_URLS: webhookUrls,
  WEBHOOK_SECRET: opt,
  WEBHOOK_EVENTS: listOf(WEBHOOK_EVENTS),
  DATA_DIR: z.string().trim().min(1, 'is empty; expected a directory (unset it for ./data)').default('./data'),
  OUTBOX_MAX_AGE_H: int(24, 1, 720),
  OUTBOX_DURABILITY: oneOf(OUTBOX_DURABILITIES, 'process'),
});

/** The variables the cross-field rules read: all optional strings, so parsing them never fails. */
const crossFieldSchema = schema
  .pick({
    ANTRING_APP_ID: true,
    ANTRING_APP_SECRET: true,
    ANTRING_ACCOUNT_ID: true,
    ANTRING_DOMAIN: true,
    ANTRING_EMAIL: true,
    JWT_SECRET: true,
    JWT_PUBLIC_KEY: true,
    ANTBOT_USERNAME: true,
    ANTBOT_PASSWORD: true,
    ANTCRM_API_KEY: true,
    WEBHOOK_SECRET: true,
    TENANTS_FILE: true,
  })
  .extend({
    // Raw presence only: their own problems are reported by the full schema.
    ANTCRM_WRITEBACK: z.string().optional().catch(undefined),
    WEBHOOK_URLS: z.string().optional().catch(undefined),
  });

/** Standard Webhooks secret: `whsec_` + base64 of at least 12 bytes (what the sender accepts). */
export const WEBHOOK_SECRET_FORM = /^whsec_[A-Za-z0-9+/]{16,}={0,2}$/;

const CREDENTIALS = ['ANTRING_APP_ID', 'ANTRING_APP_SECRET'] as const;
/** Settings only a production bridge reads (contract §7.1): any of them present means "not demo mode". */
export const PRODUCTION_SETTINGS = [
  'ANTRING_ACCOUNT_ID',
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'REDIS_URL',
  'ANTCRM_API_KEY',
  'WEBHOOK_URLS',
  'TENANTS_FILE',
] as const;

const present = (v: string | undefined) => v !== undefined && v.trim() !== '';

/** Demo mode only when no AntRing credential (not even a blank one) and no production setting is present. */
function demoModeOf(env: NodeJS.ProcessEnv): { demo: boolean; blank: string[]; setBy: string[] } {
  const blank = CREDENTIALS.filter((k) => env[k] !== undefined && !present(env[k]));
  const setBy = [...CREDENTIALS, ...PRODUCTION_SETTINGS].filter((k) => present(env[k]));
  return { demo: blank.length === 0 && setBy.length === 0, blank, setBy };
}

/** Rules that span variables (demo mode or not, pairs set together). Texts name variables, never their values. */
function crossFieldProblems(e: z.infer<typeof crossFieldSchema>, mode: ReturnType<typeof demoModeOf>): string[] {
  const problems: string[] = [];
  for (const k of mode.blank)
    problems.push(`${k}: is blank; give the credential, or unset it (and every production setting) for demo mode`);
  if (!mode.demo) {
    const names = mode.setBy.length ? mode.setBy : mode.blank;
    const why = ` (this is not demo mode: ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} set${mode.setBy.length ? '' : ', though blank'})`;
    for (const k of [
      'ANTRING_APP_ID',
      'ANTRING_APP_SECRET',
      'ANTRING_ACCOUNT_ID',
      'ANTRING_DOMAIN',
      'ANTRING_EMAIL',
    ] as const) {
      // TENANTS_FILE: the accounts are in the file (tenants/file.ts); set here they are conflicts (loadConfig).
      if (!e[k] && !mode.blank.includes(k) && !e.TENANTS_FILE) problems.push(`${k}: required outside demo mode${why}`);
    }
    if (!e.JWT_SECRET && !e.JWT_PUBLIC_KEY)
      problems.push(`JWT_SECRET or JWT_PUBLIC_KEY: one is required outside demo mode${why}`);
  } else if (Boolean(e.ANTRING_DOMAIN) !== Boolean(e.ANTRING_EMAIL)) {
    problems.push(
      'ANTRING_DOMAIN and ANTRING_EMAIL: set both or neither (they sign the dashboard, queues and agents calls)',
    );
  }
  if (e.JWT_SECRET && e.JWT_PUBLIC_KEY) problems.push('JWT_SECRET and JWT_PUBLIC_KEY: set one, not both');
  if (e.JWT_SECRET && e.JWT_SECRET.length < 32) problems.push('JWT_SECRET: must be at least 32 characters');
  if (e.JWT_PUBLIC_KEY && !/-----BEGIN [A-Z ]*PUBLIC KEY-----/.test(e.JWT_PUBLIC_KEY)) {
    problems.push('JWT_PUBLIC_KEY: must be a PEM public key');
  }
  if (Boolean(e.ANTBOT_USERNAME) !== Boolean(e.ANTBOT_PASSWORD)) {
    problems.push('ANTBOT_USERNAME and ANTBOT_PASSWORD: set both or neither');
  }
  const webhookUrlsSet = present(e.WEBHOOK_URLS) && e.WEBHOOK_URLS!.split(',').some((x) => x.trim() !== '');
  if (webhookUrlsSet && !e.WEBHOOK_SECRET) problems.push('WEBHOOK_SECRET: required with WEBHOOK_URLS');
  if (e.WEBHOOK_SECRET && !WEBHOOK_SECRET_FORM.test(e.WEBHOOK_SECRET)) {
    problems.push('WEBHOOK_SECRET: must be whsec_<base64> (at least 12 bytes)');
  }
  const writebackSet = present(e.ANTCRM_WRITEBACK) && e.ANTCRM_WRITEBACK!.split(',').some((x) => x.trim() !== '');
  if (!mode.demo && writebackSet && !e.ANTCRM_API_KEY)
    problems.push('ANTCRM_WRITEBACK: needs ANTCRM_API_KEY (the writes use it)');
  return problems;
}

function writebackOf(kinds: readonly WritebackKind[], ticketSla: string): Config['writeback'] {
  return {
    tickets: kinds.includes('tickets'),
    leads: kinds.includes('leads'),
    wrapup: kinds.includes('wrapup'),
    ticketSla,
  };
}

/** §9.1's environment form (demo mode: on, the simulator's calendar, a 30 s delay); problems are collected. */
function callbacksOf(env: NodeJS.ProcessEnv, demo: boolean, problems: string[]): CallbacksConfig | undefined {
  try {
    return callbacksFromEnv(env, demo ? { demo, defaults: DEMO_CALLBACK_DEFAULTS } : {});
  } catch (err) {
    if (!(err instanceof CallbacksConfigError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}

/** Parse the environment. Throws ConfigError listing every problem (malformed values and cross-field rules
 *  together), one per line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const mode = demoModeOf(env);
  const problems = [...tenantsFileConflicts(env), ...crossFieldProblems(crossFieldSchema.parse(env), mode)];
  if (!parsed.success) {
    // The variable's name only (`ANTRING_BINDINGS`, not `ANTRING_BINDINGS.0`); never the value (it may be a secret).
    problems.unshift(...parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`));
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const demo = mode.demo;
  const callbacks = callbacksOf(env, demo, problems);
  if (callbacks?.enabled && !demo && !e.TENANTS_FILE && !(e.ANTBOT_USERNAME && e.ANTBOT_PASSWORD))
    problems.push('CALLBACKS: on needs ANTBOT_USERNAME and ANTBOT_PASSWORD (AntBot makes the callbacks)');
  if (problems.length || !callbacks) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    demo,
    antring: {
      appId: e.ANTRING_APP_ID ?? '',
      appSecret: e.ANTRING_APP_SECRET ?? '',
      // Kazoo account ids are lowercase hex: normalised once here; everything after compares exactly (issue 15).
      accountId: normaliseAccountId(e.ANTRING_ACCOUNT_ID ?? ''),
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
    callbacks,
    jwt: {
      secret: e.JWT_SECRET,
      publicKey: e.JWT_PUBLIC_KEY,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      maxTtlSec: e.JWT_MAX_TTL_S,
    },
    devicesFile: e.DEVICES_FILE,
    tenantsFile: e.TENANTS_FILE,
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
    writeback: writebackOf(e.ANTCRM_WRITEBACK ?? (demo ? [...WRITEBACK_KINDS] : []), e.ANTCRM_TICKET_SLA),
    webhooks: {
      urls: e.WEBHOOK_URLS,
      // Demo mode: a fresh secret per start, shared with the embedded receiver (src/demo.ts).
      secret: e.WEBHOOK_SECRET ?? (demo ? `whsec_${randomBytes(24).toString('base64')}` : undefined),
      events: e.WEBHOOK_EVENTS ?? (demo ? [...WEBHOOK_EVENTS] : [...DEFAULT_WEBHOOK_EVENTS]),
    },
    dataDir: e.DATA_DIR,
    outboxMaxAgeMs: e.OUTBOX_MAX_AGE_H * 3_600_000,
    outboxDurability: e.OUTBOX_DURABILITY,
  };
}
