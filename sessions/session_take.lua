-- Delete a session and return what it held: for revoke and rotate, so that two concurrent
-- calls cannot both take the same session.
-- KEYS[1] session key
-- ARGV: expected user_id, or "" for any owner (a mismatch leaves the key alone)
-- Returns the flat hash if the session was live, else false.
local key = KEYS[1]
local flat = redis.call('HGETALL', key)
if #flat == 0 then return false end
local s = {}
for i = 1, #flat, 2 do s[flat[i]] = flat[i + 1] end
if ARGV[1] ~= '' and s.user_id ~= ARGV[1] then return false end
redis.call('DEL', key)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expires, idle, last = tonumber(s.expires_ms), tonumber(s.idle_ms), tonumber(s.last_seen_ms)
if not (expires and idle and last) or now >= expires or now >= last + idle then return false end
return flat
