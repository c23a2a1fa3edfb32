-- Add an entry to a home feed if the feed is built (holds the sentinel member "0") or being
-- rebuilt (its rebuild lock exists: the rebuild's snapshot may predate this entry), and its
-- author is not hidden from the feed's owner (a block or a mute written since the fan-out
-- chose its readers), then trim it to the cap (rank 0 is the sentinel and stays).
-- KEYS[1]: feed, KEYS[2]: its rebuild lock, KEYS[3]: its hidden authors (same hash tag).
-- ARGV: score (status id), member ("<status id>:<author id>"), cap, author id, now (epoch s).
if not redis.call('ZSCORE', KEYS[1], '0') and redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
local hidden_until = redis.call('ZSCORE', KEYS[3], ARGV[4])
if hidden_until and tonumber(hidden_until) > tonumber(ARGV[5]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(tonumber(ARGV[3]) + 1))
return 1
