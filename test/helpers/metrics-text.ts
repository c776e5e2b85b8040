// A small parser of the Prometheus text exposition format (0.0.4): `# HELP`, `# TYPE` and sample lines.
// prom-client only writes the format; the tests read /metrics back with this (test-only, so it lives in test/helpers).

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

export class MetricsParseError extends Error {
  override readonly name = 'MetricsParseError';
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`metrics text line ${line}: ${reason}`);
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_bucket', '_count', '_sum', '_total', '_created'];

function parseValue(s: string): number | undefined {
  // Like Go's ParseFloat, which Prometheus uses: Inf and NaN in any case (prom-client writes `Nan`).
  if (/^[+]?inf(inity)?$/i.test(s)) return Infinity;
  if (/^-inf(inity)?$/i.test(s)) return -Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** `{a="x",b="y\"z"}` starting at text[0] === '{' → labels and the index after '}'. */
function parseLabels(text: string, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!m) throw new MetricsParseError(lineNo, 'bad label name');
    const key = m[0];
    i += key.length;
    if (text[i] !== '=' || text[i + 1] !== '"') throw new MetricsParseError(lineNo, `label ${key}: expected ="`);
    i += 2;
    let value = '';
    for (;;) {
      const ch = text[i];
      if (ch === undefined) throw new MetricsParseError(lineNo, 'unterminated label value');
      if (ch === '"') break;
      if (ch === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : next;
        i += 2;
        continue;
      }
      value += ch;
      i++;
    }
    labels[key] = value;
    i++;
  }
}

/** Parses the whole text; throws MetricsParseError on the first malformed line. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', samples: [] }));
    return f;
  };
  const ownerOf = (sample: string): MetricFamily => {
    if (families.has(sample)) return families.get(sample)!;
    for (const suffix of SUFFIXES) {
      if (sample.endsWith(suffix)) {
        const base = sample.slice(0, -suffix.length);
        const f = families.get(base);
        if (f && f.type !== 'untyped') return f;
      }
    }
    return family(sample);
  };
  text.split('\n').forEach((raw, idx) => {
    const lineNo = idx + 1;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest = ''] = m;
      if (!NAME.test(name)) throw new MetricsParseError(lineNo, `bad metric name ${name}`);
      if (kind === 'HELP') family(name).help = rest;
      else {
        if (!TYPES.has(rest)) throw new MetricsParseError(lineNo, `bad type ${rest}`);
        family(name).type = rest as MetricType;
      }
      return;
    }
    const nm = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nm) throw new MetricsParseError(lineNo, 'bad sample name');
    const name = nm[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const l = parseLabels(rest, lineNo);
      labels = l.labels;
      rest = rest.slice(l.end);
    }
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '')
      throw new MetricsParseError(lineNo, 'expected a value (and an optional timestamp)');
    const value = parseValue(parts[0]);
    if (value === undefined) throw new MetricsParseError(lineNo, `bad value ${parts[0]}`);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1]))
      throw new MetricsParseError(lineNo, `bad timestamp ${parts[1]}`);
    ownerOf(name).samples.push({ name, labels, value });
  });
  return families;
}

/** The value of one sample (exact name, labels a subset match), or undefined. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}

/** Sum of every sample with this name whose labels match the given subset. */
export function sampleSum(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
    }
  }
  return sum;
}
