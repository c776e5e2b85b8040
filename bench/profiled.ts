// The --profile run's files → the bridge's profile summary and the CPU budget (bridge beside baseline, bench/budget.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attribute, type Budget, budgetTable, type CpuProfile, type Span } from './budget.js';
import { type ProfileSummary, summarizeProfile } from './profile.js';
import type { RunResult } from './results.js';

function load(dir: string): { file: string; profile: CpuProfile } | undefined {
  const name = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (!name) return undefined;
  const file = join(dir, name);
  return { file, profile: JSON.parse(readFileSync(file, 'utf8')) as CpuProfile };
}

/** The measurement window in ms back from the process's exit (its profile ends there). */
const windowSpan = (run: RunResult, exitedAt: number): Span => ({
  fromEndMs: exitedAt - run.windowAt.start,
  toEndMs: exitedAt - run.windowAt.end,
});

export function profiles(
  dir: string,
  o: { bridge?: RunResult; bridgeExitedAt?: number; baseline?: RunResult; baselineExitedAt?: number },
): { summary: ProfileSummary | { error: string }; budget?: Budget | { error: string } } {
  const bridge = load(join(dir, 'bridge'));
  const baseline = load(join(dir, 'baseline'));
  const bSpan = o.bridge && o.bridgeExitedAt ? windowSpan(o.bridge, o.bridgeExitedAt) : undefined;
  const summary = bridge
    ? summarizeProfile(bridge.profile as never, bridge.file, { span: bSpan })
    : { error: 'no .cpuprofile was written (did the bridge run?)' };
  if (!bridge || !bSpan || !o.bridge) return { summary };
  if (!baseline || !o.baseline || !o.baselineExitedAt)
    return { summary, budget: { error: 'the budget needs the baseline run too (--runs baseline,bridge)' } };
  const bridgeCpuMs = o.bridge.cpu.seconds * 1000;
  const baselineCpuMs = o.baseline.cpu.seconds * 1000;
  const budget = budgetTable(
    attribute(bridge.profile, { span: bSpan, measuredCpuMs: bridgeCpuMs }),
    attribute(baseline.profile, {
      span: windowSpan(o.baseline, o.baselineExitedAt),
      measuredCpuMs: baselineCpuMs,
    }),
    {
      clients: o.bridge.clients.connected,
      rate: o.bridge.frames.perSec,
      windowSec: o.bridge.windowSec,
      messages: o.bridge.messages.inWindow,
    },
    { bridgeCpuMs, baselineCpuMs },
  );
  return { summary, budget };
}
