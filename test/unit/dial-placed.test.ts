// The calls the bridge placed (dial/placed.ts): what the call engine asks so that an agent's pickup of a
// click-to-call first leg is not the customer answering.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PlacedCallsRegistry } from '../../src/dial/placed.js';
import { sharePlacedCalls } from '../../src/fanout/placed-sharing.js';
import type { FanoutServer } from '../../src/fanout/server.js';
import { FakeClock } from '../helpers/clock.js';
import { captureLogger } from '../helpers/logs.js';

const clockAt = (ms: number) => new FakeClock(ms);

test('a dial is known for its agent and number, within the window', () => {
  const clock = clockAt(1_000_000);
  const placed = new PlacedCallsRegistry({ clock, windowMs: 60_000 });
  placed.record('huong.le', '0934890883');
  assert.ok(placed.isPlaced('huong.le', '0934890883', 1_000_000 + 2_000), 'the leg two seconds later');
  assert.ok(placed.isPlaced('huong.le', '0934890883', 1_000_000 - 1_000), 'a switch clock a second behind');
  assert.not.ok(placed.isPlaced('huong.le', '0934890883', 1_000_000 + 61_000), 'past the window');
  assert.not.ok(placed.isPlaced('huong.le', '0934890883', 1_000_000 - 10_000), 'a leg from before the dial');
  assert.not.ok(placed.isPlaced('minh.tran', '0934890883', 1_000_100), 'another agent');
  assert.not.ok(placed.isPlaced('huong.le', '0934890884', 1_000_100), 'another number');
});

test('the number is compared in one form, whatever the switch writes', () => {
  const clock = clockAt(5_000);
  const placed = new PlacedCallsRegistry({ clock });
  placed.record('huong.le', '0934890883');
  for (const written of ['+84934890883', '84934890883', '0934890883', '0934 890 883']) {
    assert.ok(placed.isPlaced('huong.le', written, 5_500), written);
  }
  placed.record('lan.nguyen', '1002');
  assert.ok(placed.isPlaced('lan.nguyen', '1002', 5_500), 'an extension');
});

test('bounded: the oldest dials are forgotten first; a repeated dial is refreshed', () => {
  const clock = clockAt(0);
  const placed = new PlacedCallsRegistry({ clock, maxEntries: 3 });
  for (const n of ['0900000001', '0900000002', '0900000003']) placed.record('a', n);
  placed.record('a', '0900000001');
  placed.record('a', '0900000004');
  assert.is(placed.size, 3);
  assert.ok(placed.isPlaced('a', '0900000001', 10), 'refreshed, so kept');
  assert.not.ok(placed.isPlaced('a', '0900000002', 10), 'the oldest went');
  assert.ok(placed.isPlaced('a', '0900000004', 10));
});

test('cluster mode: a dial recorded on one node is known on the others; malformed peer messages are refused', () => {
  // Two nodes' registries joined by a fake inter-node bus with Socket.IO's serverSideEmit semantics (not to itself).
  type Handler = (...args: unknown[]) => void;
  const nodes: { handlers: Map<string, Handler> }[] = [];
  const fakeIo = (self: { handlers: Map<string, Handler> }) =>
    ({
      on: (ev: string, h: Handler) => self.handlers.set(ev, h),
      off: (ev: string) => self.handlers.delete(ev),
      serverSideEmit: (ev: string, ...args: unknown[]) => {
        for (const n of nodes) if (n !== self) n.handlers.get(ev)?.(...args);
      },
    }) as unknown as FanoutServer;
  const clock = clockAt(10_000);
  const a = new PlacedCallsRegistry({ clock });
  const b = new PlacedCallsRegistry({ clock });
  const na = { handlers: new Map<string, Handler>() };
  const nb = { handlers: new Map<string, Handler>() };
  nodes.push(na, nb);
  const logs = captureLogger();
  const detachA = sharePlacedCalls(fakeIo(na), a, logs.logger);
  sharePlacedCalls(fakeIo(nb), b, logs.logger);
  a.record('huong.le', '0934890883');
  assert.ok(b.isPlaced('huong.le', '+84934890883', 10_500), 'known on the other node');
  b.record('minh.tran', '0912345678');
  assert.ok(a.isPlaced('minh.tran', '0912345678', 10_500), 'and the other way');
  nb.handlers.get('placedCall')?.({ not: 'a string' }, '0900000000');
  nb.handlers.get('placedCall')?.('x'.repeat(65), '0900000000');
  assert.is(b.size, 2, 'malformed peer records are not kept');
  assert.ok(
    logs.records.some((l) => /placedCall refused/.test(String(l.msg))),
    'and are logged',
  );
  detachA();
  a.record('lan.nguyen', '0900000001');
  assert.not.ok(b.isPlaced('lan.nguyen', '0900000001', 10_500), 'detached: no longer shared');
});

test('one dial, one agent leg: the first leg asked takes it; another leg is not placed by it; a new dial is free', () => {
  const clock = clockAt(1_000_000);
  const placed = new PlacedCallsRegistry({ clock, windowMs: 60_000 });
  placed.record('huong.le', '0934890883');
  assert.ok(placed.isPlaced('huong.le', '0934890883', 1_000_500, 'leg-c2c'), 'the click-to-call leg takes the dial');
  assert.ok(placed.isPlaced('huong.le', '0934890883', 1_001_000, 'leg-c2c'), 'asked again for it: still');
  assert.not.ok(placed.isPlaced('huong.le', '0934890883', 1_002_000, 'leg-callback'), 'the customer calling back');
  assert.ok(placed.isPlaced('huong.le', '0934890883', 1_002_000), 'without a leg: the dial is known');
  assert.not.ok(placed.isPlaced('huong.le', '0934890883', 1_070_000, 'leg-late'), 'past the window: nobody takes it');
  clock.t = 1_100_000;
  placed.record('huong.le', '0934890883');
  assert.ok(placed.isPlaced('huong.le', '0934890883', 1_100_200, 'leg-2'), 'a new dial: the next leg takes it');
});

test.run();
