-- Add an entry to a home feed if the feed is built (holds the sentinel member "0") or being
-- rebuilt (its rebuild lock exists: the rebuild's snapshot may predate this entry), then trim
-- it to the cap (rank 0 is the sentinel and stays).
-- KEYS[1]: feed, KEYS[2]: its rebuild lock (same hash tag).
-- ARGV: score (status id), member ("<status id>:<author id>"), cap.
if not redis.call('ZSCORE', KEYS[1], '0') and redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(tonumber(ARGV[3]) + 1))
return 1
