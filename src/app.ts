// The composition root: the only place that builds clients and wires the boundaries together.
// createBridge(config) → { start, stop }: used by main.ts, the tests and the benchmarks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { systemClock, type Clock } from './clock.js';
import { AntRingClient } from './antring/client.js';
import { TokenKeeper } from './antring/token-keeper.js';
import { AntRingDirectory } from './antring/agent-directory.js';
import { SignalSubscriber } from './signals/subscriber.js';
import { CallEngine } from './calls/engine.js';
import { AntCrmClient } from './antcrm/client.js';
import { ContactDirectory } from './enrich/contact-directory.js';
import { Enricher } from './enrich/enricher.js';
import { createJwtVerifier } from './fanout/jwt.js';
import { createFanout } from './fanout/server.js';
import { CallPublisher } from './fanout/publisher.js';
import { MemoryLiveCallStore, visibleViews } from './fanout/live-calls.js';
import { MemorySeqSource } from './fanout/seq.js';
import { createHttpApp } from './http/app.js';
import { BridgeMetrics } from './http/metrics.js';
import { historyRoutes } from './http/routes-history.js';
import { demoPages } from './http/demo-pages.js';
import { setupClickToCall, type ClickToCallDeps } from './dial/setup.js';
import { createCluster } from './cluster/cluster.js';
import type { ClusterSettings } from './cluster/settings.js';
import { DashboardPoller } from './dashboard/poller.js';
import { dashboardRoutes } from './dashboard/routes.js';

export interface BridgeDeps {
  logger?: Logger;
  clock?: Clock;
  /** Cluster mode (config.redisUrl set): settings from the environment (cluster/settings.ts). */
  cluster?: Partial<ClusterSettings>;
  /** AntRing request timeout (ms, default 5000; tests shorten it). */
  antringTimeoutMs?: number;
  /** Click-to-call knobs: AntBot timeouts, DNC cache, shared rate limiter / idempotency store, metrics hook. */
  dial?: ClickToCallDeps;
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

const SWEEP_EVERY_MS = 30_000;

export function createBridge(config: Config, deps: BridgeDeps = {}): Bridge {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const clock = deps.clock ?? systemClock;
  // Prometheus metrics: a registry per bridge (GET /metrics); every module reports through its hook.
  const metrics = new BridgeMetrics();
  const org = config.antring.accountId;
  // Cluster mode: Redis-backed seq, live calls, contact L2, Socket.IO adapter, upstream leases (src/cluster/).
  const cluster = config.redisUrl
    ? createCluster({ url: config.redisUrl, org, dialRatePerMinute: config.dial.ratePerMinute, logger: logger.child({ mod: 'cluster' }), settings: { ...config.cluster, ...deps.cluster } })
    : undefined;
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
  const tokens = new TokenKeeper({
    fetchToken: (signal?: AbortSignal) => antring.authToken(signal),
    clock,
    logger: logger.child({ mod: 'token' }),
    onRefresh: (e) => metrics.tokenRefresh(e),
  });
  const directory = new AntRingDirectory({ client: antring, clock, logger: logger.child({ mod: 'directory' }) });

  const crm = config.antcrm.apiKey
    ? new AntCrmClient({ apiUrl: config.antcrm.apiUrl, apiKey: config.antcrm.apiKey, logger: logger.child({ mod: 'antcrm' }) })
    : null;
  const contacts = new ContactDirectory({
    client: crm,
    ttlMs: config.antcrm.cacheTtlMs,
    negativeTtlMs: config.antcrm.negativeTtlMs,
    maxConcurrency: config.antcrm.maxConcurrency,
    clock,
    logger: logger.child({ mod: 'contacts' }),
    observe: (ev) => metrics.crmLookup(ev),
    ...(cluster ? { secondLevel: cluster.contactCache } : {}),
  });

  const verifier = createJwtVerifier({ ...config.jwt, org });
  // Click-to-call (REST and the socket `dial`): devices validated now (a bad DEVICES_FILE throws DevicesFileError).
  const dial = setupClickToCall({ config, upstream: antring, clock, logger, deps: {
    ...(cluster ? { rateLimiter: cluster.rateLimiter, idempotency: cluster.idempotency } : {}),
    ...deps.dial,
    onResult: (code) => {
      metrics.observeDial(code);
      deps.dial?.onResult?.(code);
    },
  } });
  // The directory keeps its own 60 s refresh of agents/queues; the poller fetches them for the dashboard only.
  const dashboard = new DashboardPoller({
    client: cluster ? cluster.dashboardSource(antring, config.dashboardPollMs) : antring,
    org,
    intervalMs: config.dashboardPollMs,
    clock,
    logger: logger.child({ mod: 'dashboard' }),
    // Cluster: the adapter broadcasts to every node's sockets, so only the dashboard leader emits.
    onChange: (d) => {
      if (!cluster || cluster.leadsDashboard()) fanout.emitDashboard(d);
    },
    onPoll: (result, changed) => metrics.dashboardPoll(result, changed),
  });
  const live = cluster?.live ?? new MemoryLiveCallStore();
  let signalState = 'idle';

  // Express first: engine.io hands every non-Socket.IO request to the listeners already attached.
  const app = createHttpApp({
    logger: logger.child({ mod: 'http' }),
    verifier,
    readiness: {
      notReadyReasons: () => [
        ...(shuttingDown ? ['shutting down'] : []),
        ...(cluster?.notReadyReasons() ?? []),
        // In cluster mode only the nodes holding an upstream lease need a live subscription.
        ...(signalState === 'live' || (cluster && !cluster.holdsUpstream()) ? [] : [`signal subscription is ${signalState}`]),
      ],
    },
    liveCalls: { visibleTo: (claims) => visibleViews(live, claims, org) },
    corsOrigins: config.corsOrigins,
    publicRoutes: [metrics.router(), demoPages()],
    apiRoutes: [historyRoutes({ source: antring, logger: logger.child({ mod: 'history' }) }), dashboardRoutes({ latest: () => dashboard.latest() }), dial.router],
  });
  const server = http.createServer(app);
  const fanout = createFanout(server, {
    org,
    verifier,
    logger: logger.child({ mod: 'fanout' }),
    cors: config.corsOrigins.length ? { origins: config.corsOrigins } : false,
    onConnectionChange: (role, delta) => metrics.socketChange(role, delta),
    live,
    ...(cluster ? { adapter: cluster.adapter, connectionStateRecovery: cluster.connectionStateRecovery } : {}),
    dashboard: () => dashboard.latest(),
    dial: (claims, body) => dial.service.dial(claims, body),
  });
  const publisher = new CallPublisher({
    emitter: fanout.emitter,
    seq: cluster?.seq ?? new MemorySeqSource(),
    live,
    org,
    logger: logger.child({ mod: 'publish' }),
    onEmit: (view, u) => {
      // Cluster: mark the update done in the same tick as the emit (the standby must not publish it again).
      cluster?.published(u);
      metrics.callEmitted(u.audience.kind, view.state, u.receivedAt);
    },
    onReject: (reason) => metrics.callRejected(reason),
  });
  const enricher = new Enricher({
    contacts,
    budgetMs: config.crmBudgetMs,
    publish: (u) => void publisher.publish(u),
    clock,
    logger: logger.child({ mod: 'enrich' }),
  });
  let engine = new CallEngine({ org, directory });

  const newSubscriber = () => new SignalSubscriber({
    url: config.antring.signalUrl,
    protocol: config.antring.signalProtocol,
    accountId: org,
    bindings: config.antring.bindings,
    tokens,
    logger: logger.child({ mod: 'signals' }),
    clock,
    onEvent: (event) => {
      if (cluster) cluster.onUpdates(event, engine.apply(event));
      else for (const update of engine.apply(event)) enricher.push(update);
    },
    onFrame: (type) => metrics.signalFrame(type),
    onReject: (reason) => metrics.signalReject(reason),
    onStateChange: (state) => {
      signalState = state;
      metrics.signalState(state);
    },
  });
  let subscriber = newSubscriber();

  let sweepTimer: NodeJS.Timeout | undefined;
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
    await tokens.start();
    await directory.start();
    if (cluster) {
      // Only the nodes holding an upstream lease subscribe; each lease term gets a fresh engine and subscriber.
      cluster.start({
        acquire: () => {
          if (shuttingDown || stopping) return;
          engine = new CallEngine({ org, directory });
          subscriber = newSubscriber();
          subscriber.start();
        },
        release: async () => {
          await subscriber.stop();
          signalState = 'idle';
        },
      }, (u) => enricher.push(u));
    } else {
      subscriber.start();
    }
    dashboard.start();
    dial.start();
    sweepTimer = setInterval(() => {
      if (cluster) cluster.onUpdates(undefined, engine.sweep(clock.now()));
      else for (const update of engine.sweep(clock.now())) enricher.push(update);
    }, SWEEP_EVERY_MS);
    sweepTimer.unref();
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    logger.info({ port, protocol: config.antring.signalProtocol, node: cluster?.nodeId }, 'bridge listening');
    return { port, url: `http://${host}:${port}` };
  }

  async function doStop(): Promise<void> {
    if (sweepTimer) clearInterval(sweepTimer);
    shuttingDown = true;
    await cluster?.leave();
    await subscriber.stop();
    await dashboard.stop();
    await dial.stop();
    enricher.stop();
    await directory.stop();
    await tokens.stop();
    antring.close();
    crm?.close();
    await fanout.close();
    await new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
    await cluster?.close();
  }

  return {
    logger,
    start,
    stop: () => (stopping ??= doStop()),
    prepareStop: () => {
      shuttingDown = true;
      cluster?.stopAcquiring();
    },
    status: () => ({ signal: signalState, reconnects: subscriber.stats().reconnects, liveCalls: engine.liveCalls, sockets: fanout.connectedByRole() }),
  };
}
