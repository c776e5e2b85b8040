// The targets of a run, shared by the normal run and the capacity mode: a bare Socket.IO baseline fed
// pre-enriched messages (plain, and "baseline+recovery" with the bridge's Socket.IO recovery options), the bridge (its own process), a 2-node cluster over Redis; and the load of one run (the
// script, the clients' plan and their JWTs) for a number of clients and a rate.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { DEFAULT_RECOVERY_MS } from '../src/fanout/recovery.js';
import { buildEvent } from '../src/simulator/kazoo-payload.js';
import type { Simulator } from '../src/simulator/simulator.js';
import { type BenchOptions, clientMix } from './args.js';
import type { Sink } from './driver.js';
import type { ClientPlan } from './latency.js';
import { type MeasureContext, measure } from './measure.js';
import { prebuild } from './prebuild.js';
import { type BridgeNode, hrNow, startBaseline, startBridgeNode, startRedis, waitFor } from './procs.js';
import type { RunResult, SkippedRun } from './results.js';
import { buildScript, type Script } from './script.js';
import type { BenchWorld } from './world.js';
import { worldDirectory } from './world.js';

export interface Setup {
  opts: Pick<BenchOptions, 'crmBudgetMs' | 'writeback'>;
  sim: Simulator;
  world: BenchWorld;
  script: Script;
  ctx: MeasureContext;
  secret: string;
  dir: string;
  log: (msg: string) => void;
}

export interface RunLoad {
  mix: ReturnType<typeof clientMix>;
  script: Script;
  plan: ClientPlan[];
  tokens: string[];
}

/**
 * The load of one run: the first `mix.agents` agents of the world (each one client), the supervisors and the
 * admin, a JWT each, and the call script at `rate` over those agents.
 */
export function runLoad(
  sim: Simulator,
  world: BenchWorld,
  secret: string,
  o: Pick<BenchOptions, 'clients' | 'supervisorShare' | 'rate' | 'durationSec' | 'warmupSec' | 'missRatio' | 'seed'>,
): RunLoad {
  const mix = clientMix(o);
  const sub: BenchWorld =
    mix.agents === world.agents.length ? world : { ...world, agents: world.agents.slice(0, mix.agents) };
  const script = buildScript(sim.data, sub, {
    rate: o.rate,
    durationSec: o.durationSec,
    warmupSec: o.warmupSec,
    missRatio: o.missRatio,
    seed: o.seed,
  });
  const org = sim.credentials.accountId;
  const plan: ClientPlan[] = [
    ...sub.agents.map((a) => ({ role: 'agent' as const, agent: a.username })),
    ...Array.from({ length: mix.supervisors }, () => ({ role: 'supervisor' as const })),
    ...Array.from({ length: mix.admins }, () => ({ role: 'admin' as const })),
  ];
  const tokens = plan.map((p, i) =>
    jwt.sign(
      {
        sub: `bench-${p.role}-${i}`,
        org,
        role: p.role,
        ...(p.agent ? { agent: p.agent } : {}),
        ...(p.role === 'supervisor' ? { queues: ['*'] } : {}),
      },
      secret,
      { algorithm: 'HS256', expiresIn: 3600 },
    ),
  );
  return { mix, script, plan, tokens };
}

/** Caller numbers looked up before the measurement (CRM cache hits), in every normal run. */
export const HIT_NUMBERS = 300;

/** Miss numbers a world needs for a run of this rate and length (each miss call uses a number once). */
export function missNumbersFor(o: Pick<BenchOptions, 'rate' | 'durationSec' | 'warmupSec' | 'missRatio'>): number {
  const totalSec = o.warmupSec + o.durationSec + 3;
  return Math.ceil((o.rate / 6) * totalSec * o.missRatio * 2) + 20;
}

export function bridgeEnv(s: Setup): Record<string, string> {
  const c = s.sim.credentials;
  return {
    ANTRING_APP_ID: c.appId,
    ANTRING_APP_SECRET: c.appSecret,
    ANTRING_ACCOUNT_ID: c.accountId,
    ANTRING_API_URL: s.sim.apiUrl,
    ANTRING_SIGNAL_URL: s.sim.signalUrl('socketio'),
    ANTRING_SIGNAL_PROTOCOL: 'socketio',
    ANTRING_DOMAIN: c.domain,
    ANTRING_EMAIL: c.email,
    ANTCRM_API_URL: s.sim.crmUrl,
    ANTCRM_API_KEY: c.crmApiKey,
    JWT_SECRET: s.secret,
    CRM_BUDGET_MS: String(s.opts.crmBudgetMs),
    ...(s.opts.writeback
      ? {
          ANTCRM_WRITEBACK: 'tickets,leads,wrapup',
          WEBHOOK_URLS: s.sim.webhooks.url,
          WEBHOOK_SECRET: s.sim.webhooks.secret,
          DATA_DIR: join(s.dir, `outbox-${randomBytes(4).toString('hex')}`),
        }
      : {}),
  };
}

/** Frames to the simulator's signal hub (every subscribed bridge gets them, as from AntRing). */
function simSink(sim: Simulator): { sink: Sink; undelivered: () => number } {
  let undelivered = 0;
  return {
    sink: (_i, f) => {
      const payload = buildEvent(f.name, f.spec, { ...f.fields, at: Date.now() });
      const t = hrNow();
      if (sim.signals.publish(payload) === 0) undelivered++;
      return t;
    },
    undelivered: () => undelivered,
  };
}

/** The bridge's recovery window (CLUSTER_RECOVERY_MS default, src/fanout/recovery.ts), for "baseline+recovery". */
export const BRIDGE_RECOVERY_MS = DEFAULT_RECOVERY_MS;

export async function runBaseline(s: Setup): Promise<RunResult> {
  return (await runBareServer(s, 'baseline')).run;
}

/** The baseline under node --cpu-prof (the CPU budget): its run, and when its process exited (unix ms). */
export async function runBaselineProfiled(
  s: Setup,
  profileDir: string,
  name: 'baseline' | 'baseline-recovery' = 'baseline',
): Promise<{ run: RunResult; exitedAt: number }> {
  return runBareServer(s, name, profileDir);
}

/** The bare server with the bridge's Socket.IO options: connection state recovery (same window) and the keepalive. */
export async function runBaselineRecovery(s: Setup): Promise<RunResult> {
  return (await runBareServer(s, 'baseline-recovery')).run;
}

async function runBareServer(
  s: Setup,
  name: 'baseline' | 'baseline-recovery',
  profileDir?: string,
): Promise<{ run: RunResult; exitedAt: number }> {
  s.log(`${name}: pre-building the enriched messages`);
  const pre = prebuild(s.script, s.world, { org: s.sim.credentials.accountId, directory: worldDirectory(s.sim) });
  const env = {
    JWT_SECRET: s.secret,
    BENCH_ORG: s.sim.credentials.accountId,
    BASELINE_RECOVERY_MS: String(name === 'baseline' ? 0 : BRIDGE_RECOVERY_MS),
  };
  const node = await startBaseline(s.dir, env, name, { profileDir });
  let run: RunResult;
  try {
    const sink: Sink = (i) => {
      const t = hrNow();
      node.feed.write(`${pre.lines[i]}\n`);
      return t;
    };
    run = await measure(
      {
        name,
        description:
          name === 'baseline'
            ? 'bare Socket.IO server, pre-enriched messages'
            : `bare Socket.IO server + connection state recovery (${BRIDGE_RECOVERY_MS / 1000} s) and keepalive, pre-enriched messages`,
        urls: [node.url],
        procs: [node.m],
        sink,
        undelivered: () => 0,
      },
      s.ctx,
    );
  } finally {
    node.feed.destroy();
    await node.m.stop();
  }
  return { run, exitedAt: hrNow() };
}

/** The bridge's run; with a profile dir, also when its process exited (the end of its .cpuprofile), unix ms. */
export async function runBridge(s: Setup, profileDir?: string): Promise<{ run: RunResult; exitedAt: number }> {
  const node = await startBridgeNode('bridge', s.dir, bridgeEnv(s), { profileDir });
  let run: RunResult;
  try {
    const { sink, undelivered } = simSink(s.sim);
    run = await measure(
      { name: 'bridge', description: 'node dist/main.js', urls: [node.url], procs: [node.m], sink, undelivered },
      s.ctx,
    );
  } finally {
    await node.m.stop();
  }
  return { run, exitedAt: hrNow() };
}

/** Optional extras of a cluster run (bench/cluster-budget.ts): profiles and what to read around the measurement. */
export interface ClusterHooks {
  /** node --cpu-prof each node into `<profileDir>/<node name>`. */
  profileDir?: string;
  /** At the measurement window's start and end (MeasureTarget.onWindow). */
  onWindow?: (edge: 'start' | 'end', redisUrl: string, nodeUrls: string[]) => void;
  /** Right after the measurement (nodes and Redis still up). */
  after?: () => Promise<void>;
}

export async function runCluster(s: Setup, hooks: ClusterHooks = {}): Promise<RunResult | SkippedRun> {
  const redis = await startRedis();
  if (!redis)
    return { name: 'cluster', skipped: 'redis-server not found (set REDIS_SERVER_BIN or install redis-server)' };
  const nodes: BridgeNode[] = [];
  try {
    try {
      const env = { ...bridgeEnv(s), REDIS_URL: redis.url, CLUSTER_UPSTREAM_NODES: '2' };
      for (const name of ['cluster-a', 'cluster-b'])
        nodes.push(
          await startBridgeNode(name, s.dir, env, hooks.profileDir ? { profileDir: join(hooks.profileDir, name) } : {}),
        );
      // Both nodes hold an upstream lease (hot standby) before the traffic starts.
      await waitFor(() => nodes.every((n) => /upstream lease acquired/.test(readFileSync(n.m.logFile, 'utf8'))), {
        what: 'both nodes to hold an upstream lease',
        timeoutMs: 20_000,
        intervalMs: 100,
      }).catch((err: unknown) => s.log(`cluster: ${err instanceof Error ? err.message : String(err)} (going on)`));
    } catch (err) {
      return {
        name: 'cluster',
        skipped: `cluster mode not available: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    const { sink, undelivered } = simSink(s.sim);
    const urls = nodes.map((n) => n.url);
    const run = await measure(
      {
        name: 'cluster',
        description: '2 × node dist/main.js + redis-server',
        urls: nodes.map((n) => n.url),
        procs: nodes.map((n) => n.m),
        redis,
        sink,
        undelivered,
        ...(hooks.onWindow ? { onWindow: (edge: 'start' | 'end') => hooks.onWindow?.(edge, redis.url, urls) } : {}),
      },
      s.ctx,
    );
    await hooks.after?.();
    return run;
  } finally {
    await Promise.all(nodes.map((n) => n.m.stop()));
    await redis.stop();
  }
}
