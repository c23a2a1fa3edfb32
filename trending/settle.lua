-- Score tags that gained recent authors since they were last scored (common.lua is prepended).
-- ARGV: now, the settings, the key base (as record.lua), then how many tags at most.
-- Returns how many were scored, and how many are left marked.
local popped = redis.call('SPOP', dirty, tonumber(ARGV[4]))
for _, name in ipairs(popped) do
  name_tag(name)
  refresh(true, false)
end
-- once a call rather than once a tag
for _, key in ipairs(ranks) do
  tidy_ranks(key)
end
return {#popped, redis.call('SCARD', dirty)}
