-- KEYS[1] lock, ARGV[1] token, ARGV[2] ttl ms: extend the lock only while we still hold it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
