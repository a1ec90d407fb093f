import { redisScript } from "./redis-script.ts";

// The job store's transitions as Lua scripts, each one atomic. Every script gets the record
// key as KEYS[1], our key base as ARGV[1] and the job id as ARGV[2]; other keys are derived
// from the base, which carries the queue's hash tag, so they share the record's Cluster slot
// (as BullMQ's own scripts derive job keys from the queue prefix). Scripts that change a
// record publish its id on the updates channel, and return the record (HGETALL) or nil when
// the compare-and-set did not hold.

const HELPERS = `
local rcall = redis.call
local function publishUpdate(base, id)
  rcall("PUBLISH", base .. "updates", id)
end
-- Moves a job to a final state: timestamps, state sets, and the result's lifetime.
local function finishJob(recordKey, base, id, fromState, toState, now)
  local ttl = tonumber(rcall("HGET", recordKey, "resultTtlMs"))
  local expiresAt = now + ttl
  rcall("HSET", recordKey, "state", toState, "finishedAt", now, "expiresAt", expiresAt)
  rcall("ZREM", base .. "state:" .. fromState, id)
  rcall("ZADD", base .. "state:" .. toState, expiresAt, id)
  rcall("PEXPIRE", recordKey, ttl)
  local idemKey = rcall("HGET", recordKey, "idemKey")
  if idemKey then rcall("PEXPIRE", idemKey, ttl) end
end
-- True when the given attempt holds the job (it is active under that attempt).
local function holds(recordKey, attempt)
  return rcall("HGET", recordKey, "state") == "active" and rcall("HGET", recordKey, "attemptsMade") == attempt
end
-- True when the given attempt already moved the job to this state: a retried write whose first
-- try landed but whose reply was lost (the connection broke, the master failed over).
local function alreadyMoved(recordKey, attempt, state)
  return rcall("HGET", recordKey, "state") == state and rcall("HGET", recordKey, "attemptsMade") == attempt
end
`;

/**
 * KEYS: record, tenant index, idempotency key (unused when ARGV[4] is "0"), sequence.
 * ARGV: base, id, createdAt, hasIdempotencyKey, then field/value pairs of the record.
 * Returns { id, deduplicated (0|1), record }.
 */
export const CREATE_SCRIPT = redisScript(`${HELPERS}
local base, id, createdAt = ARGV[1], ARGV[2], ARGV[3]
if ARGV[4] == "1" then
  local existing = rcall("GET", KEYS[3])
  if existing and rcall("EXISTS", base .. "job:" .. existing) == 1 then
    return { existing, 1, rcall("HGETALL", base .. "job:" .. existing) }
  end
end
local seq = rcall("INCR", KEYS[4])
rcall("HSET", KEYS[1], "seq", seq, "state", "waiting", "queuedAt", createdAt, unpack(ARGV, 5))
rcall("ZADD", KEYS[2], seq, id)
rcall("ZADD", base .. "state:waiting", createdAt, id)
if ARGV[4] == "1" then
  rcall("SET", KEYS[3], id)
  rcall("HSET", KEYS[1], "idemKey", KEYS[3])
end
-- Keep the tenant index from growing without bound: drop its oldest entries whose record expired.
local oldest = rcall("ZRANGE", KEYS[2], 0, 9)
for _, member in ipairs(oldest) do
  if rcall("EXISTS", base .. "job:" .. member) == 0 then rcall("ZREM", KEYS[2], member) end
end
publishUpdate(base, id)
return { id, 0, rcall("HGETALL", KEYS[1]) }
`);

/**
 * ARGV: base, id, now. Returns { "started", attempt, recovered (0|1), record } |
 * { "cancelled", record } | { "skipped", record? }.
 */
export const START_SCRIPT = redisScript(`${HELPERS}
local base, id, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local state = rcall("HGET", KEYS[1], "state")
if not state then return { "skipped" } end
if state ~= "waiting" and state ~= "active" then return { "skipped", rcall("HGETALL", KEYS[1]) } end
if state == "active" and rcall("HGET", KEYS[1], "cancelRequested") == "1" then
  finishJob(KEYS[1], base, id, "active", "cancelled", now)
  publishUpdate(base, id)
  return { "cancelled", rcall("HGETALL", KEYS[1]) }
end
local attempt = rcall("HINCRBY", KEYS[1], "attemptsMade", 1)
rcall("HSET", KEYS[1], "state", "active", "attemptStartedAt", now)
rcall("HSETNX", KEYS[1], "startedAt", now)
rcall("ZREM", base .. "state:waiting", id)
rcall("ZADD", base .. "state:active", now, id)
publishUpdate(base, id)
local recovered = 0
if state == "active" then recovered = 1 end
return { "started", attempt, recovered, rcall("HGETALL", KEYS[1]) }
`);

/** ARGV: base, id, attempt, progress. Returns 1 when recorded. */
export const PROGRESS_SCRIPT = redisScript(`${HELPERS}
if not holds(KEYS[1], ARGV[3]) then return 0 end
rcall("HSET", KEYS[1], "progress", ARGV[4])
publishUpdate(ARGV[1], ARGV[2])
return 1
`);

/**
 * ARGV: base, id, attempt, final state, now, result JSON or "", error JSON or "". Returns the
 * record, or nil when the attempt no longer holds the job. Idempotent for its attempt: a repeat
 * after the first call landed returns the record unchanged.
 */
export const FINISH_SCRIPT = redisScript(`${HELPERS}
local base, id = ARGV[1], ARGV[2]
if not holds(KEYS[1], ARGV[3]) then
  if alreadyMoved(KEYS[1], ARGV[3], ARGV[4]) then return rcall("HGETALL", KEYS[1]) end
  return false
end
if ARGV[6] ~= "" then rcall("HSET", KEYS[1], "result", ARGV[6]) end
if ARGV[7] ~= "" then rcall("HSET", KEYS[1], "error", ARGV[7]) end
if ARGV[4] == "completed" then rcall("HSET", KEYS[1], "progress", 100) end
finishJob(KEYS[1], base, id, "active", ARGV[4], tonumber(ARGV[5]))
publishUpdate(base, id)
return rcall("HGETALL", KEYS[1])
`);

/**
 * ARGV: base, id, attempt, readyAt, error JSON or "" (a failed attempt). Returns the record, or
 * nil when the attempt no longer holds the job. Idempotent for its attempt (see FINISH_SCRIPT).
 */
export const REQUEUE_SCRIPT = redisScript(`${HELPERS}
local base, id = ARGV[1], ARGV[2]
if not holds(KEYS[1], ARGV[3]) then
  if alreadyMoved(KEYS[1], ARGV[3], "waiting") and rcall("HGET", KEYS[1], "queuedAt") == ARGV[4] then
    return rcall("HGETALL", KEYS[1])
  end
  return false
end
rcall("HSET", KEYS[1], "state", "waiting", "queuedAt", ARGV[4])
if ARGV[5] ~= "" then
  rcall("HSET", KEYS[1], "error", ARGV[5])
  rcall("HINCRBY", KEYS[1], "failedAttempts", 1)
end
rcall("ZREM", base .. "state:active", id)
rcall("ZADD", base .. "state:waiting", ARGV[4], id)
publishUpdate(base, id)
return rcall("HGETALL", KEYS[1])
`);

/** ARGV: base, id, tenant, now. Returns { "missing" } | { "cancelled" | "requested" | "unchanged", record }. */
export const CANCEL_SCRIPT = redisScript(`${HELPERS}
local base, id = ARGV[1], ARGV[2]
if rcall("HGET", KEYS[1], "tenant") ~= ARGV[3] then return { "missing" } end
local state = rcall("HGET", KEYS[1], "state")
if state == "waiting" then
  finishJob(KEYS[1], base, id, "waiting", "cancelled", tonumber(ARGV[4]))
  publishUpdate(base, id)
  return { "cancelled", rcall("HGETALL", KEYS[1]) }
end
if state == "active" then
  rcall("HSET", KEYS[1], "cancelRequested", "1")
  rcall("PUBLISH", base .. "cancels", id)
  publishUpdate(base, id)
  return { "requested", rcall("HGETALL", KEYS[1]) }
end
return { "unchanged", rcall("HGETALL", KEYS[1]) }
`);

/** ARGV: base, id, field, value. Sets one field of an existing record (never creates one). Returns the record or nil. */
export const SET_FIELD_SCRIPT = redisScript(`${HELPERS}
if rcall("EXISTS", KEYS[1]) == 0 then return false end
rcall("HSET", KEYS[1], ARGV[3], ARGV[4])
publishUpdate(ARGV[1], ARGV[2])
return rcall("HGETALL", KEYS[1])
`);

/**
 * KEYS: tenant index. ARGV: base, max score ("+inf" or "(seq"), limit, state or "", scan budget. Walks the tenant's ids newest first, drops ids whose record
 * expired, and returns { records, next } where next is the sequence number to continue before
 * ("" when the index is exhausted).
 */
export const LIST_SCRIPT = redisScript(`${HELPERS}
local base, max, limit, wanted, budget = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local found, foundSeqs, scanned = {}, {}, 0
while scanned < budget do
  local members = rcall("ZREVRANGEBYSCORE", KEYS[1], max, "-inf", "WITHSCORES", "LIMIT", 0, 50)
  if #members == 0 then return { found, "" } end
  for index = 1, #members, 2 do
    local id, seq = members[index], members[index + 1]
    scanned = scanned + 1
    local recordKey = base .. "job:" .. id
    local state = rcall("HGET", recordKey, "state")
    if not state then
      rcall("ZREM", KEYS[1], id)
    elseif wanted == "" or state == wanted then
      if #found == limit then return { found, foundSeqs[#foundSeqs] } end
      table.insert(found, rcall("HGETALL", recordKey))
      table.insert(foundSeqs, seq)
    end
    max = "(" .. seq
    if scanned >= budget then break end
  end
end
return { found, string.sub(max, 2) }
`);
