// The delivery worker's options (outbox.ts DeliveryOutbox): concurrency, timeouts, lease, retry schedule, retention.
import type { Logger } from '../log.js';

export interface OutboxWorkerOptions {
  logger: Logger;
  /** Attempts in flight at once, all targets. Default 16. */
  concurrency?: number;
  /** Attempts in flight at once per target (keys.ts laneOf: each webhook endpoint, AntCRM, AntBot). Default 4. */
  perTargetConcurrency?: number;
  /** Per attempt. Default 10000. */
  attemptTimeoutMs?: number;
  /** A claim's lease: longer than an attempt can take. Default max(30000, 3 × attemptTimeoutMs). */
  leaseMs?: number;
  /** Looks for due deliveries (other processes', ended leases) at least this often. Default 1000. */
  pollMs?: number;
  /** OUTBOX_MAX_AGE_H in ms. Default 24 h. */
  maxAgeMs?: number;
  retryDelaysMs?: readonly number[];
  jitter?: number;
  random?: () => number;
  /** Delivered and failed records are kept (so their keys stay known) this long. Default 30 days. */
  retainMs?: number;
  /** stop(): how long in-flight attempts may finish before they are aborted. Default 2000. */
  stopGraceMs?: number;
  /** failures listed by stats(). Default 50. */
  maxFailures?: number;
  /** Claims that never settled (the process died in the attempt) before a delivery is given up. Default 3
   * (BullMQ's maxStalledJobCount model): a delivery that crashes the process is not retried forever. */
  maxStalls?: number;
}
