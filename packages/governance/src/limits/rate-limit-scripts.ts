/**
 * The limiter's Lua scripts. Every key one call touches carries the tenant's hash tag, so
 * a call is one slot on Redis Cluster. Time is Redis' own clock (TIME), shared by every
 * instance. The arithmetic mirrors gcra.ts (keep the two in step).
 *
 * Per scope, two keys: `<...>:rate` (hash: r = requests TAT, t = tokens TAT) and `<...>:conc`
 * (sorted set: lease id -> expiry ms).
 */

const PRELUDE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local EPSILON = 0.000001
local function remaining(tat, interval, period)
  return math.max(0, math.floor((now + period - tat) / interval + EPSILON))
end
`;

/**
 * ADMIT. KEYS: per scope, rate then conc. ARGV: periodMs, leaseTtlMs, leaseId, tokens,
 * concurrencyRetryAfterMs, then per scope requestsPerMinute, tokensPerMinute, concurrency
 * (0 = no limit). Checks every scope first and writes only when all pass.
 * Returns: admitted, refused scope index, refused kind (1 requests, 2 tokens,
 * 3 concurrency), retryAfterMs (-1: never fits), then per scope: requests remaining,
 * requests reset ms, tokens remaining, tokens reset ms, active leases (-1 where no limit).
 */
export const ADMIT_SCRIPT = `${PRELUDE}
local period = tonumber(ARGV[1])
local leaseTtl = tonumber(ARGV[2])
local lease = ARGV[3]
local cost = tonumber(ARGV[4])
local concurrencyRetry = tonumber(ARGV[5])
local scopes = #KEYS / 2
local refusedScope, refusedKind, retryAfter = 0, 0, 0
local function refuse(scope, kind, wait)
  if refusedScope ~= 0 and retryAfter < 0 then return end
  if refusedScope == 0 or wait < 0 or wait > retryAfter then
    refusedScope, refusedKind, retryAfter = scope, kind, wait
  end
end
local plans = {}
for i = 1, scopes do
  local base = 5 + (i - 1) * 3
  local plan = {
    rate = KEYS[2 * i - 1], conc = KEYS[2 * i],
    requestLimit = tonumber(ARGV[base + 1]), tokenLimit = tonumber(ARGV[base + 2]), concurrency = tonumber(ARGV[base + 3]),
    active = 0,
  }
  local stored = redis.call('HMGET', plan.rate, 'r', 't')
  plan.requestTat = math.max(tonumber(stored[1]) or now, now)
  plan.tokenTat = math.max(tonumber(stored[2]) or now, now)
  plan.nextRequestTat, plan.nextTokenTat = plan.requestTat, plan.tokenTat
  if plan.requestLimit > 0 then
    plan.nextRequestTat = plan.requestTat + period / plan.requestLimit
    local wait = plan.nextRequestTat - period - now
    if wait > EPSILON then refuse(i, 1, math.ceil(wait)) end
  end
  if plan.tokenLimit > 0 then
    plan.nextTokenTat = plan.tokenTat + cost * period / plan.tokenLimit
    local wait = plan.nextTokenTat - period - now
    if cost > plan.tokenLimit then refuse(i, 2, -1)
    elseif wait > EPSILON then refuse(i, 2, math.ceil(wait)) end
  end
  if plan.concurrency > 0 then
    redis.call('ZREMRANGEBYSCORE', plan.conc, '-inf', now)
    plan.active = redis.call('ZCARD', plan.conc)
    if plan.active >= plan.concurrency then refuse(i, 3, concurrencyRetry) end
  end
  plans[i] = plan
end
local admitted = refusedScope == 0
local out = { admitted and 1 or 0, refusedScope, refusedKind, retryAfter }
for i = 1, scopes do
  local plan = plans[i]
  local requestTat, tokenTat = plan.requestTat, plan.tokenTat
  if admitted then
    requestTat, tokenTat = plan.nextRequestTat, plan.nextTokenTat
    if plan.requestLimit > 0 then redis.call('HSET', plan.rate, 'r', requestTat) end
    if plan.tokenLimit > 0 then redis.call('HSET', plan.rate, 't', tokenTat) end
    if plan.requestLimit > 0 or plan.tokenLimit > 0 then
      redis.call('PEXPIRE', plan.rate, math.ceil(math.max(requestTat, tokenTat) - now) + 1000)
    end
    if plan.concurrency > 0 then
      redis.call('ZADD', plan.conc, now + leaseTtl, lease)
      redis.call('PEXPIRE', plan.conc, leaseTtl * 2)
      plan.active = plan.active + 1
    end
  end
  if plan.requestLimit > 0 then
    out[#out + 1] = remaining(requestTat, period / plan.requestLimit, period)
    out[#out + 1] = math.ceil(requestTat - now)
  else
    out[#out + 1] = -1
    out[#out + 1] = -1
  end
  if plan.tokenLimit > 0 then
    out[#out + 1] = remaining(tokenTat, period / plan.tokenLimit, period)
    out[#out + 1] = math.ceil(tokenTat - now)
  else
    out[#out + 1] = -1
    out[#out + 1] = -1
  end
  out[#out + 1] = plan.concurrency > 0 and plan.active or -1
end
return out`;

/**
 * SETTLE. KEYS: per scope, rate then conc. ARGV: periodMs, leaseId, deltaTokens, release
 * (1/0), then per scope tokensPerMinute. A refund never lowers a TAT below now.
 */
export const SETTLE_SCRIPT = `${PRELUDE}
local period = tonumber(ARGV[1])
local lease = ARGV[2]
local delta = tonumber(ARGV[3])
local release = ARGV[4] == '1'
for i = 1, #KEYS / 2 do
  local rate, conc = KEYS[2 * i - 1], KEYS[2 * i]
  local tokenLimit = tonumber(ARGV[4 + i])
  if delta ~= 0 and tokenLimit > 0 then
    local interval = period / tokenLimit
    local tat = tonumber(redis.call('HGET', rate, 't')) or now
    if delta > 0 then tat = math.max(tat, now) + delta * interval
    else tat = math.max(now, tat + delta * interval) end
    redis.call('HSET', rate, 't', tat)
    local needed = math.ceil(tat - now) + 1000
    if redis.call('PTTL', rate) < needed then redis.call('PEXPIRE', rate, needed) end
  end
  if release then redis.call('ZREM', conc, lease) end
end
return 1`;

/** RENEW. KEYS: concurrency sets. ARGV: leaseTtlMs, leaseId. Renews only a lease still held. */
export const RENEW_SCRIPT = `${PRELUDE}
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + ttl, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], ttl * 2)
end
return 1`;
