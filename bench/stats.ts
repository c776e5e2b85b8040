// Latency summaries (pure): nearest-rank percentiles over raw samples, in milliseconds.

export interface Summary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

const round = (v: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** Nearest-rank percentile of sorted values (q in 0..100). */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: readonly number[]): Summary {
  if (!samples.length) return { count: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  const s = Float64Array.from(samples).sort();
  const arr = Array.from(s);
  let sum = 0;
  for (const v of arr) sum += v;
  return {
    count: arr.length,
    p50: round(percentile(arr, 50)!),
    p95: round(percentile(arr, 95)!),
    p99: round(percentile(arr, 99)!),
    max: round(arr[arr.length - 1]),
    mean: round(sum / arr.length),
  };
}

/** a / b rounded, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined, digits = 2): number | null {
  if (
    a === null ||
    a === undefined ||
    b === null ||
    b === undefined ||
    b === 0 ||
    !Number.isFinite(a) ||
    !Number.isFinite(b)
  )
    return null;
  return round(a / b, digits);
}

export { round };
