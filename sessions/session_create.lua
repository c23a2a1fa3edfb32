-- Create a session hash; never overwrites an existing key.
-- KEYS[1] session key
-- ARGV: user_id, id, idle_ms, absolute_ms, created_ms|"", expires_ms|"", data field/value...
-- Returns {now_ms, created_ms, expires_ms}, or false (key exists, or already past expiry).
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then return false end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local idle = tonumber(ARGV[3])
local created = tonumber(ARGV[5]) or now
local expires = tonumber(ARGV[6]) or (now + tonumber(ARGV[4]))
if expires <= now then return false end
local fields = {
  'user_id', ARGV[1], 'id', ARGV[2],
  'created_ms', string.format('%d', created), 'last_seen_ms', string.format('%d', now),
  'expires_ms', string.format('%d', expires), 'idle_ms', string.format('%d', idle),
}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', key, unpack(fields))
redis.call('PEXPIRE', key, math.min(idle, expires - now))
return {now, created, expires}
