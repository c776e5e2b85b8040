// A tenant runtime's shape (tenants/runtime.ts builds it): the narrow ports it is given, what the registry and the
// server may ask of it, its start interruption, its phase in the poll interval.
import { createHash } from 'node:crypto';
import type { Router } from 'express';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { CallView, Claims } from '../contract.js';
import type { ClickToCallDeps } from '../dial/setup.js';
import type { FanoutServer } from '../fanout/server.js';
import type { Logger } from '../log.js';
import type { Outbox, OutboxStats } from '../outbox/types.js';
import type { RecoveryDeps } from '../recovery-wiring/create.js';
import type { BridgeMode } from '../runtime/mode.js';
import type { PipelineStatus } from '../runtime/pipeline.js';
import type { TenantMetrics } from '../server/org-metrics.js';
import type { OrgSockets, TenantSocketsPort } from '../server/sockets.js';
import { coded } from '../shared/error-catalogue.js';
import type { WritebackDeps } from '../writeback/create.js';
import type { Extension } from './extensions.js';
import type { UpstreamStatus } from './upstream-state.js';

/** What a tenant runtime is given: narrow ports, never the server. */
export interface TenantPorts {
  /** The tenant's settings laid over the process Config (tenants/env.ts tenantConfigOf). */
  config: Config;
  /** Shown in GET /api/tenants. */
  name?: string;
  /** The Socket.IO server: the tenant emits only to its own org's rooms (server/tenant-sockets.ts). */
  io: FanoutServer;
  /** Its sockets on this node (counted, ended when the tenant is removed). */
  orgSockets: OrgSockets;
  /** This tenant's stores (seq, live calls, dial stores, leases): memory on one node, Redis in a cluster. */
  mode: BridgeMode;
  /** Its observations (BridgeMetrics for a single account; org-labelled series with several). */
  metrics: TenantMetrics;
  clock: Clock;
  logger: Logger;
  antringTimeoutMs?: number;
  dial?: ClickToCallDeps;
  writeback?: Pick<WritebackDeps, 'worker' | 'crmFetch' | 'webhookFetch' | 'now' | 'outbox'>;
  /** Tests: the recovery's AntBot or store (recovery-wiring/create.ts). */
  recovery?: Pick<RecoveryDeps, 'antbot' | 'store'>;
  /** Further features, run after the built-in ones (metrics, write-back) in this order (tenants/extensions.ts). */
  extensions?: readonly Extension[];
}

export interface TenantRuntime {
  readonly accountId: string;
  readonly name?: string;
  /** What the socket server hands this tenant's sockets to. */
  readonly sockets: TenantSocketsPort;
  /** Its REST routes (history, dashboard, click-to-call, write-back); mounted behind the JWT check. */
  readonly router: Router;
  readonly outbox: Outbox;
  /** Its sockets on this node. */
  connectedSockets(): number;
  webhooksDisabled(): number | undefined;
  visibleCalls(claims: Claims): Promise<CallView[]>;
  upstream(): UpstreamStatus;
  /** Cluster mode: the nodes holding its upstream subscription (contract §8.5). */
  holders?(): string[];
  status(): PipelineStatus;
  /** Not-ready reasons of its upstream (this node holds it and it is not live). */
  notReadyReasons(): string[];
  outboxStats(): Promise<OutboxStats>;
  /** strict: a refused token fails the start. spreadPolls: the first dashboard poll comes at this tenant's own
   *  phase of the poll interval (many tenants never poll all at once, §8.6). */
  start(opts?: { strict?: boolean; spreadPolls?: boolean }): Promise<void>;
  prepareStop(): void;
  /** Shutdown, step 1: the upstream stops (no new call update) before the sockets and HTTP close. */
  stopUpstream(): Promise<void>;
  /** A removed tenant: its upstream, dashboard and sockets stop now; its outbox goes on until stop(). */
  retire(): Promise<void>;
  stop(): Promise<void>;
}

/** A tenant's fixed phase in the poll interval (the same at every start): its account id hashed. */
export function pollPhaseMs(accountId: string, intervalMs: number): number {
  return createHash('sha256').update(accountId).digest().readUInt32BE(0) % Math.max(1, intervalMs);
}

/** start() was interrupted by stop(). */
export class TenantStoppedError extends coded('TENANT_STOPPED') {
  override readonly name = 'TenantStoppedError';
  constructor(readonly accountId: string) {
    super(`tenant ${accountId} was stopped while starting`);
  }
}
