-- Store read markers in an account's markers hash, each unless the hash holds a newer version
-- of it: a reader's fill from rows loaded before a save never replaces what the save stored.
-- KEYS[1]: the hash. ARGV[1]: TTL in seconds; ARGV[2]: "1" when the markers given are every
-- marker the account has (a reader's fill: the hash is then complete); then per marker its
-- timeline, version and Marker JSON.
local key = KEYS[1]
for i = 3, #ARGV, 3 do
  local timeline, version = ARGV[i], tonumber(ARGV[i + 1])
  local held = tonumber(redis.call('HGET', key, timeline .. ':v') or '0')
  if version > held then
    redis.call('HSET', key, timeline, ARGV[i + 2], timeline .. ':v', version)
  end
end
if ARGV[2] == '1' then
  redis.call('HSET', key, 'complete', '1')
end
redis.call('EXPIRE', key, ARGV[1])
return 1
