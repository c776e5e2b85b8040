// Preloaded by bench/heap-diff.ts into the server it inspects: on SIGTTIN, a heap snapshot (which runs a full GC
// first) to $HEAP_SNAPSHOT_DIR/<n>.heapsnapshot, then <n>.done. Plain JS so it loads before tsx.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

const dir = process.env.HEAP_SNAPSHOT_DIR;
let n = 0;
if (dir) {
  process.on('SIGTTIN', () => {
    n++;
    writeHeapSnapshot(join(dir, `${n}.heapsnapshot`));
    writeFileSync(join(dir, `${n}.done`), '');
  });
}
