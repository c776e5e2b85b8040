// A child process for the outbox fault tests: opens a SQLite (DATA_DIR) or Redis outbox, delivers to a receiver
// (POST { key }, 2xx = delivered), optionally enqueues keys 0..n-1 (each twice), prints `enqueued` and one
// `settled <key> <state>` line per recorded attempt. The parent SIGKILLs it.
//   node --import tsx outbox-child.ts sqlite <dataDir> <receiverUrl> <n>
//   node --import tsx outbox-child.ts redis <redisUrl> <org> <receiverUrl> <n> [leaseMs]
import { Redis } from 'ioredis';
import { clusterKeys } from '../../src/cluster/keys.js';
import { createLogger } from '../../src/log.js';
import { RedisOutbox } from '../../src/outbox/redis.js';
import { SqliteOutbox } from '../../src/outbox/sqlite.js';
import { type DeliveryHandler, type Outbox, ok, retry } from '../../src/outbox/types.js';

const [mode, ...args] = process.argv.slice(2);
const logger = createLogger('silent');
const fast = { retryDelaysMs: [50], jitter: 0, pollMs: 25, attemptTimeoutMs: 1000 };
let box: Outbox;
let url: string;
let n: number;
if (mode === 'sqlite') {
  box = new SqliteOutbox({ dataDir: args[0], logger, ...fast });
  url = args[1];
  n = Number(args[2]);
} else {
  const redis = new Redis(args[0], { maxRetriesPerRequest: 2 });
  box = new RedisOutbox({ redis, keys: clusterKeys(args[1]), logger, ...fast, leaseMs: Number(args[4] ?? 3000) });
  url = args[2];
  n = Number(args[3]);
}
const deliver: DeliveryHandler = async (a) => {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: a.key, pid: process.pid }),
      signal: a.signal,
    });
    return res.ok ? ok() : retry(`HTTP ${res.status}`);
  } catch (err) {
    return retry(err instanceof Error ? err.name : 'error');
  }
};
box.handle('webhook', deliver);
box.onSettled((e) => process.stdout.write(`settled ${e.key} ${e.state}\n`));
for (let i = 0; i < n; i++) {
  await box.enqueue(`k${i}`, 'webhook', { i });
  await box.enqueue(`k${i}`, 'webhook', { i, again: true });
}
process.stdout.write('enqueued\n');
await box.start();
process.stdout.write('started\n');
setInterval(() => {}, 1000); // stays until killed
