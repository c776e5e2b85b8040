// What every bench mode needs of the machine: its description (in the JSON) and `npm run build` (the bridge runs
// from dist/).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT } from './procs.js';
import type { MachineInfo } from './results.js';
import { round } from './stats.js';

export function machine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.versions.node,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvgAtStart: round(os.loadavg()[0], 2),
  };
}

/** `npm run build`; a build with type errors that still wrote dist/main.js is a warning, none at all an error. */
export function build(log: (msg: string) => void): void {
  log('npm run build (tsc -p tsconfig.build.json)');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    const errors = `${r.stdout ?? ''}${r.stderr ?? ''}`
      .split('\n')
      .filter((l) => /error TS/.test(l))
      .slice(0, 5)
      .join('\n  ');
    if (!existsSync(join(ROOT, 'dist/main.js')))
      throw new Error(`the build failed and there is no dist/main.js:\n  ${errors}`);
    log(`warning: the build reported errors (dist/ was still written; the bench goes on):\n  ${errors}`);
  }
}
