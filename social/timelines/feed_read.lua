-- Read a page of a home feed, if built (it holds the sentinel member "0"), and keep it alive.
-- KEYS[1]: feed, KEYS[2]: its hidden authors (same hash tag). ARGV: direction ("newest" or
-- "oldest" first), high bound, low bound, limit, ttl seconds, now (epoch s). Returns {0} when
-- the feed is not built, else {1, size, entries, ended}, entries as one JSON text,
-- [[status id, author id], ...]: one string for the client to parse in one go, not twenty to
-- split and convert one by one; ended 1 when a timed mute's guard has run out (what it kept
-- out is merged back after the response).
if not redis.call('ZSCORE', KEYS[1], '0') then
  return {0}
end
local members
if ARGV[1] == 'oldest' then
  members = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], ARGV[2], 'LIMIT', 0, ARGV[4])
else
  members = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3], 'LIMIT', 0, ARGV[4])
end
local size = redis.call('ZCARD', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
local entries = {}
for i, member in ipairs(members) do
  entries[i] = '[' .. string.gsub(member, ':', ',', 1) .. ']'
end
local ended = 0
if #redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[6], 'LIMIT', 0, 1) > 0 then
  ended = 1
end
return {1, size, '[' .. table.concat(entries, ',') .. ']', ended}
