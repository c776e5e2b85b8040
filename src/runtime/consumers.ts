// Hands each update to every registered consumer, in registration order; a consumer that throws or rejects is
// logged (with its name) and the others still get the update. stop() stops them in reverse order (idempotent).
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';
import type { CallConsumer, PipelineUpdate } from './update.js';

export class ConsumerSet {
  private stopping?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly consumers: readonly CallConsumer[],
    private readonly logger: Logger,
  ) {}

  get names(): string[] {
    return this.consumers.map((c) => c.name);
  }

  dispatch(u: PipelineUpdate): void {
    if (this.stopped) return;
    for (const c of this.consumers) {
      try {
        const r = c.consume(u);
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).catch((err: unknown) => this.failed(c, u, err));
        }
      } catch (err) {
        this.failed(c, u, err);
      }
    }
  }

  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.stopped = true;
      for (const c of [...this.consumers].reverse()) {
        try {
          await c.stop?.();
        } catch (err) {
          this.logger.error({ consumer: c.name, err: errText(err) }, 'stopping a call consumer failed');
        }
      }
    })());
  }

  private failed(c: CallConsumer, u: PipelineUpdate, err: unknown): void {
    this.logger.error({ consumer: c.name, callId: u.callId, err: errText(err) }, 'call consumer failed');
  }
}
