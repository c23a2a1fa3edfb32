-- Store an account's compiled filters unless they were written since the reader began.
-- KEYS[1]: the blob; KEYS[2]: the version counter (same hash tag). ARGV[1]: the version the
-- reader saw before loading from the database ("" for none); ARGV[2]: the blob; ARGV[3]: TTL s.
local now = redis.call('GET', KEYS[2]) or ''
if now ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
