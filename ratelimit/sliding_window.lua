-- Sliding-window counter: one hash per limit holding the current window's index `i`,
-- its count `c` and the previous window's count `p`. The estimate of use over the last
-- window is p * (unelapsed fraction) + c. All limits must pass for the hit to count.
-- KEYS: one per limit. ARGV: cost, peek (0/1), then amount, window_ms per limit.
-- Returns {allowed, then per limit: remaining, reset_ms, retry_ms (-1: never)}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local peek = ARGV[2] == '1'
local allowed = 1
local state = {}

for k = 1, #KEYS do
  local limit = tonumber(ARGV[1 + 2 * k])
  local w = tonumber(ARGV[2 + 2 * k])
  local idx = math.floor(now / w)
  local elapsed = now - idx * w
  local h = redis.call('HMGET', KEYS[k], 'i', 'c', 'p')
  local si, c, p = tonumber(h[1]), tonumber(h[2]) or 0, tonumber(h[3]) or 0
  if si == nil or si < idx - 1 then
    c, p = 0, 0
  elseif si == idx - 1 then
    p, c = c, 0
  end
  local used = p * (w - elapsed) / w + c
  if cost > limit or used + cost > limit then
    allowed = 0
  end
  state[k] = {limit, w, idx, elapsed, c, p, used}
end

local out = {allowed}
for k = 1, #KEYS do
  local limit, w, idx, elapsed, c, p, used = unpack(state[k])
  local retry = 0
  if cost > limit then
    retry = -1
  elseif used + cost > limit then
    local need = limit - cost
    if c <= need then
      retry = (w - elapsed) - (need - c) * w / p
    else
      retry = (w - elapsed) + w - need * w / c
    end
  end
  if allowed == 1 and not peek then
    c = c + cost
    used = used + cost
    redis.call('HSET', KEYS[k], 'i', idx, 'c', c, 'p', p)
    redis.call('PEXPIRE', KEYS[k], 2 * w - elapsed)
  end
  local reset = 0
  if c > 0 then
    reset = 2 * w - elapsed
  elseif p > 0 then
    reset = w - elapsed
  end
  out[#out + 1] = math.max(0, math.floor(limit - used))
  out[#out + 1] = reset
  out[#out + 1] = math.ceil(retry)
end
return out
