-- Read a session, enforce idle and absolute expiry on the server clock, optionally touch it
-- and merge data fields into it.
-- KEYS[1] session key
-- ARGV: touch ("1" or "0"), data field/value...
-- Returns {now_ms, field, value, ...} (after the update), or false if there is no live session.
local key = KEYS[1]
local flat = redis.call('HGETALL', key)
if #flat == 0 then return false end
local s = {}
for i = 1, #flat, 2 do s[flat[i]] = flat[i + 1] end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expires, idle, last = tonumber(s.expires_ms), tonumber(s.idle_ms), tonumber(s.last_seen_ms)
if not (expires and idle and last) or now >= expires or now >= last + idle then
  redis.call('DEL', key)
  return false
end
if #ARGV > 1 then redis.call('HSET', key, unpack(ARGV, 2)) end
if ARGV[1] == '1' then
  redis.call('HSET', key, 'last_seen_ms', string.format('%d', now))
  redis.call('PEXPIRE', key, math.min(idle, expires - now))
end
if #ARGV > 1 or ARGV[1] == '1' then flat = redis.call('HGETALL', key) end
table.insert(flat, 1, now)
return flat
