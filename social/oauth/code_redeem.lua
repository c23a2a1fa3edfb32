-- Redeem an authorization code: the first call marks it used and returns its grant; a later
-- call returns what was issued from it (so that can be revoked: RFC 6749 section 4.1.2).
-- KEYS[1] the code's hash. Returns {0} (no such code), {1, field, value, ...} or {2, issued}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0}
end
if redis.call('HSETNX', KEYS[1], 'used', '1') == 0 then
  return {2, redis.call('HGET', KEYS[1], 'issued') or ''}
end
local grant = redis.call('HGETALL', KEYS[1])
table.insert(grant, 1, 1)
return grant
