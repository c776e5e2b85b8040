// The gate's claim of a call in Redis (one round trip: a Lua script), and the holders' engine terms it consults.
// A holder's engine starts with its lease term: one that started mid-stream has not seen the calls already under way.
// An agent leg the switch rang for such a call, created without its link, is the root of a call of its own in that
// engine (calls/provisional.ts mayJoinEarlierCall), under another callId than in the engines that saw the customer's
// leg: a phantom for every client. So a call whose root leg's CREATE is of that kind is claimed `new` only by the live
// holder whose engine started first; the others stay standby for it (and take it over when its owner dies).
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';

// KEYS[1] = the call's owner key; KEYS[2..] = done marks to read in the same step (the pending updates' ids), so a
// standby's re-check or a first claim is one round trip: {1|0, 'mine'|'new'|'takeover'|<owner>|'', done flags...}.
// ARGV: nodeId, owner TTL, heartbeat key prefix, heartbeat TTL, '1' = claim `new` only without an older live holder,
// the terms hash, this node's term start. A result '' = deferred to an older holder (nobody owns the call yet).
export const CLAIM = `
local function older()
  local t = redis.call('HGETALL', ARGV[6])
  local mine = tonumber(ARGV[7])
  for i = 1, #t, 2 do
    if t[i] ~= ARGV[1] then
      local since = tonumber(t[i + 1]) or math.huge
      if redis.call('EXISTS', ARGV[3] .. t[i]) == 0 then redis.call('HDEL', ARGV[6], t[i])
      elseif since < mine or (since == mine and t[i] < ARGV[1]) then return true end
    end
  end
  return false
end
local o = redis.call('GET', KEYS[1])
local r
local won = 1
if o == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) r = 'mine'
elseif not o and ARGV[5] == '1' and older() then won = 0 r = ''
elseif not o then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) r = 'new'
elseif redis.call('EXISTS', ARGV[3] .. o) == 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) r = 'takeover'
else won = 0 r = o end
-- An owner always has a live heartbeat (after a Redis restart the claim comes before the membership tick).
if won == 1 then redis.call('SET', ARGV[3] .. ARGV[1], '1', 'PX', ARGV[4]) end
local out = {won, r}
for i = 2, #KEYS do out[i + 1] = redis.call('EXISTS', KEYS[i]) end
return out`;

/** This holder's term in the terms hash (on becoming active; then renewed with the lease hold, tenant-leases.ts):
 *  who started first. */
export async function writeTerm(redis: Redis, keys: ClusterKeys, nodeId: string, since: number, ttlMs: number) {
  await redis.multi().hset(keys.terms(), nodeId, String(since)).pexpire(keys.terms(), ttlMs).exec();
}

/** The lease is gone: this node's engine no longer counts. */
export async function dropTerm(redis: Redis, keys: ClusterKeys, nodeId: string) {
  await redis.hdel(keys.terms(), nodeId);
}
