// The bridge's public shape (createBridge in app.ts): its dependencies, its handle, its start interruption.

import type { Clock } from '../clock.js';
import type { ClusterSettings } from '../cluster/settings.js';
import type { ClickToCallDeps } from '../dial/setup.js';
import type { HttpServerLimits } from '../http/app.js';
import type { DemoFeed } from '../http/demo-pages.js';
import type { Logger } from '../log.js';
import { coded } from '../shared/error-catalogue.js';
import type { Extension } from '../tenants/extensions.js';
import type { TenantsFileIo } from '../tenants/file.js';
import type { ReloadResult } from '../tenants/registry.js';
import type { TenantConfig } from '../tenants/types.js';
import type { WritebackDeps } from '../writeback/create.js';

export interface BridgeDeps {
  /** Features every tenant runs after the built-in ones (metrics, write-back), in order (tenants/extensions.ts). */
  extensions?: (org: string) => Extension[];
  logger?: Logger;
  clock?: Clock;
  /** Cluster mode (config.redisUrl set): settings from the environment (cluster/settings.ts). */
  cluster?: Partial<ClusterSettings>;
  /** AntRing request timeout (ms, default 5000; tests shorten it). */
  antringTimeoutMs?: number;
  /** Click-to-call knobs: AntBot timeouts, DNC cache, shared rate limiter / idempotency store, metrics hook. */
  dial?: ClickToCallDeps;
  /** HTTP server limits and how long stop() lets requests in flight finish (closeMs, default 5000). */
  http?: HttpServerLimits & { closeMs?: number };
  /** Write-back knobs (tests: short outbox retries, fetch functions). */
  writeback?: Pick<WritebackDeps, 'worker' | 'crmFetch' | 'webhookFetch' | 'now'>;
  /** Demo mode: the simulator's tickets, leads and received webhooks for the demo pages. */
  demoFeed?: DemoFeed;
  /** The tenants, when they come from neither the environment nor TENANTS_FILE (demo mode: its two companies). */
  tenants?: () => TenantConfig[];
  /** Where the tenants file's secret references are resolved (default: process.env and the file system). */
  tenantsIo?: TenantsFileIo;
}

/** start() was interrupted by stop() (e.g. SIGTERM while AntRing is unreachable at start). */
export class BridgeStoppedError extends coded('BRIDGE_STOPPED') {
  override readonly name = 'BridgeStoppedError';
  constructor() {
    super('the bridge was stopped while starting');
  }
}

export interface Bridge {
  start(): Promise<{ port: number; url: string }>;
  stop(): Promise<void>;
  readonly logger: Logger;
  /** Graceful shutdown, step 1: report not ready (and take no upstream lease) while still serving. */
  prepareStop(): void;
  /** Reads the tenants again and applies the difference (SIGHUP, POST /api/tenants/reload). Throws TenantsError. */
  reload(): Promise<ReloadResult>;
  /** For tests and operators: what the bridge knows of itself. */
  status(): { signal: string; reconnects: number; liveCalls: number; sockets: Record<string, number> };
}
