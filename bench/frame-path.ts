// Micro-benchmark of the per-frame path the CPU budget's "signal intake" and "engine" rows cover (issue 19): the
// bench's own call script (seed 1, default workload) as the Socket.IO 0.9 packets the bridge reads, through the
// bridge's FrameIntake (codec + Kazoo parse) and CallEngine, timed in one process beside a floor: a bare JSON.parse
// of the same packets. Prints JSON: µs per frame of each stage and its ratio to the floor (compare ratios across
// runs, not absolute µs, on a shared machine).
//
//   node --import tsx bench/frame-path.ts [--passes 20] [--from DIR] [--before DIR]
//
// --from DIR: the measured modules from a build of src/ (`tsc -p tsconfig.build.json --outDir DIR`; production code
// has no tsx wrappers) instead of src/ itself. --before DIR: also a build of older code, measured the same way
// (alternating runs, each in a process of its own), and its events and updates compared with the measured code's by
// a hash of their JSON (they must be the same, key order included).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import type { CallUpdate } from '../src/calls/types.js';
import type { LegEvent } from '../src/signals/types.js';
import { createSeed } from '../src/simulator/data.js';
import { buildEvent } from '../src/simulator/kazoo-payload.js';
import { buildScript } from './script.js';
import { createWorld, worldDirectory } from './world.js';

type Modules = {
  CallEngine: typeof import('../src/calls/engine.js').CallEngine;
  FrameIntake: typeof import('../src/signals/frame-intake.js').FrameIntake;
  SocketIoSession: typeof import('../src/signals/protocol-socketio.js').SocketIoSession;
};

function opt(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function load(dir: string | undefined): Promise<Modules> {
  const from = (rel: string) =>
    dir === undefined ? import(`../src/${rel}.js`) : import(pathToFileURL(resolve(dir, `${rel}.js`)).href);
  return {
    CallEngine: (await from('calls/engine')).CallEngine,
    FrameIntake: (await from('signals/frame-intake')).FrameIntake,
    SocketIoSession: (await from('signals/protocol-socketio')).SocketIoSession,
  };
}

const passes = Number(opt('passes') ?? 20);
const data = createSeed();
const world = createWorld(data, { agents: 1899, hitNumbers: 300, missNumbers: 400 });
// As installWorld does on a running simulator: the world's agents are in the directory and the queues.
data.agents.push(...world.agents);
world.agents.forEach((a, i) => {
  data.queues[i % data.queues.length].agents.push(a.userId);
});
const org = data.org.accountId;
const directory = worldDirectory({ data });
const script = buildScript(data, world, { rate: 100, durationSec: 20, warmupSec: 3, missRatio: 0.1, seed: 1 });
const base = Date.UTC(2026, 11, 7, 9, 0, 0);
// Leg ids are random (newLegId): renamed in order of appearance, so that every run reads the same frames.
const legIds = new Map<string, string>();
for (const f of script.frames)
  if (!legIds.has(f.spec.callId)) legIds.set(f.spec.callId, `leg${legIds.size}`.padEnd(20, '0'));
const stable = (text: string): string => text.replace(/[a-z0-9]{20}/g, (id) => legIds.get(id) ?? id);
// What the simulator's Socket.IO 0.9 server writes for one event (signal-socketio09.ts: array args).
const packets = script.frames.map((f) =>
  stable(
    `5:::${JSON.stringify({ name: f.name, args: [buildEvent(f.name, f.spec, { ...f.fields, at: base + f.t })] })}`,
  ),
);
const bytes = packets.reduce((n, p) => n + p.length, 0) / packets.length;

/** One variant of the code: its intake pass, its engine pass (over its own intake's events), their outputs. */
function variant(m: Modules) {
  const session = new m.SocketIoSession({
    url: 'http://127.0.0.1:1',
    accountId: org,
    fetch: globalThis.fetch,
    now: () => base,
  });
  const events: LegEvent[] = [];
  const intake = new m.FrameIntake({
    accountId: org,
    maxFrameBytes: 1 << 20,
    logger: pino({ level: 'silent' }),
    now: () => base,
    onEvent: (e) => events.push(e),
    monotonic: () => 0,
  });
  const intakePass = (): void => {
    events.length = 0;
    for (const text of packets) {
      const r = intake.interpretLater(session, { text, receivedAt: 0 });
      if (r.inbound.kind === 'event') intake.deliver(r.inbound.name, r.inbound.payload, r.receivedAt);
    }
  };
  intakePass();
  const parsed = [...events];
  if (parsed.length !== packets.length)
    throw new Error(`intake delivered ${parsed.length} of ${packets.length} frames`);
  const updates: CallUpdate[] = [];
  const enginePass = (): void => {
    const engine = new m.CallEngine({ org, directory });
    updates.length = 0;
    for (const e of parsed) for (const u of engine.apply(e)) updates.push(u);
  };
  enginePass();
  return { intakePass, enginePass, parsed, updates: [...updates] };
}

let sink = 0;
const floor = (): void => {
  for (const p of packets) sink += (JSON.parse(p.slice(4)) as { name: string }).name.length;
};

/**
 * µs per frame of the least disturbed of `passes` passes (after 3 warm-up passes): on a shared machine the other
 * processes only ever add time, so the minimum is the steadiest estimate of the code's own cost.
 */
function time(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  const us: number[] = [];
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    fn();
    us.push(((performance.now() - t0) * 1000) / packets.length);
  }
  return Math.min(...us);
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** The events and updates of one pass, as JSON (key order included): the same hash means the same output. */
const outputHash = (v: ReturnType<typeof variant>): string =>
  createHash('sha256').update(JSON.stringify(v.parsed)).update(JSON.stringify(v.updates)).digest('hex').slice(0, 16);

function measure() {
  const v = variant(modules);
  // Interleaved rounds so that machine noise hits every stage alike; the best of the rounds.
  const t = { floor: [] as number[], intake: [] as number[], engine: [] as number[] };
  for (let r = 0; r < 5; r++) {
    t.floor.push(time(floor));
    t.intake.push(time(v.intakePass));
    t.engine.push(time(v.enginePass));
  }
  const f = Math.min(...t.floor);
  const intake = Math.min(...t.intake);
  const engine = Math.min(...t.engine);
  return {
    code: opt('from') ?? 'src (tsx)',
    outputHash: outputHash(v),
    jsonParseFloorUsPerFrame: round2(f),
    usPerFrame: { intake: round2(intake), engine: round2(engine), intakePlusEngine: round2(intake + engine) },
    ratioToFloor: {
      intake: round2(intake / f),
      engine: round2(engine / f),
      intakePlusEngine: round2((intake + engine) / f),
    },
  };
}

type Result = ReturnType<typeof measure>;

/** The same benchmark over another build, in a process of its own (two copies of the code in one process slow
 * each other down: their call sites share feedback). */
function measureIn(dir: string): Result {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--from', dir, '--passes', String(passes), '--child'],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out) as Result;
}

const modules = await load(opt('from'));
const dump = opt('dump');
if (dump !== undefined) {
  // The output of one pass, for a diff when two builds' hashes differ.
  const v = variant(modules);
  writeFileSync(dump, `${JSON.stringify({ events: v.parsed, updates: v.updates }, null, 1)}\n`);
  process.exit(0);
}
if (process.argv.includes('--child')) {
  process.stdout.write(JSON.stringify(measure()));
} else {
  const beforeDir = opt('before');
  // Before and after alternate, twice each, in processes of their own; the best of each (ratios: each to its floor).
  const runs: { before?: Result; now: Result }[] = [];
  for (let r = 0; r < (beforeDir === undefined ? 1 : 2); r++)
    runs.push({ ...(beforeDir === undefined ? {} : { before: measureIn(beforeDir) }), now: measure() });
  const med = (pick: (r: (typeof runs)[number]) => Result | undefined) => {
    const rs = runs.map(pick).filter((x): x is Result => x !== undefined);
    const m = (f: (x: Result) => number) => round2(Math.min(...rs.map(f)));
    return {
      code: rs[0].code,
      outputHash: rs[0].outputHash,
      jsonParseFloorUsPerFrame: m((x) => x.jsonParseFloorUsPerFrame),
      usPerFrame: {
        intake: m((x) => x.usPerFrame.intake),
        engine: m((x) => x.usPerFrame.engine),
        intakePlusEngine: m((x) => x.usPerFrame.intakePlusEngine),
      },
      ratioToFloor: {
        intake: m((x) => x.ratioToFloor.intake),
        engine: m((x) => x.ratioToFloor.engine),
        intakePlusEngine: m((x) => x.ratioToFloor.intakePlusEngine),
      },
    };
  };
  const now = med((r) => r.now);
  const before = beforeDir === undefined ? undefined : med((r) => r.before);
  console.log(
    JSON.stringify(
      {
        frames: packets.length,
        bytesPerFrame: Math.round(bytes),
        passes,
        runs: runs.length,
        ...(before ? { before } : {}),
        after: now,
        ...(before
          ? {
              sameOutput: before.outputHash === now.outputHash,
              afterOverBefore: {
                intake: round2(now.ratioToFloor.intake / before.ratioToFloor.intake),
                engine: round2(now.ratioToFloor.engine / before.ratioToFloor.engine),
                intakePlusEngine: round2(now.ratioToFloor.intakePlusEngine / before.ratioToFloor.intakePlusEngine),
              },
            }
          : {}),
        sink: sink > 0,
      },
      null,
      2,
    ),
  );
}
