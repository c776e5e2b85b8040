// Preloaded into the processes the benchmark measures (node --expose-gc --import ./bench/probe.mjs …): on SIGUSR2 it
// runs a full GC (when exposed) and writes process.memoryUsage() as JSON to $BENCH_PROBE_FILE. No timer, no endpoint,
// nothing in the measured process between two samples. Plain JS so the bridge runs from dist/ without tsx.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    if (typeof globalThis.gc === 'function') globalThis.gc();
    const m = process.memoryUsage();
    writeFileSync(file, JSON.stringify({ ...m, at: Date.now() }));
  });
}
