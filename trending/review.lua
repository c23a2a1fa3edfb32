-- Set a tag's review state and move its rank between the public score sets.
-- KEYS: review states, all, visible (not rejected), approved. ARGV: tag, state.
local review, all, visible, approved = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local tag, state = ARGV[1], ARGV[2]
if state == 'pending' then
  redis.call('HDEL', review, tag)
else
  redis.call('HSET', review, tag, state)
end
local rank = redis.call('ZSCORE', all, tag)
if not rank then
  return 0
end
local ttl = redis.call('PTTL', all)
local function place(key, wanted)
  if wanted then
    redis.call('ZADD', key, rank, tag)
    if ttl > 0 then
      redis.call('PEXPIRE', key, ttl, 'NX')
      redis.call('PEXPIRE', key, ttl, 'GT')
    end
  else
    redis.call('ZREM', key, tag)
  end
end
place(visible, state ~= 'rejected')
place(approved, state == 'approved')
return 1
