-- Shared head of record.lua and remove.lua (prepended when loaded): arguments, key names, the
-- score and the decaying peak.
-- KEYS: the rank sets (all, approved), review states, tags to score.
-- ARGV: now, the settings (space separated), the key base (`<prefix>{trend}:`), then five
--       arguments a use: tag (normalised), author, status, its bucket, its day (both numbers
--       of buckets and days since the epoch: the caller's strings make the names, Lua's own
--       number formatting is slow).
-- Every key shares the hash tag of KEYS; names built here follow keys.py and stay in its slot.
local now = tonumber(ARGV[1])
local c = {}
for value in string.gmatch(ARGV[2], '%S+') do
  c[#c + 1] = tonumber(value)
end
local recent, baseline, bucket_s, min_accounts = c[1], c[2], c[3], c[4]
local half_life, min_expected, forget_below, rank_ttl = c[5], c[6], c[7], c[8]
local history_days = c[9]
local base = ARGV[3]
local ranks = {KEYS[1], KEYS[2]}
local review = KEYS[3]
local dirty = KEYS[4]
local DAY_S = 86400
local LN2 = math.log(2)
local bucket = math.floor(now / bucket_s)
local kept = recent + baseline + 1
local PER_USE = 5

-- The use at hand, set by use(i) from the arguments starting at ARGV[i].
local tag, author, status, at_bucket, day_n, posts_prefix, posts, counts, day, last, meta
local u_field, a_field

-- Seconds from now until `at`, at least one (relative to the caller's clock).
local function ttl(at)
  return math.max(1, math.ceil(at - now))
end

-- Point the tag's names above at `name`.
local function name_tag(name)
  tag = name
  counts = base .. 'counts:' .. tag
  last = base .. 'last:' .. tag
  meta = base .. 'meta:' .. tag
end

-- Point the names above at the use whose arguments start at ARGV[i]. False for a use older
-- than the windows (nothing to count or take back). A use from the future (clocks apart) is
-- counted in its own bucket, and scored once that bucket is due.
local function use(i)
  author, status = ARGV[i + 1], ARGV[i + 2]
  name_tag(ARGV[i])
  local b = ARGV[i + 3]
  at_bucket, day_n = tonumber(b), tonumber(ARGV[i + 4])
  if at_bucket <= bucket - kept + 1 then
    return false
  end
  posts_prefix = base .. 'posts:' .. tag .. ':'
  posts = posts_prefix .. b
  day = base .. 'day:' .. tag .. ':' .. ARGV[i + 4]
  u_field, a_field = 'u' .. b, 'a' .. b
  return true
end

-- Expiries of the use's bucket and day keys, as seconds from now.
local function bucket_ttl()
  return ttl((at_bucket + kept) * bucket_s)
end

local function day_ttl()
  return ttl((day_n + history_days + 1) * DAY_S)
end

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
-- author-buckets scaled to the recent window's length. The hash holds only the buckets the tag
-- was used in (most tags: a few), so it is read whole rather than asked for every bucket.
local function expected_at(b)
  local first, last_b = b - recent - baseline + 1, b - recent
  local sum = 0
  local flat = redis.call('HGETALL', counts)
  for i = 1, #flat, 2 do
    local field = flat[i]
    if string.byte(field, 1) == 97 then -- 'a<bucket>'
      local n = tonumber(string.sub(field, 2))
      if n >= first and n <= last_b then
        sum = sum + tonumber(flat[i + 1])
      end
    end
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

-- Drop decayed ranks from a rank set and extend its life.
local function tidy_ranks(key)
  local stale = '(' .. (math.log(forget_below) / LN2 + now / half_life)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', stale)
  redis.call('EXPIRE', key, rank_ttl)
end

-- Rank the tag by its peak in the sets its review state allows. The rank
-- log2(peak) + peak_at / half_life orders decayed peaks the same at any later time.
-- A tag that is not approved is never in the approved set (review.lua takes it out when its
-- state changes): a live peak only adds, a peak that has decayed away leaves both sets.
local function publish(peak, peak_at, tidy)
  local wanted = {false, false}
  if life(peak, peak_at) > 0 then
    wanted = {true, redis.call('HGET', review, tag) == 'approved' or nil}
  end
  local rank = math.log(math.max(peak, forget_below)) / LN2 + peak_at / half_life
  for i, key in ipairs(ranks) do
    if wanted[i] then
      -- a new member, or a new bucket: trim what has decayed and extend the set's life
      if redis.call('ZADD', key, rank, tag) == 1 or tidy then
        tidy_ranks(key)
      end
    elseif wanted[i] == false then
      redis.call('ZREM', key, tag)
    end
  end
end

-- Score the tag now; raise its peak if the score is above the decayed peak.
-- cache_ok: the baseline has not changed since `expected` was cached for this bucket.
-- tidy: trim and extend the rank sets even if the tag is already ranked.
local function refresh(cache_ok, tidy)
  local observed = redis.call('ZCOUNT', last, bucket - recent + 1, bucket)
  if observed < min_accounts then
    return -- a score of 0 raises no peak: most tags, most of the time
  end
  local m = redis.call('HMGET', meta, 'peak', 'peak_at', 'eb', 'e')
  local peak, peak_at = tonumber(m[1]) or 0, tonumber(m[2]) or now
  local e, wrote = tonumber(m[4]), false
  if not (cache_ok and e and tonumber(m[3]) == bucket) then
    e = expected_at(bucket)
    redis.call('HSET', meta, 'eb', bucket, 'e', e)
    wrote = true
  end
  local score = surprise(observed, e)
  if score > peak * 2 ^ ((peak_at - now) / half_life) then
    peak, peak_at = score, now
    redis.call('HSET', meta, 'peak', peak, 'peak_at', peak_at)
    wrote = true
    publish(peak, peak_at, tidy)
  end
  if wrote then -- the peak's life, at least long enough for the cached expectation
    redis.call('EXPIRE', meta, math.max(life(peak, peak_at), 2 * bucket_s))
  end
end
