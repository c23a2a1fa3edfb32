-- Entries after a position, and the oldest entry still kept (to tell whether the history
-- still reaches back to that position).
-- KEYS[1] history stream; ARGV: after (exclusive), count
-- Returns {oldest entry id ("" when the history is gone), entries}.
local oldest = redis.call("XRANGE", KEYS[1], "-", "+", "COUNT", 1)
if #oldest == 0 then
  return {"", {}}
end
return {oldest[1][1], redis.call("XRANGE", KEYS[1], "(" .. ARGV[1], "+", "COUNT", ARGV[2])}
