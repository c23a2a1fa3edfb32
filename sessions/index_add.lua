-- Add a session to its user's index, ordered by creation on this key's server clock.
-- KEYS[1] user index (sorted set)
-- ARGV: member, ttl_ms (the index lives at least this long), max_per_user, replaced member|""
-- A replaced member (rotation) hands its place in the order to the new one.
-- Returns every member, oldest first, when the index holds more than max_per_user; else {}.
local key = KEYS[1]
local score = ARGV[4] ~= '' and redis.call('ZSCORE', key, ARGV[4])
if score then
  redis.call('ZREM', key, ARGV[4])
else
  local t = redis.call('TIME')
  score = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  -- strictly increasing, so that "oldest" is well defined within one millisecond
  if top[2] and tonumber(top[2]) >= score then score = tonumber(top[2]) + 1 end
end
redis.call('ZADD', key, score, ARGV[1])
if redis.call('PTTL', key) < tonumber(ARGV[2]) then redis.call('PEXPIRE', key, ARGV[2]) end
if redis.call('ZCARD', key) > tonumber(ARGV[3]) then return redis.call('ZRANGE', key, 0, -1) end
return {}
