-- Ranked tags with their counts in the recent window, in one round trip.
-- KEYS: the rank set to read, the rank set of all tags, review states.
-- ARGV: bucket, recent buckets, counts prefix, last prefix, lowest live rank, skip rejected
--       ('1': the tags that are not rejected, read from the set of all), offset, count, then
--       explicit tags (read instead of the ranking) if any.
local ranked, all, review = KEYS[1], KEYS[2], KEYS[3]
local bucket, recent = tonumber(ARGV[1]), tonumber(ARGV[2])
local counts_prefix, last_prefix, stale = ARGV[3], ARGV[4], ARGV[5]
local skip_rejected = ARGV[6] == '1'
local offset, count = tonumber(ARGV[7]), tonumber(ARGV[8])

local tags, ranks = {}, {}
if #ARGV > 8 then
  for i = 9, #ARGV do
    tags[#tags + 1] = ARGV[i]
    ranks[#ranks + 1] = redis.call('ZSCORE', all, ARGV[i]) or ''
  end
elseif not skip_rejected then
  local rows = redis.call('ZRANGE', ranked, '+inf', '(' .. stale, 'BYSCORE', 'REV',
    'LIMIT', offset, count, 'WITHSCORES')
  for i = 1, #rows, 2 do
    tags[#tags + 1] = rows[i]
    ranks[#ranks + 1] = rows[i + 1]
  end
else
  -- Rejected tags are few: read past them a page at a time.
  local page, from, passed = offset + count + 16, 0, 0
  while #tags < count do
    local rows = redis.call('ZRANGE', ranked, '+inf', '(' .. stale, 'BYSCORE', 'REV',
      'LIMIT', from, page, 'WITHSCORES')
    if #rows == 0 then
      break
    end
    local names = {}
    for i = 1, #rows, 2 do
      names[#names + 1] = rows[i]
    end
    local states = redis.call('HMGET', review, unpack(names))
    for j, name in ipairs(names) do
      if states[j] ~= 'rejected' then
        passed = passed + 1
        if passed > offset and #tags < count then
          tags[#tags + 1] = name
          ranks[#ranks + 1] = rows[2 * j]
        end
      end
    end
    from = from + page
  end
end

local fields = {}
for b = bucket - recent + 1, bucket do
  fields[#fields + 1] = 'u' .. b
end
local out = {}
for i, tag in ipairs(tags) do
  local used = 0
  for _, value in ipairs(redis.call('HMGET', counts_prefix .. tag, unpack(fields))) do
    used = used + (tonumber(value) or 0)
  end
  local accounts = redis.call('ZCOUNT', last_prefix .. tag, bucket - recent + 1, bucket)
  out[i] = {tag, ranks[i], used, accounts, redis.call('HGET', review, tag) or ''}
end
return out
