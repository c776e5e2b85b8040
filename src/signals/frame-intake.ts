// Inbound frame accounting: size/binary checks, per-type and per-reason counters, rate-limited warnings,
// event parsing and delivery. Never throws, never logs frame contents (subscribe frames carry tokens).
import type { Logger } from '../log.js';
import { errSummary } from '../shared/errors.js';
import { parseKazooEvent } from './kazoo-event.js';
import type { Inbound, Interpreted, ProtocolSession } from './protocol.js';
import { RateLimitedWarn } from './reject-log.js';
import type { LegEvent } from './types.js';

export interface FrameIntakeOptions {
  /** The account id as configured (normalised to lowercase there): an event of any other id is `other_account`. */
  accountId: string;
  maxFrameBytes: number;
  logger: Logger;
  /** Wall clock, unix ms. */
  now: () => number;
  onEvent: (e: LegEvent) => void;
  onFrame?: (type: string) => void;
  onReject?: (reason: string) => void;
  /** Monotonic read time for LegEvent.receivedAt (default performance.now). */
  monotonic?: () => number;
}

export interface FrameRead {
  inbound: Inbound;
  reply?: string;
  receivedAt: number;
}

/** A packet cut out of a message, parsed later (in the backlog's turn). */
export interface PendingPacket {
  text: string;
  receivedAt: number;
}

function byteLength(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (Buffer.isBuffer(data)) return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (Array.isArray(data)) return data.reduce((n: number, d) => n + byteLength(d), 0);
  return -1;
}

function toText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (Array.isArray(data) && data.every((d) => Buffer.isBuffer(d)))
    return Buffer.concat(data as Buffer[]).toString('utf8');
  return undefined;
}

export class FrameIntake {
  private readonly framesIn: Record<string, number> = {};
  private readonly rejected: Record<string, number> = {};
  private readonly warn: RateLimitedWarn;
  private readonly monotonic: () => number;
  private events = 0;
  private lastEventAt?: number;

  constructor(private readonly opts: FrameIntakeOptions) {
    this.warn = new RateLimitedWarn(opts.logger, opts.now);
    this.monotonic = opts.monotonic ?? (() => performance.now());
  }

  /**
   * One websocket message, cheaply: size and binary checks, the packets cut out, keep-alives interpreted at once
   * (`urgent`, to be answered ahead of any backlog). The other packets come back unparsed (`later`), for
   * interpretLater() when the backlog reaches them. Rejections are already counted.
   */
  accept(session: ProtocolSession, data: unknown, isBinary: boolean): { urgent: FrameRead[]; later: PendingPacket[] } {
    const receivedAt = this.monotonic();
    const bytes = byteLength(data);
    const refused = isBinary ? 'binary' : bytes > this.opts.maxFrameBytes ? 'oversized' : undefined;
    const text = refused ? undefined : toText(data);
    if (text === undefined) {
      this.rejectFrame(refused ?? 'unreadable', bytes);
      return { urgent: [], later: [] };
    }
    const urgent: FrameRead[] = [];
    const later: PendingPacket[] = [];
    for (const p of this.guard(() => session.split(text), [{ ok: false, reason: 'interpreter_error' }])) {
      if (!p.ok) {
        this.countFrame('invalid');
        urgent.push({ inbound: { kind: 'reject', reason: p.reason }, reply: undefined, receivedAt });
        continue;
      }
      const u = this.guard(() => session.urgent(p.text), undefined);
      if (u) urgent.push(this.counted(u, receivedAt));
      else later.push({ text: p.text, receivedAt });
    }
    return { urgent, later };
  }

  /** One packet left for later → what it means (counted). */
  interpretLater(session: ProtocolSession, p: PendingPacket): FrameRead {
    const r = this.guard<Interpreted>(() => session.interpret(p.text), {
      frameType: 'invalid',
      inbound: { kind: 'reject', reason: 'interpreter_error' },
    });
    return this.counted(r, p.receivedAt);
  }

  /** accept() and interpretLater() at once: every packet of one message, in order (tests, small inputs). */
  read(session: ProtocolSession, data: unknown, isBinary: boolean): FrameRead[] {
    const { urgent, later } = this.accept(session, data, isBinary);
    return [...urgent, ...later.map((p) => this.interpretLater(session, p))];
  }

  /** The session is pure and total; a throw is a bug, but it must not take the socket down. */
  private guard<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      this.opts.logger.error({ err: errSummary(err) }, 'signal frame interpreter threw');
      return fallback;
    }
  }

  private counted(r: Interpreted, receivedAt: number): FrameRead {
    this.countFrame(r.frameType);
    return { inbound: r.inbound, reply: r.reply, receivedAt };
  }

  /** Parses and hands over one event; returns whether it was delivered. */
  deliver(name: string | undefined, payload: unknown, receivedAt: number): boolean {
    // The frame's event name stands in when the body has no Event-Name (parseKazooEvent's frameName).
    const r = parseKazooEvent(payload, receivedAt, this.opts.now(), name);
    if (!r.ok) {
      this.reject(r.reason);
      return false;
    }
    // Exactly (the configured id is normalised at configuration; Kazoo sends lowercase hex), as the engine does.
    if (r.event.accountId !== undefined && r.event.accountId !== this.opts.accountId) {
      this.reject('other_account');
      return false;
    }
    this.events += 1;
    this.lastEventAt = this.opts.now();
    try {
      this.opts.onEvent(r.event);
    } catch (err) {
      this.count(this.rejected, 'handler_error');
      this.warn.warn(
        'handler_error',
        { err: errSummary(err), total: this.rejected.handler_error },
        'signal event handler threw',
      );
    }
    return true;
  }

  reject(reason: string, fields: Record<string, unknown> = {}): void {
    this.count(this.rejected, reason);
    this.hook(this.opts.onReject, reason);
    this.warn.warn(reason, { total: this.rejected[reason], ...fields }, 'signal frame rejected');
  }

  snapshot(): {
    framesIn: Record<string, number>;
    rejected: Record<string, number>;
    events: number;
    lastEventAt?: number;
  } {
    const s = { framesIn: { ...this.framesIn }, rejected: { ...this.rejected }, events: this.events };
    return this.lastEventAt === undefined ? s : { ...s, lastEventAt: this.lastEventAt };
  }

  private rejectFrame(reason: string, bytes: number): FrameRead[] {
    this.countFrame('invalid');
    this.reject(reason, { bytes });
    return [];
  }

  private countFrame(type: string): void {
    this.count(this.framesIn, type);
    this.hook(this.opts.onFrame, type);
  }

  private count(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }

  private hook(fn: ((s: string) => void) | undefined, arg: string): void {
    if (!fn) return;
    try {
      fn(arg);
    } catch (err) {
      this.opts.logger.error({ err: errSummary(err) }, 'signal metrics hook threw');
    }
  }
}
