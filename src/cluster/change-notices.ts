// Change notices between the nodes of a cluster (Redis pub/sub): a node that changes shared state publishes a short
// notice on the state's channel; every node's subscribers act on it at once. Nothing polls. One subscriber connection
// per process, opened at the first subscription, shared by every tenant. Pub/sub forgets what it could not deliver,
// so after the connection comes back every subscriber is asked to read its state again (`resync`): a notice is a
// hint to read sooner, never the only way a change is seen.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { errText } from '../shared/errors.js';

export interface NoticeSubscriber {
  /** A notice on the channel (published by any node, this one included). */
  message(message: string): void;
  /** The subscription was re-established after a break: notices may have been missed. */
  resync(): void;
}

export interface ChangeNotices {
  /** Tells every node subscribed to `channel` (this one too). */
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes; resolves once Redis acknowledged the subscription (a change published after that is seen).
   *  The returned function unsubscribes (idempotent). */
  subscribe(channel: string, s: NoticeSubscriber): Promise<() => void>;
}

export class RedisChangeNotices implements ChangeNotices {
  private sub: Redis | undefined;
  private readonly subscribers = new Map<string, Set<NoticeSubscriber>>();
  private connectedOnce = false;
  private closed = false;

  constructor(
    /** Makes the subscriber connection, with `autoResubscribe: false` (this class subscribes again on `ready`, then
     *  asks for a resync: ioredis's own re-subscription would race it) and an offline queue (a subscription made
     *  while it connects waits for it). */
    private readonly connect: () => Redis,
    /** Publishes (any connection not in subscriber mode). */
    private readonly publisher: Pick<Redis, 'publish'>,
    private readonly log: Logger,
  ) {}

  async publish(channel: string, message: string): Promise<void> {
    await this.publisher.publish(channel, message);
  }

  async subscribe(channel: string, s: NoticeSubscriber): Promise<() => void> {
    if (this.closed) throw new Error('change notices are closed');
    const sub = this.connection();
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(s);
    if (set.size === 1) await sub.subscribe(channel);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const now = this.subscribers.get(channel);
      if (!now?.delete(s) || now.size > 0) return;
      this.subscribers.delete(channel);
      if (this.sub?.status === 'ready')
        this.sub.unsubscribe(channel).catch((err: unknown) => {
          this.log.debug({ err: errText(err), channel }, 'could not unsubscribe a change channel');
        });
    };
  }

  /** Closes the subscriber connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribers.clear();
    const sub = this.sub;
    this.sub = undefined;
    if (!sub) return;
    sub.removeAllListeners('message');
    sub.removeAllListeners('ready');
    try {
      if (sub.status === 'ready') await sub.quit();
      else sub.disconnect();
    } catch (err) {
      this.log.debug({ err: errText(err) }, 'change notices: quit failed');
      sub.disconnect();
    }
  }

  private connection(): Redis {
    if (this.sub) return this.sub;
    const sub = this.connect();
    sub.on('error', (err: unknown) => this.log.debug({ err: errText(err) }, 'change notices: redis error'));
    sub.on('message', (channel: string, message: string) => {
      for (const s of this.subscribers.get(channel) ?? []) this.deliver(s, message);
    });
    sub.on('ready', () => {
      if (!this.connectedOnce) {
        this.connectedOnce = true;
        return;
      }
      void this.resubscribe(sub);
    });
    this.sub = sub;
    return sub;
  }

  private async resubscribe(sub: Redis): Promise<void> {
    const channels = [...this.subscribers.keys()];
    if (!channels.length) return;
    try {
      await sub.subscribe(...channels);
    } catch (err) {
      // The next `ready` tries again.
      this.log.warn({ err: errText(err) }, 'change notices: could not subscribe again');
      return;
    }
    this.log.info({ channels: channels.length }, 'change notices: subscribed again; every subscriber reads again');
    for (const set of this.subscribers.values()) for (const s of set) this.run(() => s.resync());
  }

  private deliver(s: NoticeSubscriber, message: string): void {
    this.run(() => s.message(message));
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err: errText(err) }, 'change notices: a subscriber failed');
    }
  }
}
