-- A status's fresh cached form after a vote (KEYS[1], ARGV[1] for ARGV[2] seconds), unless
-- the one cached already counts more votes (ARGV[3] is the new form's): a later vote's form,
-- stored first. A poll's votes only grow, so the count orders the forms.
local current = redis.call('GET', KEYS[1])
if current then
  local line_end = string.find(current, '\n', 1, true)
  if line_end then
    local ok, meta = pcall(cjson.decode, string.sub(current, 1, line_end - 1))
    if ok and type(meta) == 'table' and type(meta[4]) == 'table' then
      local cached = tonumber(meta[4]['votes_count'])
      if cached and cached > tonumber(ARGV[3]) then
        return 0
      end
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
