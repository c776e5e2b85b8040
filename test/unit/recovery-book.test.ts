// The recovery book's writes (recovery-wiring/book.ts): each change saved with the next revision; a write based on a
// record another writer (another node) changed since is refused by the store, and the change is decided again on the
// fresh record: a recovery closed elsewhere is not reopened.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { personReached } from '../../src/recovery/model.js';
import type { Recovery } from '../../src/recovery/types.js';
import { RecoveryBook } from '../../src/recovery-wiring/book.js';
import { MemoryRecoveryStore } from '../../src/recovery-wiring/store.js';

const test = suite('recovery book');
const open: Recovery = {
  id: 'c1',
  tenant: 'acme',
  number: '0934890883',
  dial: '0934890883',
  status: 'open',
  missed: [{ callId: 'c1', startedAt: 1000, endedAt: 2000 }],
  openedAt: 2000,
  dueAt: 302_000,
  attempts: 0,
};

test('revisions; a stale write is refused and the change decided again on the fresh record', async () => {
  const store = new MemoryRecoveryStore();
  const book = new RecoveryBook(store);
  await book.change({ id: 'c1' }, () => ({ next: open, out: undefined }));
  assert.is((await store.get('c1'))?.rev, 1);
  // Another node closes it between this node's read and write (the store moves under the first decision).
  let calls = 0;
  const seen: string[] = [];
  await book.change({ id: 'c1' }, async (r) => {
    seen.push(r!.status);
    if (calls++ === 0) {
      const other = personReached(r!, {
        callId: 'c2',
        direction: 'outbound',
        number: '0934890883',
        startedAt: 5000,
        answeredAt: 6000,
      })!;
      assert.ok(await store.put({ ...other, rev: 2 }, 1), 'the other node writes first');
      return { next: { ...r!, status: 'scheduled', attempts: 1 }, out: undefined };
    }
    return { next: undefined, out: undefined }; // recovered: nothing to schedule any more
  });
  assert.equal(seen, ['open', 'recovered']);
  assert.is((await store.get('c1'))?.status, 'recovered');
  assert.is(book.get('c1')?.status, 'recovered');
});

test.run();
