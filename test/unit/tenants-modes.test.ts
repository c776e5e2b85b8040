// The modes of many tenants (runtime/modes.ts), single node: a tenant rebuilt keeps its stores (no seq step back), but
// nothing of its old runtime: a removed or changed tenant's pipeline, engine and subscriber can be collected
// (measured before the fix: 199 removed tenants kept ~140 KB each, their whole runtime, through the kept lease).
import v8 from 'node:v8';
import vm from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { BridgeMode } from '../../src/runtime/mode.js';
import { createModes } from '../../src/runtime/modes.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const config = loadConfig({});
const deps = { logger: createLogger('silent'), clock: systemClock };

/** A runtime's pipeline on the mode's lease, as UpstreamPipeline.start() wires it; only a WeakRef comes back. */
function runOn(mode: BridgeMode): WeakRef<object> {
  const runtime = { engine: new Array(10_000).fill(1) };
  mode.leases.start(
    { acquire: () => undefined, release: () => undefined, busy: () => runtime.engine.length > 0 },
    () => void runtime.engine.length,
  );
  return new WeakRef(runtime);
}

test('a rebuilt tenant keeps its stores and lets its old runtime go', async () => {
  const modes = createModes(config, deps);
  const first = modes.forTenant(config);
  const ref = runOn(first);
  await first.leases.leave();
  const seq = first.seq;
  const second = modes.forTenant(config);
  assert.is(second.seq, seq, 'the seq counters are kept');
  assert.is(second.live, first.live, 'the live calls are kept');
  // Only `second` (and the kept stores) stay referenced from here.
  await new Promise((r) => setImmediate(r));
  gc();
  assert.is(ref.deref(), undefined, 'the old runtime was collected');
  await modes.close();
});

test.run();
