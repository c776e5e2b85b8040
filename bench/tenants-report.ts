// The "Tenants" section of docs/performance.md (bench/tenants.ts figures, written by hand between its markers): kept
// when `npm run bench` regenerates the page, as the capacity section is.
const BEGIN = '<!-- tenants:begin -->';
const END = '<!-- tenants:end -->';

/** `next` with the tenants section of `old` (if it had one) put back at its end. */
export function keepTenantsSection(old: string | undefined, next: string): string {
  const a = old?.indexOf(BEGIN) ?? -1;
  const b = old?.indexOf(END, a + 1) ?? -1;
  if (!old || a < 0 || b < a || next.includes(BEGIN)) return next;
  return `${next.replace(/\n*$/, '\n\n')}${old.slice(a, b + END.length)}\n`;
}
