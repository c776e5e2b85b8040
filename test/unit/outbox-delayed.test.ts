// Delayed jobs (enqueue's notBefore, issue 18's recoveries): not claimed before their time, not advanced by a restart
// (makeAllDue) nor by their target coming back (makeLaneDue), aged from their time; memory and SQLite stores.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryStore } from '../../src/outbox/memory.js';
import { SqliteStore } from '../../src/outbox/sqlite.js';
import type { OutboxStore } from '../../src/outbox/store.js';
import { FakeClock } from '../helpers/clock.js';

const dirs: string[] = [];
const kinds: [string, (c: FakeClock) => OutboxStore][] = [
  ['memory', (c) => new MemoryStore(c)],
  [
    'sqlite',
    (c) => {
      const dir = mkdtempSync(join(tmpdir(), 'outbox-delayed-'));
      dirs.push(dir);
      return new SqliteStore(join(dir, 'outbox.sqlite'), c);
    },
  ],
];

for (const [kind, make] of kinds) {
  const test = suite(`outbox delayed jobs (${kind})`);

  test('a delayed job is claimed at its time, not before', async () => {
    const clock = new FakeClock();
    const store = make(clock);
    await store.insert('now', 'antbot.recovery', '{}');
    await store.insert('later', 'antbot.recovery', '{}', clock.now() + 60_000);
    const first = await store.claim(10, 300_000, 't1');
    assert.equal(
      first.claimed.map((c) => c.key),
      ['now'],
    );
    assert.ok(first.nextDueInMs !== undefined && first.nextDueInMs <= 60_000);
    clock.t += 59_999;
    assert.equal((await store.claim(10, 300_000, 't2')).claimed.length, 0);
    clock.t += 1;
    const due = await store.claim(10, 300_000, 't3');
    assert.equal(
      due.claimed.map((c) => [c.key, c.ageMs]),
      [['later', 0]],
    );
    await store.close();
  });

  test('a restart and a target back do not advance a delayed job', async () => {
    const clock = new FakeClock();
    const store = make(clock);
    await store.insert('later', 'antbot.recovery', '{}', clock.now() + 60_000);
    assert.equal(await store.makeAllDue(), kind === 'memory' ? 1 : 1);
    assert.equal(await store.makeLaneDue('antbot.recovery'), 0);
    assert.equal((await store.claim(10, 300_000, 't1')).claimed.length, 0);
    clock.t += 60_000;
    assert.equal((await store.claim(10, 300_000, 't2')).claimed.length, 1);
    await store.close();
  });

  test.after(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  test.run();
}
