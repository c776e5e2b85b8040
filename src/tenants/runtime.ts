// One tenant's runtime (TenantRuntime, runtime-types.ts): its clients (runtime-clients.ts), click-to-call, dashboard
// poller, sockets, publisher, extensions (metrics, write-back), missed-call recovery, enricher and upstream pipeline,
// wired together; its REST routes, upstream status, start order and stop.
import { Router as createRouter } from 'express';
import { CallEngine } from '../calls/engine.js';
import { DashboardPoller } from '../dashboard/poller.js';
import { dashboardRoutes } from '../dashboard/routes.js';
import { setupClickToCall } from '../dial/setup.js';
import { Enricher } from '../enrich/enricher.js';
import { visibleViews } from '../fanout/live-calls.js';
import { CallPublisher } from '../fanout/publisher.js';
import { historyRoutes } from '../http/routes-history.js';
import { createRecovery, type Recovery$ } from '../recovery-wiring/create.js';
import { Closers } from '../runtime/closers.js';
import { ConsumerSet } from '../runtime/consumers.js';
import { fanoutConsumer } from '../runtime/fanout-consumer.js';
import { UpstreamPipeline } from '../runtime/pipeline.js';
import { createTenantSockets } from '../server/tenant-sockets.js';
import { errCode } from '../shared/errors.js';
import { SignalSubscriber } from '../signals/subscriber.js';
import { createWriteback } from '../writeback/create.js';
import { metricsExtension, TenantExtensions, writebackExtension } from './extensions.js';
import { createTenantClients } from './runtime-clients.js';
import { pollPhaseMs, type TenantPorts, type TenantRuntime, TenantStoppedError } from './runtime-types.js';
import { UpstreamTracker } from './upstream-state.js';

export { pollPhaseMs, type TenantPorts, type TenantRuntime, TenantStoppedError };

export function createTenantRuntime(p: TenantPorts): TenantRuntime {
  const { config, mode, metrics, clock } = p;
  const org = config.antring.accountId;
  const logger = p.logger;
  const closers = new Closers(logger.child({ mod: 'stop' }));
  let stopped = false;

  const { antring, tokens, directory, contacts } = createTenantClients(p, closers);
  // Click-to-call: this tenant's devices and AntBot DNC only (a bad devices document throws DevicesFileError).
  const dial = setupClickToCall({
    config,
    upstream: antring,
    clock,
    logger,
    deps: {
      rateLimiter: mode.rateLimiter,
      idempotency: mode.idempotency,
      ...p.dial,
      onResult: (code) => {
        metrics.observeDial(code);
        p.dial?.onResult?.(code);
      },
    },
  });
  closers.add('dial', () => dial.stop());
  const dashboard = new DashboardPoller({
    client: mode.dashboardSource(antring, config.dashboardPollMs),
    org,
    intervalMs: config.dashboardPollMs,
    clock,
    logger: logger.child({ mod: 'dashboard' }),
    onChange: (d) => {
      if (mode.emitsDashboard()) sockets.emitDashboard(withRecovery(d) ?? d);
    },
    onPoll: (result, changed) => metrics.dashboardPoll(result, changed),
    // The poller refetches the agents and queues lists every minute: the directory takes them instead of fetching
    // them again on its own timer (one pair of list calls per tenant per minute, not two).
    onLists: (agents, queues) => directory.offer(agents, queues),
  });
  closers.add('dashboard', () => dashboard.stop());
  const sockets = createTenantSockets({
    io: p.io,
    org,
    live: mode.live,
    logger: logger.child({ mod: 'fanout' }),
    dashboard: () => withRecovery(dashboard.latest()),
    cluster: mode.sockets.adapter !== undefined,
  });
  closers.add('sockets', () => sockets.close());
  const unshare = mode.sharePlacedCalls(p.io, dial.placed, logger.child({ mod: 'dial' }));
  if (unshare) closers.add('placed-sharing', unshare);
  // Cross-cutting features plug in as Extensions (tenants/extensions.ts), run in order: metrics, write-back, then
  // those the process gives (p.extensions).
  const extensions = new TenantExtensions([metricsExtension(metrics)], {
    org,
    logger,
    ...(p.name ? { name: p.name } : {}),
  });
  const publisher = new CallPublisher({
    emitter: sockets.emitter,
    seq: mode.seq,
    live: mode.live,
    org,
    logger: logger.child({ mod: 'publish' }),
    onEmit: (view, u) => {
      // Cluster: mark the update done in the same tick as the emit (the standby must not publish it again).
      mode.published(u);
      extensions.emitted(view, u);
    },
    onReject: (reason) => extensions.rejected(reason),
  });
  // After the call (§7.2): this tenant's AntCRM key, tickets, leads and webhooks, from its own outbox.
  // Missed-call recovery (§9): created after the write-back (its jobs run in the tenant's outbox); re-sends go through it.
  let recovery: Recovery$ | undefined;
  const withRecovery = (d: ReturnType<typeof dashboard.latest>) =>
    d && recovery ? { ...d, recovery: recovery.figures() } : d;
  const writeback = createWriteback({
    config,
    logger,
    publisher: {
      publish: (u) => (recovery ? recovery.publish(u) : publisher.publish(u)),
      onView: (l) => publisher.onView(l),
    },
    contacts,
    ...(mode.writebackStore ? { cluster: mode.writebackStore } : {}),
    ...p.writeback,
  });
  extensions.use(writebackExtension(writeback), ...(p.extensions ?? []));
  closers.add('extensions', () => extensions.stop());
  recovery = createRecovery({
    config,
    outbox: writeback.outbox,
    publisher,
    logger,
    clock,
    ...(mode.writebackStore ? { cluster: mode.writebackStore } : {}),
    ...p.recovery,
  });
  if (recovery) {
    const r = recovery;
    closers.add('recovery', () => r.stop());
    r.onChange(() => {
      const d = withRecovery(dashboard.latest());
      if (d && mode.emitsDashboard()) sockets.emitDashboard(d);
    });
  }
  const consumers = new ConsumerSet(
    [fanoutConsumer(publisher), extensions.consumer(), ...(recovery ? [recovery.consumer] : [])],
    logger.child({ mod: 'consumers' }),
  );
  closers.add('consumers', () => consumers.stop());
  const enricher = new Enricher({
    contacts,
    budgetMs: config.crmBudgetMs,
    publish: (u) => consumers.dispatch(recovery ? recovery.decorate(u) : u),
    clock,
    logger: logger.child({ mod: 'enrich' }),
  });
  closers.add('enricher', () => enricher.stop());
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

  const router = createRouter();
  router.use(historyRoutes({ source: antring, logger: logger.child({ mod: 'history' }) }));
  router.use(dashboardRoutes({ latest: () => withRecovery(dashboard.latest()) }));
  router.use(dial.router);
  router.use(writeback.routes);
  if (recovery) router.use(recovery.routes);

  const upstream = new UpstreamTracker(
    () => {
      const s = pipeline.status();
      return {
        signal: s.signal,
        problem: pipeline.notReadyReasons().find((r) => r.includes('cannot start')),
        authFailed: tokens.status().authFailed && !tokens.status().hasToken,
        held: mode.leases.holdsUpstream(),
        stopped,
      };
    },
    () => clock.now(),
  );

  let stopping: Promise<void> | undefined;
  let pollPhase: unknown;
  closers.add('poll-phase', () => {
    if (pollPhase !== undefined) clock.clearTimeout(pollPhase);
  });
  async function start(opts: { strict?: boolean; spreadPolls?: boolean } = {}): Promise<void> {
    const stillStarting = () => {
      if (stopping) throw new TenantStoppedError(org);
    };
    try {
      await tokens.start();
    } catch (err) {
      stillStarting();
      if (opts.strict) throw err;
      // One tenant's bad credentials are its own trouble: it is `down` (auth_failed) and the keeper retries.
      logger.warn({ err: errCode(err) }, 'tenant token refused at start; retrying');
    }
    stillStarting();
    await directory.start();
    stillStarting();
    // The recoveries and their jobs first: their handlers are in place before the worker runs.
    await recovery?.start();
    stillStarting();
    // Deliveries pending from before a restart are tried at once.
    await extensions.start();
    stillStarting();
    pipeline.start();
    if (opts.spreadPolls) {
      pollPhase = clock.setTimeout(
        () => {
          pollPhase = undefined;
          if (!stopped) dashboard.start();
        },
        pollPhaseMs(org, config.dashboardPollMs),
      );
      (pollPhase as { unref?: () => void }).unref?.();
    } else {
      dashboard.start();
    }
    dial.start();
  }

  return {
    accountId: org,
    ...(p.name ? { name: p.name } : {}),
    sockets: {
      connected: (socket, claims) => sockets.connected(socket, claims),
      dial: (claims, body) => dial.service.dial(claims, body),
      wrapup: (claims, body) => writeback.wrapup.submit(claims, body),
    },
    router,
    outbox: writeback.outbox,
    connectedSockets: () => p.orgSockets.count(),
    webhooksDisabled: () => writeback.webhookCounters()?.disabled,
    visibleCalls: (claims) => visibleViews(mode.live, claims, org),
    upstream: () => upstream.status(),
    ...(mode.leases.holders ? { holders: () => mode.leases.holders?.() ?? [] } : {}),
    status: () => pipeline.status(),
    notReadyReasons: () => pipeline.notReadyReasons(),
    outboxStats: () => writeback.outbox.stats(),
    start,
    prepareStop: () => pipeline.prepareStop(),
    stopUpstream: () => pipeline.stop(),
    retire: async () => {
      stopped = true;
      p.orgSockets.end('tenant_removed');
      sockets.close();
      await pipeline.stop();
      await dashboard.stop();
    },
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        const { failed } = await closers.closeAll();
        if (failed.length) logger.warn({ failed }, 'tenant stopped with failures');
      })()),
  };
}
