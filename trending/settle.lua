-- Score tags that gained recent authors since they were last scored (common.lua is prepended).
-- ARGV: now, the settings, the key base (as record.lua), then how many tags at most.
-- Returns how many were scored, and how many are left marked.
local popped = redis.call('SPOP', dirty, tonumber(ARGV[4]))
for _, name in ipairs(popped) do
  name_tag(name)
  refresh(true, false)
end
-- once a call rather than once a tag: drop decayed ranks, extend the sets' life
local stale = '(' .. (math.log(forget_below) / LN2 + now / half_life)
for _, key in ipairs(ranks) do
  if redis.call('ZREMRANGEBYSCORE', key, '-inf', stale) >= 0 then
    redis.call('EXPIRE', key, rank_ttl)
  end
end
return {#popped, redis.call('SCARD', dirty)}
