// The composition root: the only place that builds clients and wires the boundaries together.
// createBridge(config) → { start, stop }: used by main.ts, the tests and the benchmarks.
//
//   mode (single node | cluster: stores, leases) ─┐
//   AntRing client, token keeper, directory, AntCRM, click-to-call, dashboard poller
//   HTTP app + server ─ Socket.IO fan-out
//   UpstreamPipeline (subscriber → engine → mode.leases) → Enricher → ConsumerSet [fan-out, ...]
//
// Every part registers its closer as it is built; stop() runs them in reverse (runtime/closers.ts): upstream
// pipeline → Socket.IO clients → HTTP requests in flight → consumers, enricher → dashboard, click-to-call, directory,
// token keeper → upstream clients → the mode's stores (Redis).
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { AntCrmClient } from './antcrm/client.js';
import { AntRingDirectory } from './antring/agent-directory.js';
import { AntRingClient } from './antring/client.js';
import { TokenKeeper } from './antring/token-keeper.js';
import { CallEngine } from './calls/engine.js';
import { type Clock, systemClock } from './clock.js';
import type { ClusterSettings } from './cluster/settings.js';
import type { Config } from './config.js';
import { DashboardPoller } from './dashboard/poller.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { type ClickToCallDeps, setupClickToCall } from './dial/setup.js';
import { ContactDirectory } from './enrich/contact-directory.js';
import { Enricher } from './enrich/enricher.js';
import { createJwtVerifier } from './fanout/jwt.js';
import { visibleViews } from './fanout/live-calls.js';
import { sharePlacedCalls } from './fanout/placed-sharing.js';
import { CallPublisher } from './fanout/publisher.js';
import { createFanout } from './fanout/server.js';
import { createHttpApp, createHttpServer, type HttpServerLimits } from './http/app.js';
import type { DemoFeed } from './http/demo-pages.js';
import { demoPages } from './http/demo-pages.js';
import { createDemoTokenRenewer } from './http/demo-token.js';
import { BridgeMetrics } from './http/metrics.js';
import { historyRoutes } from './http/routes-history.js';
import { createLogger, type Logger } from './log.js';
import { Closers } from './runtime/closers.js';
import type { ClusterMode } from './runtime/cluster-mode.js';
import { ConsumerSet } from './runtime/consumers.js';
import { createMode } from './runtime/create-mode.js';
import { fanoutConsumer } from './runtime/fanout-consumer.js';
import { UpstreamPipeline } from './runtime/pipeline.js';
import { SignalSubscriber } from './signals/subscriber.js';
import { createWriteback, type WritebackDeps } from './writeback/create.js';

export interface BridgeDeps {
  logger?: Logger;
  clock?: Clock;
  /** Cluster mode (config.redisUrl set): settings from the environment (cluster/settings.ts). */
  cluster?: Partial<ClusterSettings>;
  /** AntRing request timeout (ms, default 5000; tests shorten it). */
  antringTimeoutMs?: number;
  /** Click-to-call knobs: AntBot timeouts, DNC cache, shared rate limiter / idempotency store, metrics hook. */
  dial?: ClickToCallDeps;
  /** HTTP server limits (header/request/keep-alive timeouts) and how long stop() lets requests in flight finish
   *  (closeMs, default 5000). */
  http?: HttpServerLimits & { closeMs?: number };
  /** Write-back knobs (tests: short outbox retries, fetch functions). */
  writeback?: Pick<WritebackDeps, 'worker' | 'crmFetch' | 'webhookFetch' | 'now'>;
  /** Demo mode: the simulator's tickets, leads and received webhooks for the demo pages. */
  demoFeed?: DemoFeed;
}

/** start() was interrupted by stop() (e.g. SIGTERM while AntRing is unreachable at start). */
export class BridgeStoppedError extends Error {
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
  /** For tests and operators: what the bridge knows of itself. */
  status(): { signal: string; reconnects: number; liveCalls: number; sockets: Record<string, number> };
}

/** stop(): how long requests in flight may take to finish before their connections are closed. */
const HTTP_CLOSE_MS = 5000;

export function createBridge(config: Config, deps: BridgeDeps = {}): Bridge {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const clock = deps.clock ?? systemClock;
  // Prometheus metrics: a registry per bridge (GET /metrics); every module reports through its hook.
  const metrics = new BridgeMetrics();
  const org = config.antring.accountId;
  const closers = new Closers(logger.child({ mod: 'stop' }));
  // Single node (memory) or cluster (Redis): seq, live calls, contact L2, dial stores, Socket.IO adapter, leases.
  const mode = createMode(config, { logger, clock, cluster: deps.cluster });
  closers.add('mode', () => mode.close());
  let shuttingDown = false;

  const antring = new AntRingClient({
    apiUrl: config.antring.apiUrl,
    appId: config.antring.appId,
    appSecret: config.antring.appSecret,
    domain: config.antring.domain,
    email: config.antring.email,
    logger: logger.child({ mod: 'antring' }),
    timeoutMs: deps.antringTimeoutMs,
  });
  closers.add('antring', () => antring.close());
  const crm = config.antcrm.apiKey
    ? new AntCrmClient({
        apiUrl: config.antcrm.apiUrl,
        apiKey: config.antcrm.apiKey,
        logger: logger.child({ mod: 'antcrm' }),
      })
    : null;
  if (crm) closers.add('antcrm', () => crm.close());
  const tokens = new TokenKeeper({
    fetchToken: (signal?: AbortSignal) => antring.authToken(signal),
    clock,
    logger: logger.child({ mod: 'token' }),
    onRefresh: (e) => metrics.tokenRefresh(e),
  });
  closers.add('tokens', () => tokens.stop());
  const directory = new AntRingDirectory({ client: antring, clock, logger: logger.child({ mod: 'directory' }) });
  closers.add('directory', () => directory.stop());

  const contacts = new ContactDirectory({
    client: crm,
    ttlMs: config.antcrm.cacheTtlMs,
    negativeTtlMs: config.antcrm.negativeTtlMs,
    maxConcurrency: config.antcrm.maxConcurrency,
    clock,
    logger: logger.child({ mod: 'contacts' }),
    observe: (ev) => metrics.crmLookup(ev),
    ...(mode.contactCache ? { secondLevel: mode.contactCache } : {}),
  });

  const verifier = createJwtVerifier({ ...config.jwt, org });
  // Click-to-call (REST and the socket `dial`): devices validated now (a bad DEVICES_FILE throws DevicesFileError).
  const dial = setupClickToCall({
    config,
    upstream: antring,
    clock,
    logger,
    deps: {
      rateLimiter: mode.rateLimiter,
      idempotency: mode.idempotency,
      ...deps.dial,
      onResult: (code) => {
        metrics.observeDial(code);
        deps.dial?.onResult?.(code);
      },
    },
  });
  closers.add('dial', () => dial.stop());
  // The directory keeps its own 60 s refresh of agents/queues; the poller fetches them for the dashboard only.
  const dashboard = new DashboardPoller({
    client: mode.dashboardSource(antring, config.dashboardPollMs),
    org,
    intervalMs: config.dashboardPollMs,
    clock,
    logger: logger.child({ mod: 'dashboard' }),
    onChange: (d) => {
      if (mode.emitsDashboard()) fanout.emitDashboard(d);
    },
    onPoll: (result, changed) => metrics.dashboardPoll(result, changed),
  });
  closers.add('dashboard', () => dashboard.stop());
  const live = mode.live;

  // The write-back's REST routes, filled in once it is built (it needs the publisher, which needs the server).
  const writebackRoutes = Router();
  // Express first: engine.io hands every non-Socket.IO request to the listeners already attached.
  const app = createHttpApp({
    logger: logger.child({ mod: 'http' }),
    verifier,
    readiness: {
      notReadyReasons: () => [
        ...(shuttingDown ? ['shutting down'] : []),
        ...mode.notReadyReasons(),
        // In cluster mode only the nodes holding an upstream lease need a live subscription.
        ...pipeline.notReadyReasons(),
      ],
    },
    liveCalls: { visibleTo: (claims) => visibleViews(live, claims, org) },
    corsOrigins: config.corsOrigins,
    publicRoutes: [
      metrics.router(),
      demoPages({ ...demoRenewal(config), ...(deps.demoFeed ? { feed: deps.demoFeed } : {}) }),
    ],
    apiRoutes: [
      historyRoutes({ source: antring, logger: logger.child({ mod: 'history' }) }),
      dashboardRoutes({ latest: () => dashboard.latest() }),
      dial.router,
      writebackRoutes,
    ],
    // Click-to-call and the rest: 4 KB. A wrap-up note: 2,000 characters of Vietnamese are up to ~6 KB of UTF-8.
    largeBodies: { paths: /^\/calls\/[^/]+\/wrapup$/, limit: '16kb' },
  });
  const httpServer = createHttpServer(app, logger.child({ mod: 'http' }), deps.http);
  const server = httpServer.server;
  const fanout = createFanout(server, {
    org,
    verifier,
    logger: logger.child({ mod: 'fanout' }),
    cors: config.corsOrigins.length ? { origins: config.corsOrigins } : false,
    onConnectionChange: (role, delta) => metrics.socketChange(role, delta),
    live,
    ...mode.sockets,
    dashboard: () => dashboard.latest(),
    dial: (claims, body) => dial.service.dial(claims, body),
    wrapup: (claims, body) => writeback.wrapup.submit(claims, body),
    onThrottle: (what) => metrics.socketThrottled(what),
  });
  // Cluster: a click-to-call placed through this node is known to the upstream holders' engines too.
  if (mode.kind === 'cluster')
    closers.add('placed-sharing', sharePlacedCalls(fanout.io, dial.placed, logger.child({ mod: 'dial' })));
  const publisher = new CallPublisher({
    emitter: fanout.emitter,
    seq: mode.seq,
    live,
    org,
    logger: logger.child({ mod: 'publish' }),
    onEmit: (view, u) => {
      // Cluster: mark the update done in the same tick as the emit (the standby must not publish it again).
      mode.published(u);
      metrics.callEmitted(u.audience.kind, view.state, u.receivedAt);
    },
    onReject: (reason) => metrics.callRejected(reason),
  });
  // After the call (contract §7.2): AntCRM write-back and webhooks from the durable outbox (SQLite in DATA_DIR on one
  // node, Redis in a cluster). Stopped after the consumers (no new enqueue), before the mode's stores.
  const writeback = createWriteback({
    config,
    logger,
    publisher,
    contacts,
    ...(mode.kind === 'cluster' ? { cluster: (mode as ClusterMode).cluster } : {}),
    ...deps.writeback,
  });
  closers.add('writeback', () => writeback.stop());
  writebackRoutes.use(writeback.routes);
  metrics.outbox({
    stats: () => writeback.outbox.stats(),
    counters: () => writeback.outbox.counters(),
    webhooksDisabled: () => writeback.webhookCounters()?.disabled,
  });
  // The consumers of call updates, in order: the fan-out first (pops never wait), then the write-back (enqueues only).
  const consumers = new ConsumerSet(
    [fanoutConsumer(publisher), writeback.consumer],
    logger.child({ mod: 'consumers' }),
  );
  closers.add('consumers', () => consumers.stop());
  const enricher = new Enricher({
    contacts,
    budgetMs: config.crmBudgetMs,
    publish: (u) => consumers.dispatch(u),
    clock,
    logger: logger.child({ mod: 'enrich' }),
  });
  closers.add('enricher', () => enricher.stop());
  // HTTP before the upstream clients, which the requests in flight (click-to-call, history) still use: Socket.IO
  // clients (long-polling requests too) are disconnected, new connections refused, requests in flight answered.
  closers.add('http', () => httpServer.close(deps.http?.closeMs ?? HTTP_CLOSE_MS));
  closers.add('sockets', () => fanout.close());

  const pipeline = new UpstreamPipeline({
    leases: mode.leases,
    createEngine: () => new CallEngine({ org, directory, placed: dial.placed }),
    createSubscriber: (h) =>
      new SignalSubscriber({
        url: config.antring.signalUrl,
        protocol: config.antring.signalProtocol,
        accountId: org,
        bindings: config.antring.bindings,
        tokens,
        logger: logger.child({ mod: 'signals' }),
        clock,
        onEvent: h.onEvent,
        onFrame: (type) => metrics.signalFrame(type),
        onReject: (reason) => metrics.signalReject(reason),
        onStateChange: h.onStateChange,
      }),
    sink: (u) => enricher.push(u),
    clock,
    logger: logger.child({ mod: 'pipeline' }),
    onSignalState: (state) => metrics.signalState(state),
  });
  closers.add('pipeline', () => pipeline.stop());

  let stopping: Promise<void> | undefined;

  async function start(): Promise<{ port: number; url: string }> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    // stop() may come at any await (SIGTERM while AntRing is unreachable): start nothing more after it.
    const stillStarting = () => {
      if (stopping) throw new BridgeStoppedError();
    };
    await tokens.start().catch((err: unknown) => {
      stillStarting();
      throw err;
    });
    stillStarting();
    await directory.start();
    stillStarting();
    // Deliveries pending from before a restart are tried at once.
    await writeback.start();
    stillStarting();
    // Single node: the subscription starts now. Cluster: only while this node holds an upstream lease, each lease
    // term with a fresh engine and subscriber.
    pipeline.start();
    dashboard.start();
    dial.start();
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    logger.info({ port, protocol: config.antring.signalProtocol, node: mode.nodeId }, 'bridge listening');
    return { port, url: `http://${host}:${port}` };
  }

  async function doStop(): Promise<void> {
    shuttingDown = true;
    const { failed } = await closers.closeAll();
    if (failed.length) logger.warn({ failed }, 'stopped with failures');
  }

  return {
    logger,
    start,
    stop: () => (stopping ??= doStop()),
    prepareStop: () => {
      shuttingDown = true;
      pipeline.prepareStop();
    },
    status: () => ({ ...pipeline.status(), sockets: fanout.connectedByRole() }),
  };
}

/** Demo mode: the demo pages may renew their printed tokens (POST /demo/token) when one expires. */
function demoRenewal(config: Config): Parameters<typeof demoPages>[0] {
  if (!config.demo || !config.jwt.secret) return {};
  return {
    renewToken: createDemoTokenRenewer({
      secret: config.jwt.secret,
      org: config.antring.accountId,
      ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
      ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
    }),
  };
}
