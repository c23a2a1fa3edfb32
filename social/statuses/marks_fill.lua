-- Fill a viewer's set of marked statuses (favourited, bookmarked, pinned) from rows a reader
-- loaded, unless a write to the set came since the reader took its token (the write deleted
-- the token: the rows may be older than the write).
-- KEYS[1]: the set; KEYS[2]: its fill token. ARGV[1]: the token; ARGV[2]: TTL in seconds;
-- then the members: the "complete" sentinel and the status ids.
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1], KEYS[2])
for i = 3, #ARGV, 1000 do
  redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
