// A broadcast and the done marks that stand for it reach Redis together or not at all. The owner of a call emits an
// update (the Socket.IO adapter's XADD) and then marks it done for the standby holders (the gate, in the same tick).
// Sent as two commands, a node killed between the two writes leaves the broadcast in the stream without its mark: the
// standby takes the call over and publishes the update again, with a new seq (a duplicate for every client). So the
// adapter's XADDs wait for the end of the synchronous step that emitted them (a microtask) and go out with the marks
// given in that step as one script: Redis runs all of it, or nothing when the connection dies before the command is
// complete (the standby then publishes the update, which nobody received). Without marks the XADDs go out as before,
// in order. (One command for the XADD and its mark: one fewer per published update than before. The stream and the
// marks are one slot with a single tenant; the cluster's Redis is a single instance, not a Redis Cluster.)
import type { Redis } from 'ioredis';

// KEYS: the broadcasts' streams (one per broadcast, in order), then the marks. ARGV[1] = the number of broadcasts, then
// per broadcast: the count of its XADD arguments after the key, and those arguments; then each mark's lifetime.
// Returns the broadcasts' stream ids.
const BROADCAST_AND_MARK = `
local nb = tonumber(ARGV[1])
local ids, a = {}, 2
for b = 1, nb do
  local n = tonumber(ARGV[a])
  ids[b] = redis.call('XADD', KEYS[b], unpack(ARGV, a + 1, a + n))
  a = a + n + 1
end
for k = nb + 1, #KEYS do
  redis.call('SET', KEYS[k], '1', 'PX', ARGV[a])
  a = a + 1
end
return ids`;

/** Where the gate writes its done marks. */
export interface DoneMarks {
  mark(key: string, ttlMs: number): Promise<unknown>;
}

interface Held<T> {
  resolve: (v: T) => void;
  reject: (err: unknown) => void;
}

interface HeldBroadcast extends Held<unknown> {
  args: unknown[];
}

interface HeldMark extends Held<unknown> {
  key: string;
  ttlMs: number;
}

export class BroadcastMarks implements DoneMarks {
  private broadcasts: HeldBroadcast[] = [];
  private marks: HeldMark[] = [];
  private scheduled = false;
  /** The view of the connection the adapter gets (client()). */
  private readonly view: Redis;

  constructor(private readonly redis: Redis) {
    const xadd = (...args: unknown[]) => this.hold(args);
    this.view = new Proxy(redis, {
      get(target, prop) {
        if (prop === 'xadd') return xadd;
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  /** The connection as the Socket.IO adapter must use it: its XADDs are held to the end of the step. */
  client(): Redis {
    return this.view;
  }

  /** Marks `key` done: in the script of the broadcasts emitted in this step, or alone when there are none (an emit
   *  that broadcast nothing; behind every earlier broadcast on this connection all the same). */
  mark(key: string, ttlMs: number): Promise<unknown> {
    if (!this.broadcasts.length) return this.redis.set(key, '1', 'PX', ttlMs);
    return new Promise((resolve, reject) => this.marks.push({ key, ttlMs, resolve, reject }));
  }

  private hold(args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.broadcasts.push({ args, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const broadcasts = this.broadcasts;
    const marks = this.marks;
    this.broadcasts = [];
    this.marks = [];
    if (!marks.length) {
      for (const b of broadcasts) this.redis.xadd(...(b.args as [string])).then(b.resolve, b.reject);
      return;
    }
    const xadds = broadcasts.map((b) => b.args.flat(2) as (string | number | Buffer)[]);
    this.redis
      .eval(
        BROADCAST_AND_MARK,
        xadds.length + marks.length,
        ...xadds.map((a) => a[0] as string),
        ...marks.map((m) => m.key),
        xadds.length,
        ...xadds.flatMap((a) => [a.length - 1, ...a.slice(1)]),
        ...marks.map((m) => m.ttlMs),
      )
      .then(
        (ids) => {
          // The script answers the stream id of every broadcast, in order.
          broadcasts.forEach((b, i) => {
            b.resolve((ids as unknown[])[i]);
          });
          for (const m of marks) m.resolve('OK');
        },
        (err: unknown) => {
          for (const h of [...broadcasts, ...marks]) h.reject(err);
        },
      );
  }
}
