// A tenants reload (SIGHUP, POST /api/tenants/reload) on one node is applied by every node of the cluster (contract
// §8.2 in a cluster): the node that reloaded announces it on the node namespace's channel; every other node reads its
// own tenants file again and applies the difference. A node that applies a reload because of a notice does not
// announce it again. A file that does not load on the announcing node changes nothing and is not announced.
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import type { ChangeNotices } from './change-notices.js';

export class ReloadBroadcast {
  constructor(
    private readonly notices: ChangeNotices,
    private readonly channel: string,
    private readonly nodeId: string,
    private readonly log: Logger,
  ) {}

  /** Applies `reload` when another node announces one; resolves once subscribed (the unsubscribe is returned). */
  follow(reload: () => Promise<unknown>): Promise<() => void> {
    const apply = (from: string) => {
      this.log.info({ from }, 'tenants reload announced by another node: reading the tenants file again');
      reload().catch((err: unknown) => {
        const problems = (err as { problems?: unknown }).problems;
        this.log.error(
          Array.isArray(problems) ? { from, problems } : { from, err: errText(err) },
          'tenants reload announced by another node refused here; nothing changed',
        );
      });
    };
    return this.notices.subscribe(this.channel, {
      message: (from) => {
        if (from !== this.nodeId) apply(from);
      },
      // A missed announcement: read the file again anyway (a reload that changes nothing changes nothing).
      resync: () => apply('(missed while disconnected)'),
    });
  }

  /** After this node reloaded: tell the others. Best effort: a node that misses it is reloaded by hand. */
  async announce(): Promise<void> {
    try {
      await this.notices.publish(this.channel, this.nodeId);
    } catch (err) {
      this.log.warn({ err: errText(err) }, 'tenants reload not announced to the other nodes: reload them too');
    }
  }
}
