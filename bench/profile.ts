// A V8 .cpuprofile (node --cpu-prof) → where the bridge spends its CPU (pure): self time per function and per
// area (our modules by folder, each npm package, node internals, GC), as shares of the busy (non-idle) time.

export interface ProfileEntry {
  name: string;
  /** Share of busy time, percent. */
  selfPct: number;
  selfMs: number;
}

export interface ProfileSummary {
  file: string;
  /** What the summary covers: the whole profile, or the measurement window. */
  covers: 'whole run' | 'measurement window';
  busyMs: number;
  idleMs: number;
  topFunctions: ProfileEntry[];
  areas: ProfileEntry[];
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime?: number;
  endTime?: number;
}

/** Only the samples taken in this span, in ms back from the end of the profile (the process's exit). */
export interface ProfileSpan {
  fromEndMs: number;
  toEndMs: number;
}

/** The area a script URL belongs to: `bridge: fanout`, `socket.io`, `node: internal`, … */
export function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)' || functionName === '(program)') return functionName;
    return 'native';
  }
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(?:dist|src)\/(.+)$/.exec(url);
  if (m) {
    const parts = m[1].split('/');
    return `bridge: ${parts.length > 1 ? parts[0] : parts[0].replace(/\.[jt]s$/, '')}`;
  }
  return 'other';
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const m = /\/((?:dist|src)\/.+)$/.exec(url);
  return m ? m[1] : url.replace(/^file:\/\//, '');
}

export function summarizeProfile(
  profile: CpuProfile,
  file: string,
  o: { top?: number; span?: ProfileSpan } = {},
): ProfileSummary {
  const top = o.top ?? 15;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // Sample i is taken at startTime + the sum of timeDeltas[0..i] (µs).
  const stamps: number[] = [];
  let at = profile.startTime ?? 0;
  for (const d of profile.timeDeltas) stamps.push((at += d));
  const end = profile.endTime ?? at;
  const span =
    o.span && profile.startTime !== undefined
      ? { from: end - o.span.fromEndMs * 1000, to: end - o.span.toEndMs * 1000 }
      : undefined;
  for (let i = 0; i < profile.samples.length; i++) {
    if (span && (stamps[i] < span.from || stamps[i] >= span.to)) continue;
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const area = areaOf(url, functionName);
    if (area === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const name = url
      ? `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`
      : functionName || '(native)';
    fns.set(name, (fns.get(name) ?? 0) + us);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const entries = (m: Map<string, number>, n: number): ProfileEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 1000),
        selfPct: busy ? Math.round((us / busy) * 1000) / 10 : 0,
      }));
  return {
    file,
    covers: span ? 'measurement window' : 'whole run',
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    topFunctions: entries(fns, top),
    areas: entries(areas, 12),
  };
}
