-- Add an entry to a home feed if the feed is built (holds the sentinel member "0") or being
-- rebuilt (its rebuild lock exists: the rebuild's snapshot may predate this entry), and its
-- author is not hidden from the feed's owner (a block or a mute written since the fan-out
-- chose its readers), then trim it to the cap (rank 0 is the sentinel and stays). A boost
-- stays out while its original, or an earlier boost of it, is among the newest `falloff`
-- entries (Mastodon's REBLOG_FALLOFF).
-- KEYS, four a feed, for one feed or many: the feed, its rebuild lock, its hidden authors, the
-- boosts it holds by original (the four with the same hash tag). Many feeds in one call (on one
-- node; under Redis Cluster one feed a call) spare the server a script call each.
-- ARGV: score (status id), member ("<status id>:<author id>"), cap, author id, now (epoch s);
-- for a boost also: the original's member, its author id, its id, falloff, ttl seconds.
-- Returns how many feeds took it.
local function add(feed, lock, hidden, reblogs)
  if not redis.call('ZSCORE', feed, '0') and redis.call('EXISTS', lock) == 0 then
    return 0
  end
  local now = tonumber(ARGV[5])
  local hidden_until = redis.call('ZSCORE', hidden, ARGV[4])
  if hidden_until and tonumber(hidden_until) > now then
    return 0
  end
  if ARGV[6] then
    hidden_until = redis.call('ZSCORE', hidden, ARGV[7])
    if hidden_until and tonumber(hidden_until) > now then
      return 0
    end
    local falloff = tonumber(ARGV[9])
    local rank = redis.call('ZREVRANK', feed, ARGV[6])
    if rank and rank < falloff then
      return 0
    end
    local earlier = redis.call('HGET', reblogs, ARGV[8])
    if earlier then
      rank = redis.call('ZREVRANK', feed, earlier)
      if rank and rank < falloff then
        return 0
      end
    end
    redis.call('HSET', reblogs, ARGV[8], ARGV[2])
    redis.call('EXPIRE', reblogs, ARGV[10])
  end
  redis.call('ZADD', feed, ARGV[1], ARGV[2])
  redis.call('ZREMRANGEBYRANK', feed, 1, -(tonumber(ARGV[3]) + 1))
  return 1
end
local added = 0
for i = 1, #KEYS, 4 do
  added = added + add(KEYS[i], KEYS[i + 1], KEYS[i + 2], KEYS[i + 3])
end
return added
