// A suite against a real redis-server (test/cluster/helpers.ts startRedis): ctx.c is a client to it, both undefined
// when no redis-server can be started (the tests then return early). After the tests: client quit, server stopped.
import { Redis } from 'ioredis';
import { suite, type Test } from 'uvu';
import { startRedis, type TestRedis } from '../cluster/helpers.js';

export interface RedisSuiteContext {
  redis?: TestRedis;
  c?: Redis;
}

export function redisSuite(title: string): Test<RedisSuiteContext> {
  const t = suite<RedisSuiteContext>(title);
  t.before(async (ctx) => {
    ctx.redis = await startRedis();
    if (ctx.redis) ctx.c = new Redis(ctx.redis.url);
  });
  t.after(async (ctx) => {
    await ctx.c?.quit();
    await ctx.redis?.stop();
  });
  return t;
}

/** The client, counting the commands sent through it (by method name). */
export function countingRedis(c: Redis): { redis: Redis; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const redis = new Proxy(c, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        counts[prop] = (counts[prop] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { redis, counts };
}
