-- Add an entry to a home feed if the feed is built (holds the sentinel member "0") or being
-- rebuilt (its rebuild lock exists: the rebuild's snapshot may predate this entry), and its
-- author is not hidden from the feed's owner (a block or a mute written since the fan-out
-- chose its readers), then trim it to the cap (rank 0 is the sentinel and stays). A boost
-- stays out while its original, or an earlier boost of it, is among the newest `falloff`
-- entries (Mastodon's REBLOG_FALLOFF).
-- KEYS[1]: feed, KEYS[2]: its rebuild lock, KEYS[3]: its hidden authors, KEYS[4]: the boosts
-- it holds by original (all with the same hash tag).
-- ARGV: score (status id), member ("<status id>:<author id>"), cap, author id, now (epoch s);
-- for a boost also: the original's member, its author id, its id, falloff, ttl seconds.
if not redis.call('ZSCORE', KEYS[1], '0') and redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
local now = tonumber(ARGV[5])
local hidden_until = redis.call('ZSCORE', KEYS[3], ARGV[4])
if hidden_until and tonumber(hidden_until) > now then
  return 0
end
if ARGV[6] then
  hidden_until = redis.call('ZSCORE', KEYS[3], ARGV[7])
  if hidden_until and tonumber(hidden_until) > now then
    return 0
  end
  local falloff = tonumber(ARGV[9])
  local rank = redis.call('ZREVRANK', KEYS[1], ARGV[6])
  if rank and rank < falloff then
    return 0
  end
  local earlier = redis.call('HGET', KEYS[4], ARGV[8])
  if earlier then
    rank = redis.call('ZREVRANK', KEYS[1], earlier)
    if rank and rank < falloff then
      return 0
    end
  end
  redis.call('HSET', KEYS[4], ARGV[8], ARGV[2])
  redis.call('EXPIRE', KEYS[4], ARGV[10])
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(tonumber(ARGV[3]) + 1))
return 1
