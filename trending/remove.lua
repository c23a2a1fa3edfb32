-- Take back uses of tags (common.lua is prepended): statuses deleted. Returns how many had
-- been counted. Each use is taken back and its tag rescored in turn (deletions are rare).

-- Distinct authors in the recent window ending at bucket b, from the buckets themselves.
local function authors_at(b)
  local seen, n = {}, 0
  for i = b - recent + 1, b do
    for _, field in ipairs(redis.call('HKEYS', posts_prefix .. i)) do
      if string.sub(field, 1, 2) == 'a:' and not seen[field] then
        seen[field] = true
        n = n + 1
      end
    end
  end
  return n
end

-- Take back the use at hand; false if it was not counted.
local function take_back()
  local recorded = redis.call('HGET', posts, 's:' .. status)
  if not recorded then
    return false
  end
  author = recorded
  redis.call('HDEL', posts, 's:' .. status)
  local left = hdecr(posts, 'a:' .. author)
  if left == 0 then
    hdecr(counts, a_field)
  end
  hdecr(counts, u_field)
  hdecr(day, 'a:' .. author)
  hdecr(day, 'uses')

  -- the author's last use in the recent window moves back to their previous one, if any
  if left == 0 and tonumber(redis.call('ZSCORE', last, author)) == at_bucket then
    local previous
    for i = at_bucket - 1, bucket - recent + 1, -1 do
      if redis.call('HEXISTS', posts_prefix .. i, 'a:' .. author) == 1 then
        previous = i
        break
      end
    end
    if previous then
      redis.call('ZADD', last, 'XX', previous, author)
    else
      redis.call('ZREM', last, author)
    end
  end

  -- A peak built on the removed use is lowered to what the remaining uses score at its time
  -- (while the peak's buckets are kept; older peaks have decayed by `baseline` buckets).
  redis.call('HDEL', meta, 'eb', 'e')
  local m = redis.call('HMGET', meta, 'peak', 'peak_at')
  local peak, peak_at = tonumber(m[1]) or 0, tonumber(m[2]) or now
  local peak_bucket = math.floor(peak_at / bucket_s)
  if peak > 0 and at_bucket > peak_bucket - recent and at_bucket <= peak_bucket
      and bucket - peak_bucket <= baseline then
    local observed, again = authors_at(peak_bucket), 0
    if observed >= min_accounts then
      again = surprise(observed, expected_at(peak_bucket))
    end
    if again < peak then
      redis.call('HSET', meta, 'peak', again)
      publish(again, peak_at, true)
    end
  end
  refresh(false, true)
  return true
end

local removed = 0
for i = 4, #ARGV, PER_USE do
  if use(i) and take_back() then
    removed = removed + 1
  end
end
return removed
