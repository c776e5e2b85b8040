// The one typed Config (what config.ts's loadConfig returns) and the facts it is made of.
import type { OutboxDurability } from './outbox/durability.js';
import type { CallbacksConfig } from './recovery/config.js';
import { coded } from './shared/error-catalogue.js';
import type { SignalProtocol } from './shared/signal-protocol.js';

export interface Config {
  port: number;
  host: string;
  /** No AntRing credential and no production setting present (contract §7.1): embedded simulator, demo tokens. */
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
  /** §9.1 missed-call recovery (CALLBACKS, CALLBACK_*, ANTBOT_CALLBACK_*; on in demo mode). */
  callbacks: CallbacksConfig;
  /** maxTtlSec: JWT_MAX_TTL_S, the longest token lifetime accepted (fanout/jwt.ts). */
  jwt: { secret?: string; publicKey?: string; issuer?: string; audience?: string; maxTtlSec: number };
  devicesFile?: string;
  /** TENANTS_FILE (contract §8.1): the accounts are read from it (tenants/file.ts); the per-account fields of this
   *  Config then hold only the tenants' URL defaults. */
  tenantsFile?: string;
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
  /** ANTCRM_WRITEBACK (contract §7.2): what is written to AntCRM; ANTCRM_TICKET_SLA: the tickets' `SLA`. */
  writeback: { tickets: boolean; leads: boolean; wrapup: boolean; ticketSla: string };
  /** WEBHOOK_URLS, WEBHOOK_SECRET (`whsec_…`, a secret: never logged), WEBHOOK_EVENTS. Demo mode: no URL here (the
   *  demo adds its embedded receiver's) and a generated secret. */
  webhooks: { urls: string[]; secret?: string; events: WebhookEvent[] };
  /** DATA_DIR: a single node's outbox (`<dataDir>/outbox.sqlite`); unused in cluster mode. */
  dataDir: string;
  /** OUTBOX_MAX_AGE_H in ms: how long a delivery is retried before it is given up. */
  outboxMaxAgeMs: number;
  /** OUTBOX_DURABILITY: `process` (a SIGKILL loses nothing accepted) or `power` (a power loss neither: an fsync per
   *  write, on the event loop). */
  outboxDurability: OutboxDurability;
}

export const WRITEBACK_KINDS = ['tickets', 'leads', 'wrapup'] as const;
export type WritebackKind = (typeof WRITEBACK_KINDS)[number];
export const WEBHOOK_EVENTS = ['call.ringing', 'call.answered', 'call.ended', 'call.recovered'] as const;
/** WEBHOOK_EVENTS' default (contract §7.2): `call.recovered` (§9.3) is sent only when chosen (demo mode: all). */
export const DEFAULT_WEBHOOK_EVENTS = ['call.ringing', 'call.answered', 'call.ended'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export class ConfigError extends coded('CONFIG_INVALID') {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}
