// The Redis outbox's Lua scripts (one atomic step per operation, on Redis time), registered once per connection with
// ioredis defineCommand: EVALSHA on every call (the script text is sent only when Redis does not know it yet).
import type { Redis } from 'ioredis';
import { laneOf } from './keys.js';
import { CLAIM_SCAN_MAX } from './store.js';

/** A webhook lane's prefix, from keys.ts laneOf itself (a key with no last segment). */
const WEBHOOK_LANE = JSON.stringify(laneOf('webhook', ''));

// keys.ts laneOf in Lua: a webhook's lane is its key's last segment, AntCRM's targets share one.
const LANE_OF = `local function laneOf(k, target)
  if target == 'webhook' then return ${WEBHOOK_LANE} .. (string.match(k, '([^:]*)$') or '') end
  if string.sub(target, 1, 7) == 'antcrm.' then return 'antcrm' end
  return target
end`;

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: job, due, since. ARGV: key, target, payload, ttlMs, delayMs (a delayed job: due and aged from now + delay)
const INSERT_LUA = `${NOW}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
now = now + (tonumber(ARGV[5]) or 0)
redis.call('HSET', KEYS[1], 'target', ARGV[2], 'payload', ARGV[3], 'state', 'pending', 'attempts', 0, 'createdAt', now)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return 1`;

// KEYS: due, lease. ARGV: jobPrefix, limit, leaseMs, token, perLane (0: none), then lane, busy pairs.
// The lane rule is keys.ts laneOf's: a webhook's lane is its key's last segment, AntCRM's targets share one.
const CLAIM_LUA = `${NOW}
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 200)
for _, k in ipairs(ended) do
  redis.call('ZREM', KEYS[2], k)
  redis.call('ZADD', KEYS[1], now, k)
end
local out = {}
local limit = tonumber(ARGV[2])
local perLane = tonumber(ARGV[5])
local busy = {}
for i = 6, #ARGV, 2 do busy[ARGV[i]] = tonumber(ARGV[i + 1]) end
${LANE_OF}
local offset, scanned = 0, 0
while #out < limit and scanned < ${CLAIM_SCAN_MAX} do
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', offset, 100)
  if #due == 0 then break end
  for _, k in ipairs(due) do
    if #out >= limit then break end
    scanned = scanned + 1
    local jk = ARGV[1] .. k
    local v = redis.call('HMGET', jk, 'state', 'target', 'payload', 'createdAt', 'lease', 'stalls')
    if v[1] ~= 'pending' then
      redis.call('ZREM', KEYS[1], k)
    else
      local lane = laneOf(k, v[2] or '')
      if perLane > 0 and (busy[lane] or 0) >= perLane then
        offset = offset + 1
      else
        busy[lane] = (busy[lane] or 0) + 1
        redis.call('ZREM', KEYS[1], k)
        local a = redis.call('HINCRBY', jk, 'attempts', 1)
        local stalls = tonumber(v[6]) or 0
        if v[5] then stalls = redis.call('HINCRBY', jk, 'stalls', 1) end
        redis.call('HSET', jk, 'lease', ARGV[4])
        redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), k)
        out[#out + 1] = { k, v[2] or '', v[3] or '', a, now - (tonumber(v[4]) or now), lane, stalls }
      end
    end
  end
end
local wait = -1
local d = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if d[2] then wait = math.max(0, tonumber(d[2]) - now) end
local l = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if l[2] then
  local lw = math.max(0, tonumber(l[2]) - now)
  if wait < 0 or lw < wait then wait = lw end
end
return { out, wait }`;

// KEYS: job, lease. ARGV: key, payload. A pending delivery that no lease holds now gets the new payload.
const REPLACE_LUA = `
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' or redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'payload', ARGV[2])
return 1`;

// KEYS: job, due, lease, since, failed, counters. ARGV: key, token, state, delayMs, error, result, retainMs
const SETTLE_LUA = `${NOW}
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[1], 'lease')
local retain = tonumber(ARGV[7])
if ARGV[3] == 'pending' then
  redis.call('HSET', KEYS[1], 'lastError', ARGV[5])
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
  return 1
end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'settledAt', now)
if ARGV[3] == 'delivered' then
  redis.call('HDEL', KEYS[1], 'payload')
  if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'result', ARGV[6]) end
  redis.call('HINCRBY', KEYS[6], 'delivered', 1)
  redis.call('PEXPIRE', KEYS[6], retain)
else
  redis.call('HSET', KEYS[1], 'lastError', ARGV[5])
  redis.call('ZADD', KEYS[5], tonumber(redis.call('HGET', KEYS[1], 'createdAt')) or now, ARGV[1])
  redis.call('PEXPIRE', KEYS[5], retain)
end
redis.call('PEXPIRE', KEYS[1], retain)
return 1`;

// KEYS: due. Every waiting retry due now. Leases are left alone: in a cluster they belong to live nodes (a dead
// node's leases end by themselves and are claimed again).
// ARGV: jobPrefix. A delayed job (createdAt in the future) keeps its time.
const ALL_DUE_LUA = `${NOW}
local ks = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local n = 0
for _, k in ipairs(ks) do
  if (tonumber(redis.call('HGET', ARGV[1] .. k, 'createdAt')) or 0) <= now then
    redis.call('ZADD', KEYS[1], now, k)
    n = n + 1
  end
end
return n`;

// KEYS: due. ARGV: jobPrefix, lane. A target that is back: its waiting retries are due now (leases left alone).
const LANE_DUE_LUA = `${NOW}
${LANE_OF}
local ks = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'LIMIT', 0, ${CLAIM_SCAN_MAX})
local n = 0
for _, k in ipairs(ks) do
  local created = tonumber(redis.call('HGET', ARGV[1] .. k, 'createdAt')) or 0
  if created <= now and laneOf(k, redis.call('HGET', ARGV[1] .. k, 'target') or '') == ARGV[2] then
    redis.call('ZADD', KEYS[1], now, k)
    n = n + 1
  end
end
return n`;

type Reply = Promise<unknown>;
/** The commands as ioredis adds them to a connection (keys first, then arguments). */
export interface OutboxCommands {
  outboxInsert(
    job: string,
    due: string,
    since: string,
    key: string,
    target: string,
    payload: string,
    ttlMs: number,
    delayMs: number,
  ): Reply;
  outboxClaim(due: string, lease: string, ...args: (string | number)[]): Reply;
  outboxReplace(job: string, lease: string, key: string, payload: string): Reply;
  outboxSettle(...keysThenArgs: (string | number)[]): Reply;
  outboxAllDue(due: string, jobPrefix: string): Reply;
  outboxLaneDue(due: string, jobPrefix: string, lane: string): Reply;
}

const SCRIPTS: Record<keyof OutboxCommands, { numberOfKeys: number; lua: string }> = {
  outboxInsert: { numberOfKeys: 3, lua: INSERT_LUA },
  outboxClaim: { numberOfKeys: 2, lua: CLAIM_LUA },
  outboxReplace: { numberOfKeys: 2, lua: REPLACE_LUA },
  outboxSettle: { numberOfKeys: 6, lua: SETTLE_LUA },
  outboxAllDue: { numberOfKeys: 1, lua: ALL_DUE_LUA },
  outboxLaneDue: { numberOfKeys: 1, lua: LANE_DUE_LUA },
};

/** The connection with the outbox's commands (defined once per connection). */
export function outboxCommands(redis: Redis): Redis & OutboxCommands {
  const r = redis as Redis & Partial<OutboxCommands>;
  for (const [name, def] of Object.entries(SCRIPTS))
    if (typeof r[name as keyof OutboxCommands] !== 'function') redis.defineCommand(name, def);
  return r as Redis & OutboxCommands;
}
