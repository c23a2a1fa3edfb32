-- Append one event to each channel's bounded history and publish it live, atomically, so the
-- live message and the history entry carry the same position. With ARGV[6] "1", only to the
-- channels watched: listened to now, or within the history's TTL (a resume may come). A
-- status's followers' channels go so: most of a large account's followers are not listening,
-- and a resume cannot ask for what it was never given a position before.
-- KEYS: pairs of history stream and its watched mark (`stream_watched`), one pair or many
-- (many in one call on one node, sparing the server a call and the payload's transfer each;
-- under Redis Cluster one a call); a stream's name is also its pub/sub channel.
-- ARGV: event, payload, maxlen, approximate ("1"/"0"), ttl_s, watched only ("1"/"0").
-- Returns how many took it.
local sent = 0
for i = 1, #KEYS, 2 do
  local key = KEYS[i]
  if ARGV[6] ~= "1" or redis.call("EXISTS", KEYS[i + 1]) == 1 then
    local id
    if ARGV[4] == "1" then
      id = redis.call("XADD", key, "MAXLEN", "~", ARGV[3], "*", "e", ARGV[1], "p", ARGV[2])
    else
      id = redis.call("XADD", key, "MAXLEN", ARGV[3], "*", "e", ARGV[1], "p", ARGV[2])
    end
    redis.call("EXPIRE", key, ARGV[5])
    redis.call("PUBLISH", key, id .. "\n" .. ARGV[1] .. "\n" .. ARGV[2])
    sent = sent + 1
  end
end
return sent
