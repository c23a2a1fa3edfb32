-- Count one use of a tag (common.lua is prepended). Returns 1, or 0 for a status already counted.
if redis.call('HSETNX', posts, 's:' .. status, author) == 0 then
  return 0
end
if redis.call('HINCRBY', posts, 'a:' .. author, 1) == 1 then
  redis.call('HINCRBY', counts, a_field, 1)
end
-- the tag's first use in this bucket: set expiries and trim, once a bucket rather than a use
local first = redis.call('HINCRBY', counts, u_field, 1) == 1
redis.call('ZINCRBY', uses, 1, tag)
redis.call('HINCRBY', day, 'a:' .. author, 1)
if redis.call('HINCRBY', day, 'uses', 1) == 1 then
  redis.call('EXPIRE', day, day_ttl)
end
if first then
  redis.call('EXPIRE', posts, bucket_ttl)
  redis.call('EXPIRE', uses, bucket_ttl)
  redis.call('EXPIRE', counts, (recent + baseline + 1) * bucket_s)
  -- two fields a bucket; drop those of buckets past the windows now and then
  if redis.call('HLEN', counts) > 4 * (recent + baseline + 1) then
    local oldest = bucket - recent - baseline
    for _, field in ipairs(redis.call('HKEYS', counts)) do
      if tonumber(string.sub(field, 2)) < oldest then
        redis.call('HDEL', counts, field)
      end
    end
  end
end

if at_bucket > bucket - recent then
  if redis.call('ZADD', last, 'GT', at_bucket, author) == 1 or first then
    redis.call('ZREMRANGEBYSCORE', last, '-inf', bucket - recent)
    redis.call('EXPIRE', last, (recent + 1) * bucket_s)
  end
  refresh(true, first)
else
  -- a late use in the baseline: the score can only fall, the cached expectation is stale
  redis.call('HDEL', meta, 'eb', 'e')
end
return 1
