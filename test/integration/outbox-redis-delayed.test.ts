// Delayed jobs in the Redis outbox (enqueue's notBefore, issue 18's recoveries) against the real Redis: not claimed
// before their time (Redis time), not advanced by a restart (makeAllDue) nor by their target coming back
// (makeLaneDue), claimed once due.
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterKeys } from '../../src/cluster/keys.js';
import { RedisStore } from '../../src/outbox/redis.js';
import { waitFor } from '../helpers/wait.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const t = suite<{ org: string; redis?: Redis }>('outbox: Redis delayed jobs', { org: '' });
t.before(async (ctx) => {
  ctx.org = `outbox-delayed-${process.pid}-${Date.now()}`;
  ctx.redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
t.after(async (ctx) => {
  const r = ctx.redis;
  if (!r) return;
  const keys = await r.keys(`${clusterKeys(ctx.org).prefix}*`);
  if (keys.length) await r.del(...keys);
  await r.quit();
});

t('a delayed job waits for its time, across makeAllDue and makeLaneDue', async (ctx) => {
  const store = new RedisStore({ redis: ctx.redis!, keys: clusterKeys(ctx.org), maxAgeMs: 60_000, retainMs: 60_000 });
  const at = Date.now() + 1500;
  assert.ok(await store.insert('now', 'antbot.recovery', '{}'));
  assert.ok(await store.insert('later', 'antbot.recovery', '{}', at));
  const first = await store.claim(10, 60_000, 't1');
  assert.equal(
    first.claimed.map((c) => c.key),
    ['now'],
  );
  assert.is(await store.makeAllDue(), 0, 'the delayed job keeps its time');
  assert.is(await store.makeLaneDue('antbot.recovery'), 0);
  assert.is((await store.claim(10, 60_000, 't2')).claimed.length, 0);
  const late = await waitFor(
    async () => {
      const c = await store.claim(10, 60_000, 't3');
      return c.claimed.length ? c.claimed : undefined;
    },
    { what: 'the delayed job due', timeoutMs: 5000 },
  );
  assert.equal(
    late.map((c) => c.key),
    ['later'],
  );
  assert.ok(Date.now() >= at - 50, 'not before its time');
  assert.ok(late[0].ageMs < 1000, 'aged from its time');
});

t.run();
