-- Count uses of tags (common.lua is prepended). Returns how many were new: a status already
-- counted for a tag, or older than the windows, counts nothing.
-- Per use: the status (deduplication) and its author, in the bucket and in the day. Summed
-- over the call and written once: a bucket's and a day's counters, a tag's recent authors and
-- its score. Within one call the clock stands still and counts only grow, so scoring a tag
-- once, after all its uses, gives the highest score it reaches in the call.
local counted = 0
local buckets, days, tags = {}, {}, {} -- what the call adds, by key or tag
local bucket_order, day_order, tag_order = {}, {}, {}

-- What the call adds under `name`: the first use's argument index, and counts.
local function entry(map, order, name, i)
  local e = map[name]
  if not e then
    e = {i = i, n = 0, authors = 0, members = 0}
    map[name] = e
    order[#order + 1] = name
  end
  return e
end

for i = 4, #ARGV, PER_USE do
  if use(i) and redis.call('HSETNX', posts, 's:' .. status, author) == 1 then
    counted = counted + 1
    local b = entry(buckets, bucket_order, posts, i)
    b.n = b.n + 1
    if redis.call('HINCRBY', posts, 'a:' .. author, 1) == 1 then
      b.authors = b.authors + 1
    end
    redis.call('HINCRBY', day, 'a:' .. author, 1)
    local d = entry(days, day_order, day, i)
    d.n = d.n + 1
    local t = entry(tags, tag_order, tag, i)
    if at_bucket > bucket - recent then
      t.last = t.last or {}
      local seen = t.last[author]
      if not seen then
        t.members = t.members + 1
      end
      if not seen or at_bucket > seen then
        t.last[author] = at_bucket
      end
    else
      t.late = true -- in the baseline: the cached expectation is stale
    end
  end
end

for _, name in ipairs(bucket_order) do
  local b = buckets[name]
  use(b.i)
  if b.authors > 0 then
    redis.call('HINCRBY', counts, a_field, b.authors)
  end
  -- the tag's first uses in this bucket: set expiries and trim, once a bucket
  if redis.call('HINCRBY', counts, u_field, b.n) == b.n then
    tags[tag].tidy = true
    redis.call('EXPIRE', posts, bucket_ttl())
    redis.call('EXPIRE', counts, kept * bucket_s)
    -- two fields a bucket; drop those of buckets past the windows now and then
    if redis.call('HLEN', counts) > 4 * kept then
      local oldest = bucket - recent - baseline
      for _, field in ipairs(redis.call('HKEYS', counts)) do
        if tonumber(string.sub(field, 2)) < oldest then
          redis.call('HDEL', counts, field)
        end
      end
    end
  end
end

for _, name in ipairs(day_order) do
  local d = days[name]
  use(d.i)
  if redis.call('HINCRBY', day, 'uses', d.n) == d.n then
    redis.call('EXPIRE', day, day_ttl())
  end
end

local rising = {} -- tags with new recent authors: their score may have risen
for _, name in ipairs(tag_order) do
  local t = tags[name]
  use(t.i)
  if t.late then
    redis.call('HDEL', meta, 'eb', 'e')
  end
  if t.members > 0 then
    -- each author's newest bucket in the recent window
    local pairs_ = {}
    for who, b in pairs(t.last) do
      pairs_[#pairs_ + 1] = b
      pairs_[#pairs_ + 1] = who
    end
    redis.call('ZADD', last, 'GT', unpack(pairs_))
    -- Once a bucket (the tag's first use in it): drop authors past the recent window and
    -- extend the set's life past that bucket's. Every later use of a bucket still recent
    -- finds the set alive: it was extended when the bucket got its first use.
    if t.tidy then
      redis.call('ZREMRANGEBYSCORE', last, '-inf', bucket - recent)
      redis.call('EXPIRE', last, (recent + 1) * bucket_s)
    end
    rising[#rising + 1] = tag
  end
end
-- Scored by `settle` (settle.lua), once however many calls used a tag in between.
if #rising > 0 then
  redis.call('SADD', dirty, unpack(rising))
  redis.call('EXPIRE', dirty, rank_ttl)
end
return counted
