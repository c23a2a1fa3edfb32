-- Exact sliding log: one sorted set per limit, one member per unit of cost, scored by
-- the server time in microseconds. All limits must pass for the hit to count.
-- KEYS: one per limit. ARGV: cost, peek (0/1), then amount, window_ms per limit.
-- Returns {allowed, then per limit: remaining, reset_ms, retry_ms (-1: never)}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])
local peek = ARGV[2] == '1'
local allowed = 1
local counts = {}

for k = 1, #KEYS do
  local limit = tonumber(ARGV[1 + 2 * k])
  local w = tonumber(ARGV[2 + 2 * k]) * 1000
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - w)
  counts[k] = redis.call('ZCARD', KEYS[k])
  if cost > limit or counts[k] + cost > limit then
    allowed = 0
  end
end

local function expires_in_ms(key, index, w)
  local hit = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  if #hit == 0 then
    return 0
  end
  return math.max(0, math.ceil((tonumber(hit[2]) + w - now) / 1000))
end

local out = {allowed}
for k = 1, #KEYS do
  local limit = tonumber(ARGV[1 + 2 * k])
  local w = tonumber(ARGV[2 + 2 * k]) * 1000
  local count = counts[k]
  local retry = 0
  if cost > limit then
    retry = -1
  elseif count + cost > limit then
    -- the (count + cost - limit)-th oldest hit must leave the window first
    retry = expires_in_ms(KEYS[k], count + cost - limit - 1, w)
  end
  if allowed == 1 and not peek then
    -- count grows with every admitted hit at the same microsecond, so members stay unique
    for j = 1, cost do
      redis.call('ZADD', KEYS[k], now, string.format('%.0f:%d', now, count + j))
    end
    redis.call('PEXPIRE', KEYS[k], tonumber(ARGV[2 + 2 * k]))
    count = count + cost
  end
  out[#out + 1] = limit - count > 0 and limit - count or 0
  out[#out + 1] = expires_in_ms(KEYS[k], -1, w)
  out[#out + 1] = retry
end
return out
