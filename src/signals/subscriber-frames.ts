// The signal subscriber's inbound frames (subscriber.ts holds the state machine): the frame intake (parse, bound,
// count, deliver the events) behind its pump (keep-alives at once, the rest from the backlog), and the routing of
// each packet of the current connection: events and rejects to the intake, the rest (connected, subscribe acks and
// refusals, disconnects) to the state machine.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { SignalConnection } from './connection.js';
import { FrameIntake } from './frame-intake.js';
import { InboundPump } from './inbound-pump.js';
import type { Inbound } from './protocol.js';
import type { SignalSubscriberOptions } from './subscriber-options.js';

/** What the state machine does on each kind of packet of its current connection (subscriber.ts). */
export interface FrameRoutes {
  connected(conn: SignalConnection): void;
  ack(conn: SignalConnection, ref: string): void;
  refused(conn: SignalConnection, what: 'auth_failure' | 'error', ref?: string, cause?: string): void;
  lost(conn: SignalConnection, reason: string): void;
  /** An event was delivered: the subscription works. */
  delivered(): void;
}

export class SubscriberFrames {
  readonly intake: FrameIntake;
  readonly pump: InboundPump;

  constructor(
    opts: SignalSubscriberOptions,
    clock: Clock,
    log: Logger,
    current: () => SignalConnection | undefined,
    private readonly routes: FrameRoutes,
  ) {
    this.intake = new FrameIntake({
      accountId: opts.accountId,
      maxFrameBytes: opts.maxFrameBytes ?? 262_144,
      logger: log,
      now: () => clock.now(),
      onEvent: opts.onEvent,
      onFrame: opts.onFrame,
      onReject: opts.onReject,
    });
    this.pump = new InboundPump({
      intake: this.intake,
      logger: log,
      maxBacklog: opts.maxBacklog,
      current,
      handle: (conn, r) => {
        if (r.reply) conn.send(r.reply);
        this.handle(conn, r.inbound, r.receivedAt);
      },
    });
  }

  private handle(conn: SignalConnection, inbound: Inbound, receivedAt: number): void {
    switch (inbound.kind) {
      case 'connected':
        this.routes.connected(conn);
        return;
      case 'event':
        if (this.intake.deliver(inbound.name, inbound.payload, receivedAt)) this.routes.delivered();
        return;
      case 'ack':
        this.routes.ack(conn, inbound.ref);
        return;
      case 'failure':
        this.routes.refused(conn, inbound.what, inbound.ref, inbound.cause);
        return;
      case 'disconnect':
        this.routes.lost(conn, inbound.reason);
        return;
      case 'reject':
        this.intake.reject(inbound.reason);
        return;
      case 'keepalive':
      case 'ignore':
        return;
    }
  }
}
