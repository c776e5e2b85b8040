// Process entry: config → bridge (and, in demo mode, the simulator) → signals → graceful stop.
import { loadConfig, ConfigError, type Config } from './config.js';
import { createBridge } from './app.js';
import { startDemo, type DemoSetup } from './demo.js';

const STOP_TIMEOUT_MS = 10_000;
/** SIGTERM: readyz answers 503 for this long before the listener closes (load balancers take the node out). */

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) console.error(`config error: ${p}`);
      process.exit(1);
    }
    throw err;
  }

  let demo: DemoSetup | undefined;
  if (config.demo) {
    demo = await startDemo(config);
    config = demo.config;
  }
  let bridge;
  try {
    bridge = createBridge(config);
  } catch (err) {
    // Key material is checked when the verifier is built (e.g. a PEM of an unsupported type).
    if (err instanceof Error && ['JwtConfigError', 'ClusterError', 'DevicesFileError'].includes(err.name)) {
      console.error(`config error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const { url } = await bridge.start();

  if (demo) {
    demo.simulator.scenarios.startTraffic({ callsPerMinute: config.demoCallsPerMinute });
    const t = demo.tokens;
    console.log(`
antring-bridge is running in DEMO mode (embedded AntRing + AntCRM simulator, generated traffic)

  Socket.IO:   ${url}   (io(url, { auth: { token } }))
  REST:        ${url}/api/calls   (Authorization: Bearer <token>)
  Health:      ${url}/healthz  ${url}/readyz

  Demo pages (open in a browser):
    Agent panel:  ${url}/demo/agent.html#token=${t.agent}
    Wallboard:    ${url}/demo/wallboard.html#token=${t.wallboard}
    CRM + widget: ${url}/demo/crm.html#token=${t.agent}

  Demo tokens (HS256, valid 12 h):
    AGENT_TOKEN=${t.agent}
      (agent "${demo.agentUsername}")
    SUPERVISOR_TOKEN=${t.supervisor}
    WALLBOARD_TOKEN=${t.wallboard}
    ADMIN_TOKEN=${t.admin}
`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    bridge.logger.info({ signal, drainMs: config.shutdownDrainMs }, 'stopping: not ready, draining');
    bridge.prepareStop();
    const force = setTimeout(() => {
      bridge.logger.error('stop timed out');
      process.exit(1);
    }, config.shutdownDrainMs + STOP_TIMEOUT_MS);
    force.unref();
    new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs))
      .then(() => Promise.all([bridge.stop(), demo?.simulator.close()]))
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        bridge.logger.error({ err: String(err) }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`antring-bridge failed to start: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  process.exit(1);
});
