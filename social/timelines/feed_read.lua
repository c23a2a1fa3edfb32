-- Read a page of a home feed, if built (it holds the sentinel member "0"), and keep it alive.
-- KEYS[1]: feed. ARGV: direction ("newest" or "oldest" first), high bound, low bound, limit,
-- ttl seconds. Returns {0} when the feed is not built, else {1, size, entries}, entries as
-- one JSON text, [[status id, author id], ...]: one string for the client to parse in one go,
-- not twenty to split and convert one by one.
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
return {1, size, '[' .. table.concat(entries, ',') .. ']'}
