-- A job failed: while it still holds the claim it ran under, run it again after a backoff
-- (base * 2^(attempt-1), capped), or after its last attempt record it as dead.
-- KEYS[1] due set, KEYS[2] attempts hash, KEYS[3] dead hash.
-- ARGV[1] key, ARGV[2] claim token, ARGV[3] most attempts, ARGV[4] base ms, ARGV[5] cap ms,
-- ARGV[6] the error. Returns 0 (claim lost), 1 (retried) or 2 (dead).
if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) ~= tonumber(ARGV[2]) then
    return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '1')
if n >= tonumber(ARGV[3]) then
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('HDEL', KEYS[2], ARGV[1])
    redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({attempts = n, error = ARGV[6], at_ms = now}))
    return 2
end
local delay = math.min(tonumber(ARGV[4]) * 2 ^ (n - 1), tonumber(ARGV[5]))
redis.call('ZADD', KEYS[1], now + math.floor(delay), ARGV[1])
return 1
