// The hand-written "Tenants" section of docs/performance.md (bench/tenants.ts figures, between its markers) and the
// "Split over tenants" section (written by --split-tenants, bench/split-report.ts): kept when `npm run bench`
// regenerates the page, as the capacity section is.
import { SPLIT_BEGIN, SPLIT_END } from './split-report.js';

const KEPT: readonly (readonly [string, string])[] = [
  ['<!-- tenants:begin -->', '<!-- tenants:end -->'],
  [SPLIT_BEGIN, SPLIT_END],
];

/** `next` with the kept sections of `old` (those it had and `next` has not) put back at its end, in order. */
export function keepTenantsSection(old: string | undefined, next: string): string {
  let out = next;
  for (const [begin, end] of KEPT) {
    const a = old?.indexOf(begin) ?? -1;
    const b = old?.indexOf(end, a + 1) ?? -1;
    if (!old || a < 0 || b < a || out.includes(begin)) continue;
    out = `${out.replace(/\n*$/, '\n\n')}${old.slice(a, b + end.length)}\n`;
  }
  return out;
}
