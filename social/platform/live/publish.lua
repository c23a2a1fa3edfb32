-- Append one event to a channel's bounded history and publish it live, atomically, so the
-- live message and the history entry carry the same position.
-- KEYS[1] history stream; its name is also the pub/sub channel
-- ARGV: event, payload, maxlen, approximate ("1"/"0"), ttl_s
local id
if ARGV[4] == "1" then
  id = redis.call("XADD", KEYS[1], "MAXLEN", "~", ARGV[3], "*", "e", ARGV[1], "p", ARGV[2])
else
  id = redis.call("XADD", KEYS[1], "MAXLEN", ARGV[3], "*", "e", ARGV[1], "p", ARGV[2])
end
redis.call("EXPIRE", KEYS[1], ARGV[5])
redis.call("PUBLISH", KEYS[1], id .. "\n" .. ARGV[1] .. "\n" .. ARGV[2])
return id
