// Cluster: a node's recovery index follows what other nodes write (their jobs, their calls) through the Redis store's
// change notices: a notice `<id> <rev>` reads that one record; a break in the notices reads everything again. Nothing
// polls (contract §8.6: no timer firing more often than the tenant's polls).
import type { ChangeNotices } from '../cluster/change-notices.js';
import type { Logger } from '../log.js';
import { errCode } from '../shared/errors.js';
import type { RecoveryBook } from './book.js';
import { parseRecoveryNotice } from './store.js';

/** Subscribes the book to its store's channel; resolves once subscribed (call before the book's first load). */
export function followChanges(
  book: Pick<RecoveryBook, 'refresh' | 'reload'>,
  channel: string,
  notices: ChangeNotices,
  log: Logger,
): Promise<() => void> {
  const reload = () =>
    book.reload().catch((err: unknown) => log.warn({ err: errCode(err) }, 'recoveries not read again'));
  return notices.subscribe(channel, {
    message: (m) => {
      const n = parseRecoveryNotice(m);
      if (!n) {
        log.warn('a recovery change notice that is not `<id> <rev>`: ignored');
        return;
      }
      book.refresh(n.id, n.rev).catch((err: unknown) => {
        log.warn({ err: errCode(err) }, 'a changed recovery not read: reading them all');
        void reload();
      });
    },
    resync: () => void reload(),
  });
}
