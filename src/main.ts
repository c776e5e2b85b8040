// Process entry: config → bridge (and, in demo mode, the simulator) → graceful stop. SIGTERM/SIGINT are handled from
// the first moment, in every state (still starting, AntRing unreachable, running): drain → stop → exit 0.
// The bridge and the simulator are imported once the signal handlers are in place (see the end of this file).

import type { Bridge } from './app.js';
import { type Config, loadConfig } from './config.js';
import type { DemoSetup } from './demo.js';
import { createLogger, type Logger } from './log.js';
import { exitOf, hasCode } from './shared/error-catalogue.js';
import { errText } from './shared/errors.js';

/** After the drain: how long stopping may take before the process gives up (exit 1). */
const STOP_TIMEOUT_MS = 10_000;

/** An error the catalogue marks as configuration (`exit: 'config'`): one `config error:` line per problem. */
function configError(err: unknown): boolean {
  if (exitOf(err) !== 'config') return false;
  for (const p of (err as Error).message.split('\n')) console.error(`config error: ${p}`);
  return true;
}

const run: {
  config?: Config;
  logger?: Logger;
  demo?: DemoSetup;
  demoStarting?: Promise<unknown>;
  bridge?: Bridge;
  stopping: boolean;
} = { stopping: false };

function shutdown(signal: NodeJS.Signals): void {
  if (run.stopping) return;
  run.stopping = true;
  const drainMs = run.bridge ? (run.config?.shutdownDrainMs ?? 0) : 0;
  const log = run.bridge?.logger ?? run.logger;
  log?.info({ signal, drainMs }, 'stopping: not ready, draining');
  // SHUTDOWN_DRAIN_MS: /readyz answers 503 for that long (load balancers take the node out), then everything closes.
  run.bridge?.prepareStop();
  setTimeout(() => {
    log?.error('stop timed out');
    process.exit(1);
  }, drainMs + STOP_TIMEOUT_MS).unref();
  new Promise((resolve) => setTimeout(resolve, drainMs))
    // A simulator still starting is waited for (it is local and quick), so that it is closed too.
    .then(() => run.demoStarting?.catch(() => undefined))
    .then(() => Promise.all([run.bridge?.stop(), run.demo?.close()]))
    .then(() => {
      log?.info('stopped');
      process.exit(0);
    })
    .catch((err: unknown) => {
      log?.error({ err: errText(err) }, 'stop failed');
      process.exit(1);
    });
}

/** SIGHUP: the tenants file read again and its difference applied (contract §8.2); a bad file changes nothing. */
function reloadTenants(): void {
  const bridge = run.bridge;
  if (!bridge || run.stopping) return;
  bridge.reload().catch((err: unknown) => {
    const problems = (err as { problems?: unknown }).problems;
    bridge.logger.error(
      Array.isArray(problems) ? { problems } : { err: errText(err) },
      'tenants reload refused; nothing changed',
    );
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (configError(err)) process.exit(1);
    throw err;
  }
  run.config = config;
  const logger = createLogger(config.logLevel);
  run.logger = logger;

  const { createBridge } = await import('./app.js');
  if (config.demo) {
    const { startDemo } = await import('./demo.js');
    const starting = startDemo(config);
    run.demoStarting = starting;
    const demo = await starting;
    run.demo = demo;
    config = demo.config;
    run.config = config;
  }
  if (run.stopping) return;
  let bridge: Bridge;
  try {
    const demo = run.demo;
    bridge = createBridge(config, {
      logger,
      ...(demo ? { demoFeed: demo.simulator.demoFeed, tenants: () => demo.tenants } : {}),
    });
    run.bridge = bridge;
  } catch (err) {
    // Key material is checked when the verifier is built (e.g. a PEM of an unsupported type).
    if (configError(err)) {
      await run.demo?.close();
      process.exit(1);
    }
    throw err;
  }
  let url: string;
  try {
    ({ url } = await bridge.start());
  } catch (err) {
    if (run.stopping) return; // stop() interrupted the start (BridgeStoppedError, a stopped token keeper): not a failure
    throw err;
  }
  if (run.stopping) return;

  const demo = run.demo;
  if (demo) {
    for (const c of demo.companies) c.simulator.scenarios.startTraffic({ callsPerMinute: config.demoCallsPerMinute });
    const t = demo.tokens;
    // The second company's (and further) tokens, and the operator's (contract §8).
    const others = demo.companies
      .slice(1)
      .map(
        (c, i) => `
  ${c.name} (account ${c.accountId}):
    Agent panel:  ${url}/demo/agent.html#token=${c.tokens.agent}
    Wallboard:    ${url}/demo/wallboard.html#token=${c.tokens.wallboard}
    COMPANY${i + 2}_AGENT_TOKEN=${c.tokens.agent}
      (agent "${c.agentUsername}")
    COMPANY${i + 2}_ADMIN_TOKEN=${c.tokens.admin}
`,
      )
      .join('');
    console.log(`
antring-bridge is running in DEMO mode (embedded AntRing + AntCRM simulator, generated traffic)

  Socket.IO:   ${url}   (io(url, { auth: { token } }))
  REST:        ${url}/api/calls   (Authorization: Bearer <token>)
  Health:      ${url}/healthz  ${url}/readyz

  Company:     ${demo.companies[0].name} (account ${demo.companies[0].accountId})

  Demo pages (open in a browser):
    Agent panel:  ${url}/demo/agent.html#token=${t.agent}
    Wallboard:    ${url}/demo/wallboard.html#token=${t.wallboard}
    CRM + widget: ${url}/demo/crm.html#token=${t.agent}
    Webhooks:     ${url}/demo/webhooks.html

  Demo tokens (HS256, valid 12 h):
    AGENT_TOKEN=${t.agent}
      (agent "${demo.agentUsername}")
    SUPERVISOR_TOKEN=${t.supervisor}
    WALLBOARD_TOKEN=${t.wallboard}
    ADMIN_TOKEN=${t.admin}
${
  others
    ? `
  Second company, same bridge (tenants, contract §8):${others}`
    : ''
}
  Operator (GET ${url}/api/tenants, POST ${url}/api/tenants/reload):
    OPERATOR_TOKEN=${demo.operatorToken}
`);
  }
}

// Before anything else: a signal at any moment of the start is a graceful stop, never a signal exit.
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGHUP', reloadTenants);

main().catch((err: unknown) => {
  if (run.stopping && hasCode(err, 'BRIDGE_STOPPED')) return;
  console.error(`antring-bridge failed to start: ${errText(err)}`);
  process.exit(1);
});
