/**
 * The ledger's Lua scripts. A reservation touches up to four counters (key and tenant,
 * day and month), all under the tenant's hash tag: one slot on Redis Cluster. Per
 * counter two keys: a hash (spent, reserved, notified, and r:<reservation id> = amount)
 * and a sorted set of reservation ids by expiry (Redis' own clock), purged on every call
 * that touches the counter, so a crashed holder's reservation is released by the next one.
 */

const PRELUDE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local function purge(hash, expiries)
  local expired = redis.call('ZRANGEBYSCORE', expiries, '-inf', now, 'LIMIT', 0, 256)
  for _, id in ipairs(expired) do
    local amount = tonumber(redis.call('HGET', hash, 'r:' .. id))
    if amount then
      redis.call('HINCRBY', hash, 'reserved', -amount)
      redis.call('HDEL', hash, 'r:' .. id)
    end
    redis.call('ZREM', expiries, id)
  end
end
`;

/**
 * RESERVE. KEYS: per counter, hash then expiries. ARGV: reservation id, cost, ttl ms,
 * then per counter: limit (-1 none), counter ttl ms. Returns: refused counter index
 * (0 = reserved), then per counter spent and reserved (before this reservation).
 */
export const RESERVE_SCRIPT = `${PRELUDE}
local id, cost, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local refused = 0
local out = { 0 }
for i = 1, #KEYS / 2 do
  local hash, expiries = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, expiries)
  local values = redis.call('HMGET', hash, 'spent', 'reserved')
  local spent, reserved = tonumber(values[1]) or 0, tonumber(values[2]) or 0
  local limit = tonumber(ARGV[3 + 2 * i - 1])
  if refused == 0 and limit >= 0 and spent + reserved + cost > limit then refused = i end
  out[#out + 1] = spent
  out[#out + 1] = reserved
end
out[1] = refused
if refused == 0 then
  for i = 1, #KEYS / 2 do
    local hash, expiries = KEYS[2 * i - 1], KEYS[2 * i]
    local counterTtl = tonumber(ARGV[3 + 2 * i])
    redis.call('HINCRBY', hash, 'reserved', cost)
    redis.call('HSET', hash, 'r:' .. id, cost)
    redis.call('ZADD', expiries, now + ttl, id)
    redis.call('PEXPIRE', hash, counterTtl)
    redis.call('PEXPIRE', expiries, counterTtl)
  end
end
return out`;

/**
 * SETTLE. KEYS: per counter, hash then expiries. ARGV: reservation id, actual cost,
 * threshold count, thresholds ascending, then per counter: limit (-1 none), counter ttl.
 * Releases what the reservation still holds (nothing if it expired), adds the actual cost,
 * and records the highest threshold reached. Returns per counter: spent, threshold
 * reported before, threshold reported now.
 */
export const SETTLE_SCRIPT = `${PRELUDE}
local id, actual, thresholdCount = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i = 1, #KEYS / 2 do
  local hash, expiries = KEYS[2 * i - 1], KEYS[2 * i]
  local base = 3 + thresholdCount + 2 * (i - 1)
  local limit, counterTtl = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  purge(hash, expiries)
  local held = tonumber(redis.call('HGET', hash, 'r:' .. id))
  if held then
    redis.call('HINCRBY', hash, 'reserved', -held)
    redis.call('HDEL', hash, 'r:' .. id)
    redis.call('ZREM', expiries, id)
  end
  local spent = redis.call('HINCRBY', hash, 'spent', actual)
  redis.call('PEXPIRE', hash, counterTtl)
  local before = tonumber(redis.call('HGET', hash, 'notified')) or 0
  local reached = 0
  if limit > 0 then
    for t = 1, thresholdCount do
      local percent = tonumber(ARGV[3 + t])
      if spent >= limit * percent / 100 then reached = percent end
    end
  end
  if reached > before then redis.call('HSET', hash, 'notified', reached) else reached = before end
  out[#out + 1] = spent
  out[#out + 1] = before
  out[#out + 1] = reached
end
return out`;

/** STATUS. KEYS: per counter, hash then expiries. Purges expired reservations; returns spent and reserved per counter. */
export const STATUS_SCRIPT = `${PRELUDE}
local out = {}
for i = 1, #KEYS / 2 do
  local hash, expiries = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, expiries)
  local values = redis.call('HMGET', hash, 'spent', 'reserved')
  out[#out + 1] = tonumber(values[1]) or 0
  out[#out + 1] = tonumber(values[2]) or 0
end
return out`;
