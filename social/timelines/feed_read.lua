-- Read a page of a home feed, if built (it holds the sentinel member "0"), and keep it alive.
-- KEYS[1]: feed, KEYS[2]: its hidden authors (same hash tag). ARGV: direction ("newest" or
-- "oldest" first), high bound, low bound, limit, ttl seconds, now (epoch s). Returns {0} when
-- the feed is not built, else {1, size, entries, ended}, entries as one JSON text,
-- [[status id, author id], ...]: one string for the client to parse in one go, not twenty to
-- split and convert one by one; ended 1 when a timed mute's guard has run out (what it kept
-- out is merged back after the response).
-- A home also passes KEYS[3], the large authors it merges (a hash, same hash tag), and in
-- ARGV[7], ARGV[8] the text before and after an author id in the name of their recent set
-- ('' under Redis Cluster, where those sets live in other slots and the client reads them).
-- With large authors the reply goes on: {..., large (flat hash), hidden (with scores), then,
-- when the script read them, the first 2 x limit of their members in the window, in order}.
if not redis.call('ZSCORE', KEYS[1], '0') then
  return {0}
end
local members
if ARGV[1] == 'oldest' then
  members = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], ARGV[2], 'LIMIT', 0, ARGV[4])
else
  members = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3], 'LIMIT', 0, ARGV[4])
end
local size = redis.call('ZCARD', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
local entries = {}
for i, member in ipairs(members) do
  entries[i] = '[' .. string.gsub(member, ':', ',', 1) .. ']'
end
local ended = 0
if #redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[6], 'LIMIT', 0, 1) > 0 then
  ended = 1
end
local reply = {1, size, '[' .. table.concat(entries, ',') .. ']', ended}
if not KEYS[3] then
  return reply
end
local large = redis.call('HGETALL', KEYS[3])
if #large == 0 then
  return reply
end
redis.call('EXPIRE', KEYS[3], ARGV[5])
reply[5] = large
reply[6] = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
if ARGV[7] and ARGV[7] ~= '' then
  -- the authors' members in the window (but those of hidden authors), the first `wanted` of
  -- them all in the page's order: room for what the client's rules leave out
  local wanted = 2 * tonumber(ARGV[4])
  local now = tonumber(ARGV[6])
  local lists, heads, at = {}, {}, {}
  for i = 1, #large, 2 do
    local until_s = redis.call('ZSCORE', KEYS[2], large[i])
    if not until_s or tonumber(until_s) <= now then
      local key = ARGV[7] .. large[i] .. ARGV[8]
      local got
      if ARGV[1] == 'oldest' then
        got = redis.call('ZRANGEBYSCORE', key, ARGV[3], ARGV[2], 'WITHSCORES', 'LIMIT', 0, wanted)
      else
        got = redis.call('ZREVRANGEBYSCORE', key, ARGV[2], ARGV[3], 'WITHSCORES', 'LIMIT', 0, wanted)
      end
      if #got > 0 then
        lists[#lists + 1] = got
        heads[#lists] = tonumber(got[2])
        at[#lists] = 1
      end
    end
  end
  -- each list is in the page's order already: merge them, taking the best head each time
  local oldest = ARGV[1] == 'oldest'
  local members = {}
  while #members < wanted do
    local best
    for k = 1, #lists do
      if heads[k] and (not best or (oldest and heads[k] < heads[best])
          or (not oldest and heads[k] > heads[best])) then
        best = k
      end
    end
    if not best then
      break
    end
    local list, pos = lists[best], at[best]
    members[#members + 1] = list[pos]
    pos = pos + 2
    at[best] = pos
    heads[best] = list[pos + 1] and tonumber(list[pos + 1]) or nil
  end
  reply[7] = members
end
return reply