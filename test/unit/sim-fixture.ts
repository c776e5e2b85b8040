// Shared helpers for the simulator's unit tests: a scenario engine with a captured publish, gated delays,
// event-sequence formatting, and an express app on port 0.

import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { createSeed, type SimData } from '../../src/simulator/data.js';
import { seededRandom } from '../../src/simulator/history.js';
import { PLAIN_SHAPES } from '../../src/simulator/kazoo-shapes.js';
import { ScenarioEngine, type ScenarioEngineOptions } from '../../src/simulator/scenarios.js';
import { SimState } from '../../src/simulator/state.js';
import { FakeClock } from '../helpers/clock.js';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface Harness {
  data: SimData;
  state: SimState;
  engine: ScenarioEngine;
  published: Record<string, unknown>[];
}

/** An engine whose waits are instant (or gated) and whose publish records every payload; classic shapes unless `shapes`. */
export function harness(opts: Partial<ScenarioEngineOptions> & { wrapupMs?: number } = {}): Harness {
  const data = opts.data ?? createSeed();
  const state = opts.state ?? new SimState(data, { wrapupMs: opts.wrapupMs ?? 0 });
  const published: Record<string, unknown>[] = [];
  const engine = new ScenarioEngine({
    delay: async () => {},
    shapes: PLAIN_SHAPES,
    ...opts,
    data,
    state,
    publish: (p) => {
      published.push(p);
      return 1;
    },
  });
  return { data, state, engine, published };
}

/** Demo traffic on a fake clock (seeded): the engine's waits, the traffic's timers and the agent states run on it. */
export function clockedHarness(
  seed: number,
  extra: Partial<ScenarioEngineOptions> = {},
): Harness & { clock: FakeClock } {
  const clock = new FakeClock();
  const data = createSeed();
  const state = new SimState(data, { now: clock.now, wrapupMs: 5_000 });
  const h = harness({
    data,
    state,
    now: clock.now,
    random: seededRandom(seed),
    trafficClock: clock,
    delay: (ms) => new Promise<void>((r) => void clock.setTimeout(r, ms)),
    ...extra,
  });
  return { ...h, clock };
}

/** A delay that waits until the test opens it: gates.count, gates.open(). */
export function gatedDelay() {
  const waiting: { ms: number; open: () => void }[] = [];
  return {
    delay: (ms: number) => new Promise<void>((resolve) => void waiting.push({ ms, open: resolve })),
    get count() {
      return waiting.length;
    },
    /** Lets the oldest pending wait finish. */
    open() {
      const w = waiting.shift();
      if (!w) throw new Error('no pending wait');
      w.open();
    },
  };
}

const ccv = (p: Record<string, unknown>) => (p['Custom-Channel-Vars'] ?? {}) as Record<string, unknown>;
export const ownerOf = (p: Record<string, unknown>) => ccv(p)['Owner-ID'] as string | undefined;
export const queueOf = (p: Record<string, unknown>) => ccv(p)['Queue-ID'] as string | undefined;

/**
 * `C CREATE`, `L2 DESTROY LOSE_RACE`…: each event as `<label> <EVENT> [cause]`, labels given by leg id.
 */
export function steps(published: Record<string, unknown>[], labels: Record<string, string>): string[] {
  return published.map((p) => {
    const label = labels[p['Call-ID'] as string] ?? `?${p['Call-ID']}`;
    const name = (p['Event-Name'] as string).replace('CHANNEL_', '');
    return [label, name, p['Hangup-Cause']].filter(Boolean).join(' ');
  });
}

/** The events of one leg, by label. */
export function eventsOf(
  published: Record<string, unknown>[],
  legId: string,
  name?: string,
): Record<string, unknown>[] {
  return published.filter((p) => p['Call-ID'] === legId && (!name || p['Event-Name'] === `CHANNEL_${name}`));
}

/** Serves an express app on 127.0.0.1:0. */
export async function serve(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
