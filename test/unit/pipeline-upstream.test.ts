// UpstreamPipeline: a fresh engine and subscriber per lease term, the signal state kept for status and readiness,
// sweeps routed through the leases, stop() idempotent and releasing the lease, the subscriber and the sweep timer;
// ConsumerSet: every consumer gets each update, a failing one does not stop the others.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CallUpdate } from '../../src/calls/types.js';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import { ConsumerSet } from '../../src/runtime/consumers.js';
import type { LeaseHooks, UpstreamLeases } from '../../src/runtime/mode.js';
import { type SubscriberHandlers, UpstreamPipeline } from '../../src/runtime/pipeline.js';
import type { PipelineUpdate } from '../../src/runtime/update.js';
import type { LegEvent } from '../../src/signals/types.js';
import { captureLogger } from '../helpers/logs.js';
import { waitFor } from '../helpers/wait.js';

const logger = createLogger('silent');
const upd = (callId: string) => ({ callId }) as unknown as CallUpdate;

class FakeLeases implements UpstreamLeases {
  hooks?: LeaseHooks;
  forward?: (u: CallUpdate) => void;
  holding = false;
  routed: (string | undefined)[] = [];
  acquiring = true;
  leaves = 0;
  start(h: LeaseHooks, f: (u: CallUpdate) => void) {
    this.hooks = h;
    this.forward = f;
  }
  route(event: { msgId?: string } | undefined, updates: CallUpdate[]) {
    this.routed.push(event?.msgId);
    for (const u of updates) this.forward?.(u);
  }
  holdsUpstream() {
    return this.holding;
  }
  stopAcquiring() {
    this.acquiring = false;
  }
  async leave() {
    this.leaves++;
    if (this.holding) {
      this.holding = false;
      await this.hooks?.release();
    }
  }
  async take() {
    this.holding = true;
    this.hooks?.acquire();
  }
  async lose() {
    this.holding = false;
    await this.hooks?.release();
  }
}

function setup(sweepEveryMs = 60_000) {
  const leases = new FakeLeases();
  const subs: { h: SubscriberHandlers; started: number; stopped: number }[] = [];
  let engines = 0;
  const sunk: string[] = [];
  let sweeps = 0;
  const pipeline = new UpstreamPipeline({
    leases,
    createEngine: () => {
      const n = ++engines;
      return {
        apply: (e: LegEvent) => [upd(`${(e as unknown as { callId: string }).callId}@engine${n}`)],
        sweep: () => {
          sweeps++;
          return [];
        },
        liveCalls: n * 10,
      };
    },
    createSubscriber: (h) => {
      const s = { h, started: 0, stopped: 0 };
      subs.push(s);
      return {
        start: () => {
          s.started++;
        },
        stop: async () => {
          s.stopped++;
        },
        stats: () => ({ reconnects: subs.indexOf(s) + 100 }),
      };
    },
    sink: (u) => sunk.push(u.callId),
    clock: systemClock,
    logger,
    sweepEveryMs,
  });
  return { leases, subs, sunk, pipeline, engines: () => engines, sweeps: () => sweeps };
}

test('each lease term: a fresh engine and subscriber; events go through the leases to the sink', async () => {
  const s = setup();
  assert.equal(s.pipeline.status(), { signal: 'idle', reconnects: 100, liveCalls: 10 });
  s.pipeline.start();
  await s.leases.take();
  assert.is(s.subs.length, 1, 'the subscriber built at construction serves the first term');
  assert.is(s.subs[0].started, 1);
  s.subs[0].h.onStateChange('live');
  s.subs[0].h.onEvent({ callId: 'c1', msgId: 'm1' } as unknown as LegEvent);
  assert.equal(s.sunk, ['c1@engine2']);
  assert.equal(s.leases.routed, ['m1']);
  assert.equal(s.pipeline.status(), { signal: 'live', reconnects: 100, liveCalls: 20 });
  await s.leases.lose();
  assert.is(s.subs[0].stopped, 1);
  assert.is(s.pipeline.status().signal, 'idle');
  await s.leases.take();
  assert.is(s.subs.length, 2);
  assert.is(s.subs[1].started, 1);
  s.subs[1].h.onEvent({ callId: 'c2' } as unknown as LegEvent);
  assert.equal(s.sunk, ['c1@engine2', 'c2@engine3'], 'a fresh engine for the new term');
  await s.pipeline.stop();
});

test('readiness: not ready while holding the upstream without a live subscription', async () => {
  const s = setup();
  s.pipeline.start();
  assert.equal(s.pipeline.notReadyReasons(), [], 'no lease: nothing to be live');
  await s.leases.take();
  assert.equal(s.pipeline.notReadyReasons(), ['signal subscription is idle']);
  s.subs[0].h.onStateChange('connecting');
  assert.equal(s.pipeline.notReadyReasons(), ['signal subscription is connecting']);
  s.subs[0].h.onStateChange('live');
  assert.equal(s.pipeline.notReadyReasons(), []);
  await s.pipeline.stop();
});

test('prepareStop: no new lease taken; stop() is idempotent, leaves, stops the subscriber and the sweep', async () => {
  const s = setup(5);
  s.pipeline.start();
  await s.leases.take();
  await waitFor(() => s.sweeps() > 0, { what: 'a sweep', timeoutMs: 2000, intervalMs: 5 });
  assert.ok(s.sweeps() > 0, 'the sweep runs');
  s.pipeline.prepareStop();
  assert.not.ok(s.leases.acquiring);
  const a = s.pipeline.stop();
  assert.is(s.pipeline.stop(), a);
  await a;
  assert.is(s.leases.leaves, 1);
  assert.ok(s.subs[0].stopped >= 1);
  const sweeps = s.sweeps();
  await new Promise((r) => setTimeout(r, 30));
  assert.is(s.sweeps(), sweeps, 'no sweep after stop');
  // A lease offered after stop starts nothing.
  await s.leases.take();
  assert.is(s.subs.length, 1);
});

test('consumers: each gets every update in order; a throwing or rejecting one is logged, the others go on', async () => {
  const log = captureLogger();
  const got: string[] = [];
  const set = new ConsumerSet(
    [
      {
        name: 'fanout',
        consume: (u) => {
          got.push(`fanout:${u.callId}`);
        },
      },
      {
        name: 'broken',
        consume: () => {
          throw new Error('boom');
        },
      },
      {
        name: 'outbox',
        consume: async (u) => {
          got.push(`outbox:${u.callId}`);
          if (u.callId === 'b') throw new Error('store down');
        },
      },
    ],
    log.logger,
  );
  set.dispatch({ callId: 'a' } as PipelineUpdate);
  set.dispatch({ callId: 'b' } as PipelineUpdate);
  await new Promise((r) => setImmediate(r));
  assert.equal(got, ['fanout:a', 'outbox:a', 'fanout:b', 'outbox:b']);
  const errs = log.lines
    .map((l) => JSON.parse(l) as { consumer?: string; level: number })
    .filter((l) => l.level === 50)
    .map((l) => l.consumer);
  assert.equal(errs, ['broken', 'broken', 'outbox']);
  await set.stop();
  set.dispatch({ callId: 'c' } as PipelineUpdate);
  assert.is(got.length, 4, 'nothing after stop');
});

test("clusterUpdateId is typed on CallUpdate: the gate's id reaches a consumer with no cast", () => {
  const tagged: CallUpdate = { ...({ callId: 'c' } as CallUpdate), clusterUpdateId: 'm1:0' };
  const enriched: PipelineUpdate = { ...tagged, contact: null, contactStatus: 'disabled' };
  const got: Array<string | undefined> = [];
  const set = new ConsumerSet(
    [
      {
        name: 'fanout',
        consume: (u) => {
          got.push(u.clusterUpdateId);
        },
      },
    ],
    captureLogger().logger,
  );
  set.dispatch(enriched);
  assert.equal(got, ['m1:0']);
});

test.run();
