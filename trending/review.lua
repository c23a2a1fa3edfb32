-- Set a tag's review state and move its rank in or out of the approved set.
-- KEYS: review states, all, approved. ARGV: tag, state.
-- Only approved tags are ever in the approved set (the record and remove scripts rely on it):
-- any other state takes the tag out, ranked or not.
local review, all, approved = KEYS[1], KEYS[2], KEYS[3]
local tag, state = ARGV[1], ARGV[2]
if state == 'pending' then
  redis.call('HDEL', review, tag)
else
  redis.call('HSET', review, tag, state)
end
if state ~= 'approved' then
  redis.call('ZREM', approved, tag)
  return 1
end
local rank = redis.call('ZSCORE', all, tag)
if not rank then
  return 0
end
redis.call('ZADD', approved, rank, tag)
local ttl = redis.call('PTTL', all)
if ttl > 0 then
  redis.call('PEXPIRE', approved, ttl, 'NX')
  redis.call('PEXPIRE', approved, ttl, 'GT')
end
return 1
