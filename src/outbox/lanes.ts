// The delivery worker's per-lane bookkeeping (outbox.ts DeliveryOutbox; a lane is a target, keys.ts laneOf): the
// attempts in flight per lane (the store's claim keeps each lane under its own concurrency), and the lanes whose last
// attempt here was refused, so that a delivery there again (the target is back) makes the lane's waiting retries due.
import type { Logger } from '../log.js';
import { errName as name } from './attempt.js';
import type { OutboxStore, Settlement } from './store.js';

export class LaneBook {
  /** Attempts in flight per lane. */
  readonly busy = new Map<string, number>();
  /** Lanes whose last attempt here was refused: the next delivery there means the target is back. */
  private readonly troubled = new Set<string>();

  constructor(
    private readonly store: OutboxStore,
    private readonly logger: Logger,
    /** Claim now (a lane's retries were made due). */
    private readonly kick: () => void,
  ) {}

  /** An attempt in `lane` began. */
  began(lane: string): void {
    this.busy.set(lane, (this.busy.get(lane) ?? 0) + 1);
  }

  /** An attempt in `lane` ended (settled or not). */
  ended(lane: string): void {
    const n = (this.busy.get(lane) ?? 1) - 1;
    if (n > 0) this.busy.set(lane, n);
    else this.busy.delete(lane);
  }

  /** A target back after refusals: what waits for a retry there goes now, not at its backed-off time (issue 15
   * item 4: a lead two retries deep waited minutes after AntCRM came back while fresh tickets went at once). */
  settled(lane: string, state: Settlement['state']): void {
    if (state === 'pending') {
      this.troubled.add(lane);
      return;
    }
    if (state !== 'delivered' || !this.troubled.delete(lane)) return;
    this.store
      .makeLaneDue(lane)
      .then((n) => {
        if (!n) return;
        this.logger.info({ lane, due: n }, 'outbox target back: its waiting retries are due now');
        this.kick();
      })
      .catch((err: unknown) => this.logger.warn({ lane, err: name(err) }, 'outbox could not make a lane due'));
  }
}
