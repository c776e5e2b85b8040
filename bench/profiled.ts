// The --profile run's files → the bridge's profile summary and the CPU budget (bridge beside baseline, bench/budget.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attribute, type Budget, budgetTable, type CpuProfile, type Span } from './budget.js';
import { type ProfileSummary, summarizeProfile } from './profile.js';
import type { RunResult } from './results.js';

export function load(dir: string): { file: string; profile: CpuProfile } | undefined {
  // One file per thread (tsx's module loader runs in a worker): the main thread's is the one with most busy samples.
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  let best: { file: string; profile: CpuProfile; busy: number } | undefined;
  for (const f of files) {
    const file = join(dir, f);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    const busy = profile.samples.filter((id) => !idle.has(id)).length;
    if (!best || busy > best.busy) best = { file, profile, busy };
  }
  return best && { file: best.file, profile: best.profile };
}

/** The measurement window in ms back from the process's exit (its profile ends there). */
export const windowSpan = (run: RunResult, exitedAt: number): Span => ({
  fromEndMs: exitedAt - run.windowAt.start,
  toEndMs: exitedAt - run.windowAt.end,
});

export function profiles(
  dir: string,
  o: { bridge?: RunResult; bridgeExitedAt?: number; baseline?: RunResult; baselineExitedAt?: number },
  baselineDir: 'baseline' | 'baseline-recovery' = 'baseline',
): { summary: ProfileSummary | { error: string }; budget?: Budget | { error: string } } {
  const bridge = load(join(dir, 'bridge'));
  const baseline = load(join(dir, baselineDir));
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
    attribute(bridge.profile, { span: bSpan }),
    attribute(baseline.profile, { span: windowSpan(o.baseline, o.baselineExitedAt) }),
    {
      clients: o.bridge.clients.connected,
      rate: o.bridge.frames.perSec,
      windowSec: o.bridge.windowSec,
      messages: o.bridge.messages.inWindow,
      baselineMessages: o.baseline.messages.inWindow,
    },
    {
      bridgeCpuMs,
      baselineCpuMs,
      ...(o.bridge.cpu.mainThreadSeconds !== undefined ? { bridgeMainMs: o.bridge.cpu.mainThreadSeconds * 1000 } : {}),
      ...(o.baseline.cpu.mainThreadSeconds !== undefined
        ? { baselineMainMs: o.baseline.cpu.mainThreadSeconds * 1000 }
        : {}),
    },
  );
  return {
    summary,
    budget: {
      ...budget,
      profiles: {
        bridge: { file: bridge.file, span: bSpan },
        baseline: { file: baseline.file, span: windowSpan(o.baseline, o.baselineExitedAt) },
      },
    },
  };
}
