// The cluster's CPU budget (issue 19 item 3): `--runs bridge,cluster --profile` profiles both cluster nodes (node
// --cpu-prof), sums their rows and sets them beside the single node's, row by row, with the Redis server's CPU as a
// row of its own; and counts the Redis commands per published update (INFO commandstats and the nodes'
// call_messages_total, read right before and right after the measurement).
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { attribute, BUDGET_ROWS, type BudgetRow, budgetTable, type RowMs, type Span } from './budget.js';
import { hrNow } from './procs.js';
import { load, windowSpan } from './profiled.js';
import type { RunResult, SkippedRun } from './results.js';
import { runCluster, type Setup } from './targets.js';

export const REDIS_ROW = 'Redis server (redis-server process)';

export interface RedisCommands {
  /** Updates emitted (call_messages_total, both nodes) between the two reads. */
  updates: number;
  /** Calls per command between the two reads (commands run inside a script are counted too, by Redis). */
  calls: Record<string, number>;
  /** Every command, and the ones a client sent (EVAL/EVALSHA count once, what they run inside is left out). */
  perUpdate: { all: number | null; sent: number | null };
  /** Calls per update, per command, biggest first. */
  perUpdateByCommand: Record<string, number>;
}

export interface ClusterBudgetLine {
  row: BudgetRow | typeof REDIS_ROW;
  clusterMs: number;
  nodeMs: number;
  extraMs: number;
  extraUsPerMessage: number | null;
  extraPct: number | null;
}

export interface ClusterBudget {
  messages: number;
  nodeMessages: number;
  /** Both nodes + Redis, and the single node scaled to the cluster's messages. */
  clusterCpuMs: number;
  nodeCpuMs: number;
  ratio: number | null;
  scale: { cluster: number; node: number };
  lines: ClusterBudgetLine[];
  redis?: RedisCommands;
  /** The profiles (both nodes, then the single node) and the window in each (ms back from its end). */
  profiles: { file: string; span: Span }[];
}

interface Snapshot {
  calls: Record<string, number>;
  updates: number;
}

async function commandStats(redisUrl: string): Promise<Record<string, number>> {
  const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    const text = await r.info('commandstats');
    const calls: Record<string, number> = {};
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
    return calls;
  } finally {
    r.disconnect();
  }
}

/** Sum of the `call_messages_total` series of a node's /metrics. */
export function emittedUpdates(metricsText: string): number {
  let n = 0;
  for (const m of metricsText.matchAll(/^\w*call_messages_total(?:\{[^}]*\})? ([0-9.e+]+)$/gm)) n += Number(m[1]);
  return n;
}

async function snapshot(redisUrl: string, nodeUrls: string[]): Promise<Snapshot> {
  const texts = await Promise.all(nodeUrls.map(async (u) => (await fetch(`${u}/metrics`)).text()));
  return {
    calls: await commandStats(redisUrl),
    updates: texts.reduce((a, t) => a + emittedUpdates(t), 0),
  };
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** The commands between two reads (the window's edges), per emitted update (pure). */
export function commandsPerUpdate(
  before: Pick<Snapshot, 'calls' | 'updates'>,
  after: Pick<Snapshot, 'calls' | 'updates'>,
): RedisCommands {
  const calls: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.calls)) {
    // The reads themselves (INFO) are not the cluster's.
    if (k === 'info' || k.startsWith('config')) continue;
    const d = v - (before.calls[k] ?? 0);
    if (d > 0) calls[k] = d;
  }
  const updates = after.updates - before.updates;
  const all = Object.values(calls).reduce((a, b) => a + b, 0);
  // Commands a script runs are counted by Redis too; what clients sent is the scripts plus the rest minus what the
  // scripts ran. Our scripts' inner commands are not told apart by Redis, so `sent` counts EVAL/EVALSHA and every
  // command no script of ours runs (src/cluster: XADD, SET, GET, EXISTS, PEXPIRE, HGETALL, HDEL, INCR...).
  const inScripts =
    /^(xadd|set|get|exists|pexpire|hgetall|hget|hmget|hdel|hset|incr|time|zadd|zrange|zrem|zremrangebyscore|del)$/;
  const sent = Object.entries(calls)
    .filter(([k]) => /^eval/.test(k) || !inScripts.test(k))
    .reduce((a, [, v]) => a + v, 0);
  const perUpdateByCommand = Object.fromEntries(
    Object.entries(calls)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, updates ? r2(v / updates) : 0]),
  );
  return {
    updates,
    calls,
    perUpdate: { all: updates ? r2(all / updates) : null, sent: updates ? r2(sent / updates) : null },
    perUpdateByCommand,
  };
}

/** The cluster run with both nodes profiled into `<profileDir>/cluster-a|b`, and the Redis commands it sent. */
export async function runClusterProfiled(
  s: Setup,
  profileDir: string,
): Promise<{ run: RunResult | SkippedRun; exitedAt: number; redis?: RedisCommands }> {
  const edges: Partial<Record<'start' | 'end', Promise<Snapshot | undefined>>> = {};
  let redis: RedisCommands | undefined;
  const run = await runCluster(s, {
    profileDir,
    onWindow: (edge, url, nodes) => {
      edges[edge] = snapshot(url, nodes).catch((err: unknown) => {
        s.log(`cluster: could not read the Redis counters: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      });
    },
    after: async () => {
      const [a, b] = await Promise.all([edges.start, edges.end]);
      if (a && b) redis = commandsPerUpdate(a, b);
    },
  });
  return { run, exitedAt: hrNow(), ...(redis ? { redis } : {}) };
}

const sumRows = (a: RowMs, b: RowMs): RowMs => Object.fromEntries(BUDGET_ROWS.map((r) => [r, a[r] + b[r]])) as RowMs;

/** Both nodes' rows beside the single node's (scaled to the cluster's messages), and Redis's CPU as a row. */
export function clusterBudget(
  profileDir: string,
  o: { cluster: RunResult; clusterExitedAt: number; node: RunResult; nodeExitedAt: number; redis?: RedisCommands },
): ClusterBudget | { error: string } {
  const nodes = ['cluster-a', 'cluster-b'].map((n) => load(join(profileDir, 'cluster', n)));
  const single = load(join(profileDir, 'bridge'));
  if (nodes.some((n) => !n) || !single) return { error: 'a cluster node or the single node wrote no .cpuprofile' };
  const span = windowSpan(o.cluster, o.clusterExitedAt);
  const [a, b] = nodes.map((n) => attribute((n as NonNullable<typeof n>).profile, { span }));
  const t = budgetTable(
    sumRows(a, b),
    attribute(single.profile, { span: windowSpan(o.node, o.nodeExitedAt) }),
    {
      clients: o.cluster.clients.connected,
      rate: o.cluster.frames.perSec,
      windowSec: o.cluster.windowSec,
      messages: o.cluster.messages.inWindow,
      baselineMessages: o.node.messages.inWindow,
    },
    {
      bridgeCpuMs: o.cluster.cpu.seconds * 1000,
      baselineCpuMs: o.node.cpu.seconds * 1000,
      ...(o.cluster.cpu.mainThreadSeconds !== undefined
        ? { bridgeMainMs: o.cluster.cpu.mainThreadSeconds * 1000 }
        : {}),
      ...(o.node.cpu.mainThreadSeconds !== undefined ? { baselineMainMs: o.node.cpu.mainThreadSeconds * 1000 } : {}),
    },
  );
  const redisMs = (o.cluster.redisCpuSeconds ?? 0) * 1000;
  const clusterCpuMs = t.bridgeCpuMs + redisMs;
  const extra = clusterCpuMs - t.baselineCpuMs;
  const msgs = o.cluster.messages.inWindow;
  const line = (row: ClusterBudgetLine['row'], c: number, n: number): ClusterBudgetLine => ({
    row,
    clusterMs: r1(c),
    nodeMs: r1(n),
    extraMs: r1(c - n),
    extraUsPerMessage: msgs ? r1(((c - n) * 1000) / msgs) : null,
    extraPct: extra ? r1(((c - n) / extra) * 100) : null,
  });
  const lines = [...t.lines.map((l) => line(l.row, l.bridgeMs, l.baselineMs)), line(REDIS_ROW, redisMs, 0)].sort(
    (x, y) => y.extraMs - x.extraMs,
  );
  return {
    messages: msgs,
    nodeMessages: o.node.messages.inWindow,
    clusterCpuMs: r1(clusterCpuMs),
    nodeCpuMs: t.baselineCpuMs,
    ratio: t.baselineCpuMs ? r2(clusterCpuMs / t.baselineCpuMs) : null,
    scale: { cluster: t.scale.bridge, node: t.scale.baseline },
    lines,
    ...(o.redis ? { redis: o.redis } : {}),
    profiles: [
      ...nodes.map((n) => ({ file: n?.file ?? '', span })),
      { file: single.file, span: windowSpan(o.node, o.nodeExitedAt) },
    ],
  };
}

/** The cluster budget as Markdown. */
export function clusterBudgetMarkdown(b: ClusterBudget): string[] {
  const out = [
    `${b.messages} messages in the window (single node: ${b.nodeMessages}; its column is scaled to the cluster's): cluster ${b.clusterCpuMs} CPU ms (2 nodes + Redis), one node ${b.nodeCpuMs}: ${b.ratio} ×. Scales × ${b.scale.cluster} cluster, × ${b.scale.node} node.`,
    '',
    '| subsystem | cluster CPU ms (2 nodes + Redis) | one node CPU ms | extra ms | extra µs per message | share of the extra |',
    '|---|---:|---:|---:|---:|---:|',
    ...b.lines.map(
      (l) =>
        `| ${l.row} | ${l.clusterMs} | ${l.nodeMs} | ${l.extraMs} | ${l.extraUsPerMessage ?? '–'} | ${l.extraPct === null ? '–' : `${l.extraPct} %`} |`,
    ),
  ];
  if (b.redis)
    out.push(
      '',
      `Redis commands per emitted update: ${b.redis.perUpdate.all} in all, ${b.redis.perUpdate.sent} sent by clients (${b.redis.updates} updates): ${Object.entries(
        b.redis.perUpdateByCommand,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.`,
    );
  return out;
}
