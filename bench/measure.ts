// One measured run against a target (the baseline server, a bridge, or two bridge nodes): memory idle, connect the
// clients (fresh load processes, the clients spread over them), memory connected, play the script (CPU and messages inside the window), join the
// clients' receipts with the frames' send times.
import type { RunName } from './args.js';
import { play, type Sink } from './driver.js';
import { type ClientPlan, type PopSample, popLatency } from './latency.js';
import type { LoadResult } from './load.js';
import {
  cpuSeconds,
  forkLoad,
  hrNow,
  type LoadProc,
  type Measured,
  type MemorySample,
  machineBusySeconds,
  type RedisProc,
  sleep,
} from './procs.js';
import type { RunResult } from './results.js';
import type { Script } from './script.js';
import { round } from './stats.js';

export interface MeasureTarget {
  name: RunName;
  description: string;
  urls: string[];
  procs: Measured[];
  redis?: RedisProc;
  sink: Sink;
  /** Frames the sink could not hand to anyone (e.g. no signal subscriber). */
  undelivered: () => number;
  /** Called at the window's start and end, after the CPU reads (bench/cluster-budget.ts reads Redis's counters). */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface MeasureContext {
  script: Script;
  plan: readonly ClientPlan[];
  tokens: readonly string[];
  log: (msg: string) => void;
  /** Raw pops of each run go here (--samples). */
  samples?: Partial<Record<RunName, PopSample[]>>;
  /** Load processes the clients are spread over (default 1). */
  loadProcesses?: number;
}

const SLOT_MS = 100;

async function memory(procs: Measured[]): Promise<{ rss: number; heapUsed: number }> {
  const all: MemorySample[] = await Promise.all(procs.map((p) => p.memory()));
  return { rss: all.reduce((s, m) => s + m.rss, 0), heapUsed: all.reduce((s, m) => s + m.heapUsed, 0) };
}

/** Client i goes to load process i % k as its local client floor(i / k) (supervisors and agents spread evenly). */
export function spreadClients<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = Array.from({ length: Math.max(1, k) }, () => []);
  items.forEach((x, i) => {
    out[i % out.length].push(x);
  });
  return out;
}

/** Merges the load processes' first receipts, local client j of process p → global client j × k + p. */
export function mergeReceipts(parts: readonly LoadResult['first'][]): LoadResult['first'] {
  const k = parts.length;
  const out: LoadResult['first'] = { client: [], callId: [], t: [] };
  parts.forEach((f, p) => {
    for (let n = 0; n < f.client.length; n++) {
      out.client.push(f.client[n] * k + p);
      out.callId.push(f.callId[n]);
      out.t.push(f.t[n]);
    }
  });
  return out;
}

export async function measure(t: MeasureTarget, ctx: MeasureContext): Promise<RunResult> {
  const { script, plan, tokens, log } = ctx;
  const notes: string[] = [];
  const idle = await memory(t.procs);
  const k = Math.max(1, Math.min(ctx.loadProcesses ?? 1, tokens.length));
  const loads: LoadProc[] = [];
  try {
    for (let p = 0; p < k; p++) loads.push(forkLoad());
    const specs = spreadClients(
      tokens.map((token, i) => ({ u: i % t.urls.length, token })),
      k,
    );
    const parts = await Promise.all(
      loads.map((l, p) => l.connect({ urls: t.urls, clients: specs[p], concurrency: 50, timeoutMs: 20_000 })),
    );
    const c = {
      connected: parts.reduce((s, x) => s + x.connected, 0),
      failed: parts.reduce((s, x) => s + x.failed, 0),
      ms: Math.max(...parts.map((x) => x.ms)),
      errors: parts.flatMap((x) => x.errors).slice(0, 5),
    };
    log(
      `${t.name}: ${c.connected}/${tokens.length} clients connected in ${c.ms} ms${k > 1 ? ` (${k} load processes)` : ''}${c.failed ? ` (${c.failed} failed: ${c.errors.join('; ')})` : ''}`,
    );
    if (!c.connected) throw new Error(`no client could connect: ${c.errors.join('; ')}`);
    if (c.failed) notes.push(`${c.failed} clients failed to connect (${c.errors[0] ?? 'unknown'})`);
    await sleep(1500);
    const connected = await memory(t.procs);

    const cpuAll = () => t.procs.reduce((s, p) => s + p.cpu(), 0);
    const mainCpuAll = () => t.procs.reduce((s, p) => s + p.mainCpu(), 0);
    const loadCpu = () => loads.map((l) => cpuSeconds(l.pid));
    const w = {
      t0: 0,
      t1: 0,
      cpu0: 0,
      cpu1: 0,
      main0: 0,
      main1: 0,
      redis0: 0,
      redis1: 0,
      load0: [] as number[],
      load1: [] as number[],
      busy0: 0,
      busy1: 0,
      self0: 0,
      self1: 0,
    };
    const selfCpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    let marking: Promise<number[]> | undefined;
    log(
      `${t.name}: playing ${script.frames.length} frames (${round(script.end / 1000, 1)} s, window ${round((script.window.end - script.window.start) / 1000, 1)} s)`,
    );
    const played = await play(script, t.sink, {
      windowStart: () => {
        w.t0 = hrNow();
        w.cpu0 = cpuAll();
        w.main0 = mainCpuAll();
        w.redis0 = t.redis?.cpu() ?? 0;
        w.load0 = loadCpu();
        w.busy0 = machineBusySeconds();
        w.self0 = selfCpu();
        marking = Promise.all(loads.map((l) => l.mark()));
        t.onWindow?.('start');
      },
      windowEnd: () => {
        w.t1 = hrNow();
        w.cpu1 = cpuAll();
        w.main1 = mainCpuAll();
        w.redis1 = t.redis?.cpu() ?? 0;
        w.load1 = loadCpu();
        w.busy1 = machineBusySeconds();
        w.self1 = selfCpu();
        t.onWindow?.('end');
      },
    });
    const marks = await (marking ?? Promise.resolve(loads.map(() => w.t0)));
    await sleep(1000);
    const results = await Promise.all(loads.map((l) => l.collect()));

    const wallSec = (w.t1 - w.t0) / 1000;
    // Messages in the window: each process's 100 ms slots from its own mark up to the window's end.
    let inWindow = 0;
    let windowSec = 0;
    results.forEach((r, p) => {
      const slotsInWindow = Math.max(1, Math.floor((w.t1 - marks[p]) / SLOT_MS));
      windowSec = Math.max(windowSec, (slotsInWindow * SLOT_MS) / 1000);
      inWindow += r.slots.slice(0, slotsInWindow).reduce((s, v) => s + v, 0);
    });
    const disconnects = results.reduce((s, r) => s + r.disconnects, 0);
    const totalMessages = results.reduce((s, r) => s + r.messages, 0);
    const cpuSec = w.cpu1 - w.cpu0;
    let framesInWindow = 0;
    for (const at of played.sentAt) if (at >= w.t0 && at < w.t1) framesInWindow++;
    const raw: PopSample[] | undefined = ctx.samples ? [] : undefined;
    if (ctx.samples && raw) ctx.samples[t.name] = raw;
    const latency = popLatency(script, played.sentAt, mergeReceipts(results.map((r) => r.first)), plan, raw);
    const perClient = (a: number, b: number) => Math.round((b - a) / Math.max(1, c.connected));
    const processes = results.map((r, p) => {
      const cpuSeconds = w.load1[p] - w.load0[p];
      return {
        clients: specs[p].length,
        cpuSeconds: round(cpuSeconds, 2),
        cpuShare: round(cpuSeconds / wallSec, 3),
        loopDelayP99Ms: r.loopDelay.p99,
        loopDelayMaxMs: r.loopDelay.max,
      };
    });
    const loadCpuSec = processes.reduce((s, x) => s + x.cpuSeconds, 0);
    const loopP99 = Math.max(...processes.map((x) => x.loopDelayP99Ms));
    if (disconnects) notes.push(`${disconnects} clients disconnected during the measurement`);
    if (latency.uncorrelated) notes.push(`${latency.uncorrelated} receipts matched no frame`);
    if (latency.received < latency.expected)
      notes.push(`${latency.expected - latency.received} of ${latency.expected} expected pops never arrived`);
    if ((played.late.p99 ?? 0) > 5)
      notes.push(`the driver sent frames late (p99 ${played.late.p99} ms): the orchestrator was short of CPU`);
    if (loopP99 > 20)
      notes.push(`a load process's event loop lagged (p99 ${loopP99} ms): client-side queueing is part of the latency`);
    const peakRss = t.procs.reduce((sum, p) => sum + p.peakRss(), 0);
    const busyCores = (w.busy1 - w.busy0) / wallSec;
    const ours = cpuSec + loadCpuSec + (w.redis1 - w.redis0) + (w.self1 - w.self0);
    const otherCores = Math.max(0, busyCores - ours / wallSec);
    if (otherCores > 0.2)
      notes.push(
        `other processes on the machine used ${round(otherCores, 2)} cores during the window: the figures are noisy`,
      );
    const undelivered = t.undelivered();
    if (undelivered) notes.push(`${undelivered} frames reached no subscriber`);
    return {
      name: t.name,
      target: t.description,
      clients: { requested: tokens.length, connected: c.connected, failed: c.failed, connectMs: c.ms, disconnects },
      frames: {
        sent: played.sentAt.filter(Number.isFinite).length,
        perSec: round(framesInWindow / wallSec, 1),
        undelivered,
        driverLateP99Ms: played.late.p99,
      },
      messages: { inWindow, perSec: round(inWindow / windowSec, 0), total: totalMessages },
      latency,
      cpu: {
        seconds: round(cpuSec, 2),
        mainThreadSeconds: round(w.main1 - w.main0, 2),
        utilization: round(cpuSec / wallSec, 3),
        perThousandMessages: inWindow ? round((cpuSec / inWindow) * 1000 * (windowSec / wallSec), 4) : null,
        messagesPerCpuSecond: cpuSec > 0 ? round((inWindow / windowSec) * (wallSec / cpuSec), 0) : null,
      },
      memory: {
        idle,
        connected,
        peakRss,
        perClient: {
          rssBytes: perClient(idle.rss, connected.rss),
          heapBytes: perClient(idle.heapUsed, connected.heapUsed),
        },
      },
      machine: {
        busyCores: round(busyCores, 2),
        otherProcessesCores: round(otherCores, 2),
        orchestratorCpuSeconds: round(w.self1 - w.self0, 2),
      },
      ...(t.redis ? { redisCpuSeconds: round(w.redis1 - w.redis0, 2) } : {}),
      load: {
        cpuSeconds: round(loadCpuSec, 2),
        loopDelayP99Ms: loopP99,
        loopDelayMaxMs: Math.max(...processes.map((x) => x.loopDelayMaxMs)),
        processes,
      },
      windowSec: round(wallSec, 2),
      windowAt: { start: Math.round(w.t0), end: Math.round(w.t1) },
      notes,
    };
  } finally {
    await Promise.all(loads.map((l) => l.close()));
  }
}
