// Stop in reverse start order: every part registers how it closes as it is built (add), and closeAll() runs the
// closers last-registered first, one at a time. A failing closer is logged and the next one still runs. closeAll()
// is idempotent (one run, the same promise); a closer added while closing runs next, one added after runs at once.
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';

export type Closer = () => unknown;

export interface CloseReport {
  /** Names of the closers that threw or rejected, in the order they ran. */
  failed: string[];
}

export class Closers {
  private readonly list: { name: string; fn: Closer }[] = [];
  private closing?: Promise<CloseReport>;
  private closed = false;

  constructor(private readonly logger: Logger) {}

  /** Registers `fn` to run at closeAll(), before every closer registered earlier. */
  add(name: string, fn: Closer): void {
    this.list.push({ name, fn });
    if (this.closed) void this.run();
  }

  /** Names in the order closeAll() runs them (tests, logs). */
  order(): string[] {
    return this.list.map((c) => c.name).reverse();
  }

  closeAll(): Promise<CloseReport> {
    return (this.closing ??= this.run());
  }

  private async run(): Promise<CloseReport> {
    const failed: string[] = [];
    while (this.list.length) {
      const { name, fn } = this.list.pop() as { name: string; fn: Closer };
      const started = performance.now();
      try {
        await fn();
        this.logger.debug({ closer: name, ms: Math.round(performance.now() - started) }, 'closed');
      } catch (err) {
        failed.push(name);
        this.logger.error({ closer: name, err: errText(err) }, 'closing failed; going on');
      }
    }
    if (this.closing) this.closed = true;
    return { failed };
  }
}
