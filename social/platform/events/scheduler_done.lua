-- A job ran: remove it, only while it still holds the claim it ran under (a job scheduled
-- again meanwhile, or taken over after its lease, has another score and stays); a record of
-- it having died before (then queued again by a rebuild) goes too.
-- KEYS[1] due set, KEYS[2] attempts hash, KEYS[3] dead hash; ARGV[1] key, ARGV[2] claim token.
if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) == tonumber(ARGV[2]) then
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('HDEL', KEYS[2], ARGV[1])
    redis.call('HDEL', KEYS[3], ARGV[1])
    return 1
end
return 0
