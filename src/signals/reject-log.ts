// Rate-limited warnings: at most one log line per reason per window, carrying how many were suppressed.
import type { Logger } from '../log.js';

export class RateLimitedWarn {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly windowMs = 10_000,
  ) {}

  /** Logs unless this reason was logged less than windowMs ago. Returns whether it logged. */
  warn(reason: string, fields: Record<string, unknown>, msg: string): boolean {
    const now = this.now();
    const prev = this.last.get(reason);
    if (prev && now - prev.at < this.windowMs) {
      prev.suppressed += 1;
      return false;
    }
    this.logger.warn({ reason, suppressedSinceLast: prev?.suppressed ?? 0, ...fields }, msg);
    this.last.set(reason, { at: now, suppressed: 0 });
    return true;
  }
}
