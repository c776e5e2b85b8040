// One measured run against a target (the baseline server, a bridge, or two bridge nodes): memory idle, connect the
// clients (a fresh load process), memory connected, play the script (CPU and messages inside the window), join the
// clients' receipts with the frames' send times.
import type { RunName } from './args.js';
import { play, type Sink } from './driver.js';
import { popLatency, type ClientPlan, type PopSample } from './latency.js';
import { cpuSeconds, forkLoad, hrNow, machineBusySeconds, sleep, type Measured, type MemorySample, type RedisProc } from './procs.js';
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
}

export interface MeasureContext {
  script: Script;
  plan: readonly ClientPlan[];
  tokens: readonly string[];
  log: (msg: string) => void;
  /** Raw pops of each run go here (--samples). */
  samples?: Partial<Record<RunName, PopSample[]>>;
}

const SLOT_MS = 100;

async function memory(procs: Measured[]): Promise<{ rss: number; heapUsed: number }> {
  const all: MemorySample[] = await Promise.all(procs.map((p) => p.memory()));
  return { rss: all.reduce((s, m) => s + m.rss, 0), heapUsed: all.reduce((s, m) => s + m.heapUsed, 0) };
}

export async function measure(t: MeasureTarget, ctx: MeasureContext): Promise<RunResult> {
  const { script, plan, tokens, log } = ctx;
  const notes: string[] = [];
  const idle = await memory(t.procs);
  const load = forkLoad();
  try {
    const c = await load.connect({ urls: t.urls, clients: tokens.map((token, i) => ({ u: i % t.urls.length, token })), concurrency: 50, timeoutMs: 20_000 });
    log(`${t.name}: ${c.connected}/${tokens.length} clients connected in ${c.ms} ms${c.failed ? ` (${c.failed} failed: ${c.errors.join('; ')})` : ''}`);
    if (!c.connected) throw new Error(`no client could connect: ${c.errors.join('; ')}`);
    if (c.failed) notes.push(`${c.failed} clients failed to connect (${c.errors[0] ?? 'unknown'})`);
    await sleep(1500);
    const connected = await memory(t.procs);

    const cpuAll = () => t.procs.reduce((s, p) => s + p.cpu(), 0);
    const w = { t0: 0, t1: 0, cpu0: 0, cpu1: 0, redis0: 0, redis1: 0, load0: 0, load1: 0, busy0: 0, busy1: 0, self0: 0, self1: 0 };
    const selfCpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    let marking: Promise<number> | undefined;
    log(`${t.name}: playing ${script.frames.length} frames (${round(script.end / 1000, 1)} s, window ${round((script.window.end - script.window.start) / 1000, 1)} s)`);
    const played = await play(script, t.sink, {
      windowStart: () => {
        w.t0 = hrNow();
        w.cpu0 = cpuAll();
        w.redis0 = t.redis?.cpu() ?? 0;
        w.load0 = cpuSeconds(load.pid);
        w.busy0 = machineBusySeconds();
        w.self0 = selfCpu();
        marking = load.mark();
      },
      windowEnd: () => {
        w.t1 = hrNow();
        w.cpu1 = cpuAll();
        w.redis1 = t.redis?.cpu() ?? 0;
        w.load1 = cpuSeconds(load.pid);
        w.busy1 = machineBusySeconds();
        w.self1 = selfCpu();
      },
    });
    const markAt = await marking!;
    await sleep(1000);
    const r = await load.collect();

    const slotsInWindow = Math.max(1, Math.floor((w.t1 - markAt) / SLOT_MS));
    const windowSec = (slotsInWindow * SLOT_MS) / 1000;
    const inWindow = r.slots.slice(0, slotsInWindow).reduce((s, v) => s + v, 0);
    const cpuSec = w.cpu1 - w.cpu0;
    const wallSec = (w.t1 - w.t0) / 1000;
    let framesInWindow = 0;
    for (const at of played.sentAt) if (at >= w.t0 && at < w.t1) framesInWindow++;
    const raw: PopSample[] | undefined = ctx.samples ? (ctx.samples[t.name] = []) : undefined;
    const latency = popLatency(script, played.sentAt, r.first, plan, raw);
    const perClient = (a: number, b: number) => Math.round((b - a) / Math.max(1, c.connected));
    if (r.disconnects) notes.push(`${r.disconnects} clients disconnected during the measurement`);
    if (latency.uncorrelated) notes.push(`${latency.uncorrelated} receipts matched no frame`);
    if (latency.received < latency.expected) notes.push(`${latency.expected - latency.received} of ${latency.expected} expected pops never arrived`);
    if ((played.late.p99 ?? 0) > 5) notes.push(`the driver sent frames late (p99 ${played.late.p99} ms): the orchestrator was short of CPU`);
    if (r.loopDelay.p99 > 20) notes.push(`the load process's event loop lagged (p99 ${r.loopDelay.p99} ms): client-side queueing is part of the latency`);
    const peakRss = t.procs.reduce((sum, p) => sum + p.peakRss(), 0);
    const busyCores = (w.busy1 - w.busy0) / wallSec;
    const ours = cpuSec + (w.load1 - w.load0) + (w.redis1 - w.redis0) + (w.self1 - w.self0);
    const otherCores = Math.max(0, busyCores - ours / wallSec);
    if (otherCores > 0.2) notes.push(`other processes on the machine used ${round(otherCores, 2)} cores during the window: the figures are noisy`);
    const undelivered = t.undelivered();
    if (undelivered) notes.push(`${undelivered} frames reached no subscriber`);
    return {
      name: t.name,
      target: t.description,
      clients: { requested: tokens.length, connected: c.connected, failed: c.failed, connectMs: c.ms, disconnects: r.disconnects },
      frames: { sent: played.sentAt.filter(Number.isFinite).length, perSec: round(framesInWindow / wallSec, 1), undelivered, driverLateP99Ms: played.late.p99 },
      messages: { inWindow, perSec: round(inWindow / windowSec, 0), total: r.messages },
      latency,
      cpu: {
        seconds: round(cpuSec, 2),
        utilization: round(cpuSec / wallSec, 3),
        perThousandMessages: inWindow ? round((cpuSec / inWindow) * 1000 * (windowSec / wallSec), 4) : null,
        messagesPerCpuSecond: cpuSec > 0 ? round((inWindow / windowSec) * (wallSec / cpuSec), 0) : null,
      },
      memory: { idle, connected, peakRss, perClient: { rssBytes: perClient(idle.rss, connected.rss), heapBytes: perClient(idle.heapUsed, connected.heapUsed) } },
      machine: { busyCores: round(busyCores, 2), otherProcessesCores: round(otherCores, 2), orchestratorCpuSeconds: round(w.self1 - w.self0, 2) },
      ...(t.redis ? { redisCpuSeconds: round(w.redis1 - w.redis0, 2) } : {}),
      load: { cpuSeconds: round(w.load1 - w.load0, 2), loopDelayP99Ms: r.loopDelay.p99, loopDelayMaxMs: r.loopDelay.max },
      windowSec: round(wallSec, 2),
      windowAt: { start: Math.round(w.t0), end: Math.round(w.t1) },
      notes,
    };
  } finally {
    await load.close();
  }
}
