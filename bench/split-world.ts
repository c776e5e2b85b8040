// The worlds of `--split-tenants N` (bench/split-tenants.ts): the normal run's world cut into N divisions, each with
// its agents, two queues of its own, its hit and miss callers; one call script made of N division scripts (each at
// rate / N, the same warm-up and window) merged by time. The one-tenant run installs every division into one
// simulated account; the split run installs division d alone into account d. Both play the one merged script. Also
// each run's clients (a JWT each, its tenant's org) and the tenants-file entry of a simulated account.
import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { buildEvent } from '../src/simulator/kazoo-payload.js';
import type { Simulator } from '../src/simulator/simulator.js';
import type { BenchOptions } from './args.js';
import type { Sink } from './driver.js';
import type { ClientPlan } from './latency.js';
import { hrNow } from './procs.js';
import { buildScript, SCRIPT_TIMING, type Script, type ScriptCall } from './script.js';
import { divisionOf, type splitMix } from './split-args.js';
import { missNumbersFor } from './targets.js';
import type { BenchWorld } from './world.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
export const QUEUES_PER_DIVISION = 2;

/** The account id of a split run's tenant d (32 hex, as Kazoo writes them); ONE_TENANT_ACCOUNT for the other run. */
export const splitAccountId = (d: number): string => md5(`antring-bench:split-tenant:${d}`);
export const ONE_TENANT_ACCOUNT = md5('antring-bench:one-tenant');
export const divisionQueueId = (d: number, k: number): string => md5(`antring-bench:division:${d}:queue:${k}`);

/** Miss numbers one division needs (its calls are rate / N). */
export const divisionMissNumbers = (
  o: Pick<BenchOptions, 'rate' | 'durationSec' | 'warmupSec' | 'missRatio'>,
  tenants: number,
): number => missNumbersFor({ ...o, rate: o.rate / tenants });

/** Division d of `world` (agents, callers and records by round robin; miss numbers in blocks of `missPer`). */
export function divisionWorld(world: BenchWorld, d: number, tenants: number, missPer: number): BenchWorld {
  const agents = world.agents.filter((_, i) => divisionOf(i, tenants) === d);
  const queueIds = Array.from({ length: QUEUES_PER_DIVISION }, (_, k) => divisionQueueId(d, k));
  const queueBy = new Map(agents.map((a, j) => [a.userId, queueIds[j % queueIds.length]]));
  const hitNumbers = world.hitNumbers.filter((_, i) => divisionOf(i, tenants) === d);
  const missNumbers = world.missNumbers.slice(d * missPer, (d + 1) * missPer);
  const numbers = new Set([...hitNumbers, ...missNumbers]);
  return {
    agents,
    queueIds,
    queueOf: (a) => queueBy.get(a.userId) ?? queueIds[0],
    hitNumbers,
    missNumbers,
    records: world.records.filter((r) => numbers.has(r.phones[0])),
    contactOf: world.contactOf,
  };
}

/**
 * Puts divisions into a simulated account in place of its seed agents and queues (the same directory shape in both
 * runs: the bench's agents only). Their agents are reported logged out, as installWorld does (bench/world.ts).
 */
export function installDivisions(sim: Simulator, divisions: readonly { d: number; world: BenchWorld }[]): void {
  sim.data.agents.length = 0;
  sim.data.queues.length = 0;
  for (const { d, world } of divisions) {
    sim.data.agents.push(...world.agents);
    for (const [k, id] of world.queueIds.entries())
      sim.data.queues.push({
        id,
        name: `Bench division ${d} queue ${k}`,
        agents: world.agents.filter((a) => world.queueOf(a) === id).map((a) => a.userId),
      });
    sim.data.contacts.push(...world.records);
  }
  const since = Date.now();
  sim.state.agentStatus = () => ({ status: 'logged_out', since });
}

/**
 * One script of N division scripts (seed + d each, rate / N, warm-up calls at warmRate / N so the cache warm-up
 * takes as long as the normal run's), merged by time; every call names its division. `data` gives the legs' org.
 */
export function splitScript(
  sim: Pick<Simulator, 'data'>,
  divisions: readonly BenchWorld[],
  o: Pick<BenchOptions, 'rate' | 'durationSec' | 'warmupSec' | 'missRatio' | 'seed'>,
): Script {
  const n = divisions.length;
  const parts = divisions.map((w, d) =>
    buildScript(sim.data, w, {
      rate: o.rate / n,
      durationSec: o.durationSec,
      warmupSec: o.warmupSec,
      missRatio: o.missRatio,
      seed: o.seed * 1000 + d,
      timing: { warmRate: SCRIPT_TIMING.warmRate / n },
    }),
  );
  const calls: ScriptCall[] = [];
  parts.forEach((p, d) => {
    const offset = calls.length;
    for (const c of p.calls)
      calls.push({
        ...c,
        index: c.index + offset,
        division: d,
        frames: c.frames.map((f) => ({ ...f, call: f.call + offset })),
      });
  });
  const frames = calls.flatMap((c) => c.frames).sort((a, b) => a.t - b.t || a.call - b.call);
  // Every division script has the same warm-up length (the same count of hit numbers, at most one apart), so the
  // same window: the widest is used.
  const window = {
    start: Math.min(...parts.map((p) => p.window.start)),
    end: Math.max(...parts.map((p) => p.window.end)),
  };
  const traffic = calls.filter((c) => c.kind !== 'warm');
  return {
    calls,
    frames,
    window,
    end: frames.length ? frames[frames.length - 1].t : 0,
    framesPerCall: traffic.length ? traffic.reduce((s, c) => s + c.frames.length, 0) / traffic.length : 0,
    callsPerSec: parts.reduce((s, p) => s + p.callsPerSec, 0),
  };
}

/**
 * Frames to the simulators' signal hubs: frame i goes to `target(call's division)` under its account id (the
 * one-tenant run: one simulator for every division; the split run: division d's).
 */
export function splitSink(
  script: Script,
  target: (division: number) => { sim: Simulator; accountId: string },
): { sink: Sink; undelivered: () => number } {
  let undelivered = 0;
  return {
    sink: (_i, f) => {
      const { sim, accountId } = target(script.calls[f.call].division ?? 0);
      const payload = buildEvent(f.name, { ...f.spec, accountId }, { ...f.fields, at: Date.now() });
      const t = hrNow();
      if (sim.signals.publish(payload) === 0) undelivered++;
      return t;
    },
    undelivered: () => undelivered,
  };
}

export interface Account {
  sim: Simulator;
  accountId: string;
}

/** What a tenants-file entry needs of a simulated account (its credentials and where it listens). */
export interface SimEndpoints {
  credentials: { appId: string; appSecret: string; domain: string; email: string; crmApiKey: string };
  apiUrl: string;
  signalUrl: string;
  crmUrl: string;
}

/** A tenants-file entry (contract §8.1) for a simulated account, over the socket.io 0.9 signal protocol. */
export function tenantsFileEntry(accountId: string, sim: SimEndpoints) {
  const c = sim.credentials;
  return {
    accountId,
    antring: {
      appId: c.appId,
      appSecret: c.appSecret,
      domain: c.domain,
      email: c.email,
      apiUrl: sim.apiUrl,
      signalUrl: sim.signalUrl,
      signalProtocol: 'socketio',
    },
    antcrm: { apiUrl: sim.crmUrl, apiKey: c.crmApiKey },
  };
}

/** A tenants-file entry for one of the split's simulated accounts. */
export function tenantEntry({ sim, accountId }: Account) {
  return tenantsFileEntry(accountId, {
    credentials: sim.credentials,
    apiUrl: sim.apiUrl,
    signalUrl: sim.signalUrl('socketio'),
    crmUrl: sim.crmUrl,
  });
}

/** The clients of a run: every agent, every supervisor (its division's queues), and the admins; a JWT each. */
export function splitClients(
  divisions: readonly BenchWorld[],
  mix: ReturnType<typeof splitMix>,
  admins: number,
  orgOf: (division: number) => string,
  secret: string,
): { plan: ClientPlan[]; tokens: string[] } {
  const n = divisions.length;
  const agents = divisions.flatMap((w, d) => w.agents.map((a) => ({ a, d })));
  const plan: (ClientPlan & { queues?: string[] })[] = [
    ...agents.map(({ a, d }) => ({ role: 'agent' as const, agent: a.username, division: d })),
    ...Array.from({ length: mix.supervisors }, (_, i) => {
      const d = divisionOf(i, n);
      return { role: 'supervisor' as const, division: d, queues: divisions[d].queueIds };
    }),
    // One admin (every call) for one tenant; one per tenant (its calls) when split.
    ...Array.from({ length: admins }, (_, i) =>
      admins === 1 ? { role: 'admin' as const } : { role: 'admin' as const, division: i },
    ),
  ];
  const tokens = plan.map((p, i) =>
    jwt.sign(
      {
        sub: `bench-${p.role}-${i}`,
        org: orgOf(p.division ?? 0),
        role: p.role,
        ...(p.agent ? { agent: p.agent } : {}),
        ...(p.queues ? { queues: p.queues } : {}),
      },
      secret,
      { algorithm: 'HS256', expiresIn: 3600 },
    ),
  );
  return { plan: plan.map(({ queues: _q, ...p }) => p), tokens };
}
