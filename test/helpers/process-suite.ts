// A suite whose tests run the bridge as its own process (test/cluster/helpers.ts startBridge) against a simulator,
// on a DATA_DIR of its own: made before the tests; after them every process is killed and awaited, the simulator
// closed and the directory removed. The tests push each bridge they start onto ctx.procs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, type Test } from 'uvu';
import { type Simulator, startSimulator } from '../../src/simulator/simulator.js';
import { type BridgeProc, readyz, startBridge } from '../cluster/helpers.js';
import { waitFor } from './wait.js';

export interface ProcessSuiteContext {
  sim: Simulator;
  dataDir: string;
  procs: BridgeProc[];
}

/** `dirPrefix`: the DATA_DIR's name in the temporary directory starts with it. */
export function processSuite(title: string, dirPrefix: string): Test<ProcessSuiteContext> {
  const t = suite<ProcessSuiteContext>(title);
  t.before(async (ctx) => {
    ctx.sim = await startSimulator({ historySeedCount: 0 });
    ctx.dataDir = mkdtempSync(join(tmpdir(), dirPrefix));
    ctx.procs = [];
  });
  t.after(async (ctx) => {
    for (const p of ctx.procs) p.kill('SIGKILL');
    await Promise.all(ctx.procs.map((p) => p.exit));
    await ctx.sim?.close();
    if (ctx.dataDir) rmSync(ctx.dataDir, { recursive: true, force: true });
  });
  return t;
}

/** Starts a bridge process; the suite's after hook kills it. */
export async function startTracked(
  ctx: ProcessSuiteContext,
  name: string,
  env: Record<string, string>,
): Promise<BridgeProc> {
  const p = await startBridge(name, env);
  ctx.procs.push(p);
  return p;
}

/** startTracked, then waits until its /readyz answers 200. */
export async function startReady(
  ctx: ProcessSuiteContext,
  name: string,
  env: Record<string, string>,
  wait: { what: string; timeoutMs: number },
): Promise<BridgeProc> {
  const p = await startTracked(ctx, name, env);
  await waitFor(async () => (await readyz(p.url)) === 200, wait);
  return p;
}
