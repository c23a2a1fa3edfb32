-- Append one event to each channel's bounded history and publish it live, atomically, so the
-- live message and the history entry carry the same position.
-- KEYS: history streams, one or many (many in one call on one node, sparing the server a
-- call and the payload's transfer each; under Redis Cluster one a call); a stream's name is
-- also its pub/sub channel.
-- ARGV: event, payload, maxlen, approximate ("1"/"0"), ttl_s. Returns the positions.
local ids = {}
for i, key in ipairs(KEYS) do
  local id
  if ARGV[4] == "1" then
    id = redis.call("XADD", key, "MAXLEN", "~", ARGV[3], "*", "e", ARGV[1], "p", ARGV[2])
  else
    id = redis.call("XADD", key, "MAXLEN", ARGV[3], "*", "e", ARGV[1], "p", ARGV[2])
  end
  redis.call("EXPIRE", key, ARGV[5])
  redis.call("PUBLISH", key, id .. "\n" .. ARGV[1] .. "\n" .. ARGV[2])
  ids[i] = id
end
return ids
