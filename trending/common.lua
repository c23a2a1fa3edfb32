-- Shared head of record.lua and remove.lua (prepended when loaded): arguments, the score and
-- the decaying peak. Every key has the same hash tag; keys built here from the prefix passed by
-- keys.py are in the slot of KEYS.
local tag, author, status = ARGV[1], ARGV[2], ARGV[3]
local at_bucket, now, bucket = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local c = {}
for value in string.gmatch(ARGV[7], '%S+') do
  c[#c + 1] = tonumber(value)
end
local recent, baseline, bucket_s, min_accounts = c[1], c[2], c[3], c[4]
local half_life, min_expected, forget_below, rank_ttl = c[5], c[6], c[7], c[8]
local bucket_ttl, day_ttl, posts_prefix = ARGV[8], ARGV[9], ARGV[10]

local posts, counts, uses, day = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local last, meta, review = KEYS[5], KEYS[6], KEYS[10]
local ranks = {KEYS[7], KEYS[8], KEYS[9]} -- all, visible (not rejected), approved
local LN2 = math.log(2)
local u_field, a_field = 'u' .. at_bucket, 'a' .. at_bucket

-- Decrement a counter field, dropping it at zero.
local function hdecr(key, field)
  if redis.call('HINCRBY', key, field, -1) <= 0 then
    redis.call('HDEL', key, field)
    return 0
  end
  return 1
end

-- Poisson log-likelihood ratio of `observed` against `expected`, rises only.
local function surprise(observed, expected)
  if observed <= expected then
    return 0
  end
  return 2 * (observed * math.log(observed / expected) - (observed - expected))
end

-- Expected distinct authors in a recent window ending at bucket b: the baseline's
-- author-buckets scaled to the recent window's length.
local function expected_at(b)
  local fields = {}
  for i = b - recent - baseline + 1, b - recent do
    fields[#fields + 1] = 'a' .. i
  end
  local sum = 0
  for _, value in ipairs(redis.call('HMGET', counts, unpack(fields))) do
    sum = sum + (tonumber(value) or 0)
  end
  return math.max(sum * recent / baseline, min_expected)
end

-- Seconds until a peak has decayed below forget_below.
local function life(peak, peak_at)
  if peak <= forget_below then
    return 0
  end
  return math.ceil(peak_at + half_life * math.log(peak / forget_below) / LN2 - now)
end

-- Rank the tag by its peak in the sets its review state allows. The rank
-- log2(peak) + peak_at / half_life orders decayed peaks the same at any later time.
local function publish(peak, peak_at, tidy)
  local wanted = {false, false, false}
  if life(peak, peak_at) > 0 then
    local state = redis.call('HGET', review, tag)
    wanted = {true, state ~= 'rejected', state == 'approved'}
  end
  local rank = math.log(math.max(peak, forget_below)) / LN2 + peak_at / half_life
  local stale = '(' .. (math.log(forget_below) / LN2 + now / half_life)
  for i, key in ipairs(ranks) do
    if wanted[i] then
      -- a new member, or a new bucket: trim what has decayed and extend the set's life
      if redis.call('ZADD', key, rank, tag) == 1 or tidy then
        redis.call('ZREMRANGEBYSCORE', key, '-inf', stale)
        redis.call('EXPIRE', key, rank_ttl)
      end
    else
      redis.call('ZREM', key, tag)
    end
  end
end

-- Score the tag now; raise its peak if the score is above the decayed peak.
-- cache_ok: the baseline has not changed since `expected` was cached for this bucket.
-- tidy: trim and extend the rank sets even if the tag is already ranked.
local function refresh(cache_ok, tidy)
  local m = redis.call('HMGET', meta, 'peak', 'peak_at', 'eb', 'e')
  local peak, peak_at = tonumber(m[1]) or 0, tonumber(m[2]) or now
  local score, wrote = 0, false
  local observed = redis.call('ZCOUNT', last, bucket - recent + 1, bucket)
  if observed >= min_accounts then
    local e = tonumber(m[4])
    if not (cache_ok and e and tonumber(m[3]) == bucket) then
      e = expected_at(bucket)
      redis.call('HSET', meta, 'eb', bucket, 'e', e)
      wrote = true
    end
    score = surprise(observed, e)
  end
  if score > peak * 2 ^ ((peak_at - now) / half_life) then
    peak, peak_at = score, now
    redis.call('HSET', meta, 'peak', peak, 'peak_at', peak_at)
    wrote = true
    publish(peak, peak_at, tidy)
  end
  if wrote or tidy then
    redis.call('EXPIRE', meta, math.max(life(peak, peak_at), 2 * bucket_s))
  end
end
