// The composition root: the only place that builds the bridge's parts and wires them together (contract §8).
// createBridge(config) → { start, stop, reload }: used by main.ts, the tests and the benchmarks.
//
//   process (server/): HTTP + Socket.IO server, JWT verification (the token's org must be a tenant), metrics, the
//                      operator's routes, /readyz; the mode's process-wide part (Socket.IO adapter, Redis)
//   tenants/:          the registry (the tenants file, or the single-account environment as a tenant of one; reload
//                      as a diff) → one TenantRuntime per AntRing account (tenants/runtime.ts)
//
// stop(): every tenant's upstream → Socket.IO clients and HTTP requests in flight → the tenants' runtimes (consumers,
// write-back, clients) → the mode's stores (Redis) (runtime/closers.ts, last registered first).

import { systemClock } from './clock.js';
import type { Config } from './config.js';
import { demoPages } from './http/demo-pages.js';
import { createDemoTokenRenewer } from './http/demo-token.js';
import { BridgeMetrics } from './http/metrics.js';
import { createLogger } from './log.js';
import { Closers } from './runtime/closers.js';
import { createModes } from './runtime/modes.js';
import { createBridgeServer } from './server/bridge-server.js';
import { type Bridge, type BridgeDeps, BridgeStoppedError } from './server/bridge-types.js';
import { tenantsMetrics } from './server/org-metrics.js';
import { pipelinesStatus, tenantsReadiness } from './server/tenant-status.js';
import { createTenantVerifier } from './server/verifier.js';
import { loadTenants, tenantSettings } from './tenants/env.js';
import { TenantRegistry } from './tenants/registry.js';
import { createTenantRuntime } from './tenants/runtime.js';
import type { TenantConfig } from './tenants/types.js';

export { type Bridge, type BridgeDeps, BridgeStoppedError };

/** stop(): how long requests in flight may take to finish before their connections are closed. */
const HTTP_CLOSE_MS = 5000;

export function createBridge(config: Config, deps: BridgeDeps = {}): Bridge {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const clock = deps.clock ?? systemClock;
  const metrics = new BridgeMetrics();
  const closers = new Closers(logger.child({ mod: 'stop' }));
  const tenantsIo = deps.tenantsIo ?? { env: process.env };
  const load = deps.tenants ?? ((): TenantConfig[] => loadTenants(config, tenantsIo));
  // A tenants file that does not load stops the start here (TenantsError: `config error:` lines, exit 1).
  const initial = load();
  const modes = createModes(tenantSettings(config, initial[0]), { logger, clock, cluster: deps.cluster });
  closers.add('mode', () => modes.close());
  const registry = new TenantRegistry({
    load,
    logger: logger.child({ mod: 'tenants' }),
    strictStart: !config.tenantsFile,
  });
  closers.add('tenants', () => registry.stop());
  let draining = false;
  // Several tenants: the call, pop, upstream and outbox series carry an `org` label (a single account's stay as they were).
  const several = Boolean(config.tenantsFile) || initial.length > 1;
  const observe = tenantsMetrics(metrics, registry, several);
  const apply = async () => {
    const r = await registry.reload();
    for (const org of r.removed) observe.dropOrg(org);
    return r;
  };
  // SIGHUP and POST /api/tenants/reload: this node, then (cluster) every other node reads its file again.
  const reload = async () => {
    const r = await apply();
    await modes.reloads?.announce();
    return r;
  };
  const server = createBridgeServer({
    config,
    logger,
    metrics,
    verifier: createTenantVerifier(config.jwt, (org) => registry.get(org) !== undefined),
    tenants: registry,
    readiness: tenantsReadiness(
      registry,
      { draining: () => draining, notReadyReasons: () => modes.notReadyReasons() },
      several,
    ),
    reload,
    publicRoutes: [
      demoPages({
        ...demoRenewal(
          config,
          initial.map((t) => t.accountId),
        ),
        ...(deps.demoFeed ? { feed: deps.demoFeed } : {}),
      }),
    ],
    sockets: modes.sockets,
    ...(deps.http ? { http: deps.http } : {}),
  });
  closers.add('http', () => server.close(deps.http?.closeMs ?? HTTP_CLOSE_MS));
  closers.add('upstreams', () => registry.stopUpstreams());
  const build = (t: TenantConfig) => {
    const settings = tenantSettings(config, t);
    return createTenantRuntime({
      config: settings,
      ...(t.name ? { name: t.name } : {}),
      io: server.sockets.io,
      orgSockets: server.sockets.ofOrg(settings.antring.accountId),
      mode: modes.forTenant(settings),
      metrics: observe.forOrg(settings.antring.accountId),
      clock,
      logger: logger.child({ org: settings.antring.accountId }),
      antringTimeoutMs: deps.antringTimeoutMs,
      ...(deps.dial ? { dial: deps.dial } : {}),
      ...(deps.writeback ? { writeback: deps.writeback } : {}),
      ...(deps.extensions ? { extensions: deps.extensions(settings.antring.accountId) } : {}),
    });
  };

  let stopping: Promise<void> | undefined;
  async function start(): Promise<{ port: number; url: string }> {
    const addr = await server.listen();
    try {
      await registry.start(initial, { build });
    } catch (err) {
      // stop() may come at any await (SIGTERM while AntRing is unreachable): not a failure of the start.
      if (stopping) throw new BridgeStoppedError();
      throw err;
    }
    if (stopping) throw new BridgeStoppedError();
    if (config.tenantsFile && modes.reloads) {
      const unfollow = await modes.reloads.follow(apply);
      closers.add('reload notices', async () => unfollow());
    }
    logger.info(
      { port: addr.port, protocol: config.antring.signalProtocol, node: modes.nodeId, tenants: initial.length },
      'bridge listening',
    );
    return addr;
  }

  return {
    logger,
    start,
    stop: () =>
      (stopping ??= (async () => {
        draining = true;
        const { failed } = await closers.closeAll();
        if (failed.length) logger.warn({ failed }, 'stopped with failures');
      })()),
    prepareStop: () => {
      draining = true;
      registry.prepareStop();
      modes.prepareStop();
    },
    reload,
    status: () => ({ ...pipelinesStatus(registry), sockets: server.sockets.connectedByRole() }),
  };
}

/** Demo mode: the demo pages may renew their printed tokens (POST /demo/token) when one expires. */
function demoRenewal(config: Config, orgs: string[]): Parameters<typeof demoPages>[0] {
  const secret = config.jwt.secret;
  if (!config.demo || !secret) return {};
  const renewers = orgs.map((org) =>
    createDemoTokenRenewer({
      secret,
      org,
      ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
      ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
    }),
  );
  // Each demo company's tokens are renewed (a token names one org).
  return { renewToken: (token) => renewers.map((r) => r(token)).find((t) => t !== undefined) };
}
