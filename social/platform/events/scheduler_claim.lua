-- Claim the due jobs: each one's score becomes now + lease, which is also the claim's token,
-- so a runner that dies loses it when the lease ends. On the server's clock.
-- KEYS[1] the built marker, then per kind: due set, attempts hash, dead hash.
-- ARGV[1] lease ms, ARGV[2] most jobs to claim, ARGV[3] most attempts per job.
-- Returns {now ms, earliest score left (-1: none), built (0/1), claim token,
--          kind index (1-based), key, attempt, kind index, key, attempt, ...}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local max_attempts = tonumber(ARGV[3])
local token = now + lease
local claimed = {}
local earliest = -1
for i = 2, #KEYS, 3 do
    local due, attempts, dead = KEYS[i], KEYS[i + 1], KEYS[i + 2]
    local kind = (i + 1) / 3
    if limit > 0 then
        local keys = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit)
        for _, key in ipairs(keys) do
            local n = redis.call('HINCRBY', attempts, key, 1)
            if n > max_attempts then
                -- its last attempt's lease ran out without an answer: the runner died
                redis.call('ZREM', due, key)
                redis.call('HDEL', attempts, key)
                redis.call('HSET', dead, key, cjson.encode(
                    {attempts = n - 1, error = 'lease expired (the runner died or stalled)', at_ms = now}))
            else
                redis.call('ZADD', due, token, key)
                claimed[#claimed + 1] = kind
                claimed[#claimed + 1] = key
                claimed[#claimed + 1] = n
                limit = limit - 1
            end
        end
    end
    local first = redis.call('ZRANGE', due, 0, 0, 'WITHSCORES')
    if first[2] then
        local score = tonumber(first[2])
        if earliest < 0 or score < earliest then
            earliest = score
        end
    end
end
local reply = {now, earliest, redis.call('EXISTS', KEYS[1]), token}
for _, v in ipairs(claimed) do
    reply[#reply + 1] = v
end
return reply
