// From websocket messages to handled packets: keep-alives answered at once (before any backlog), every other packet
// parsed in its turn from the InboundBacklog (slices yielding to the loop). Events of a connection replaced meanwhile
// are still delivered (they were received); nothing else of it is acted on.
import type { Logger } from '../log.js';
import type { SignalConnection } from './connection.js';
import type { FrameIntake, FrameRead, PendingPacket } from './frame-intake.js';
import { InboundBacklog } from './inbound-backlog.js';

export interface InboundPumpOptions {
  intake: FrameIntake;
  logger: Logger;
  maxBacklog?: number;
  /** The connection currently in use (undefined between connections). */
  current: () => SignalConnection | undefined;
  /** One packet of the current connection: send its reply, act on it. */
  handle: (conn: SignalConnection, r: FrameRead) => void;
}

export class InboundPump {
  private readonly backlog: InboundBacklog<{ conn: SignalConnection; packet: PendingPacket }>;
  private stopped = false;

  constructor(private readonly opts: InboundPumpOptions) {
    this.backlog = new InboundBacklog({
      logger: opts.logger,
      process: ({ conn, packet }) => this.later(conn, packet),
      onOverflow: () => opts.intake.reject('backlog_full'),
      maxItems: opts.maxBacklog,
    });
  }

  /** Packets read but not parsed yet. */
  get waiting(): number {
    return this.backlog.size;
  }

  message(conn: SignalConnection, data: unknown, isBinary: boolean): void {
    if (this.stopped || this.opts.current() !== conn) return;
    const { urgent, later } = this.opts.intake.accept(conn.session, data, isBinary);
    for (const r of urgent) {
      if (this.opts.current() !== conn) return; // an earlier packet of the same message ended this connection
      this.opts.handle(conn, r);
    }
    for (const packet of later) this.backlog.push({ conn, packet });
  }

  /** Drops the backlog for good (stop()). */
  stop(): void {
    this.stopped = true;
    this.backlog.clear();
  }

  private later(conn: SignalConnection, packet: PendingPacket): void {
    if (this.stopped) return;
    const r = this.opts.intake.interpretLater(conn.session, packet);
    if (this.opts.current() === conn) this.opts.handle(conn, r);
    else if (r.inbound.kind === 'event') this.opts.intake.deliver(r.inbound.name, r.inbound.payload, r.receivedAt);
  }
}
