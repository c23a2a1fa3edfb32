-- Entries after a position, and what tells whether the history still reaches back to it.
-- KEYS[1] history stream; ARGV: after (exclusive), count
-- Returns {first entry id ("" when the history is gone), 1 if entries were ever trimmed, entries}.
if redis.call("EXISTS", KEYS[1]) == 0 then
  return {"", 0, {}}
end
local info = redis.call("XINFO", "STREAM", KEYS[1])
local field = {}
for i = 1, #info, 2 do
  field[info[i]] = info[i + 1]
end
local first = "0-0"
if type(field["first-entry"]) == "table" then
  first = field["first-entry"][1]
end
local trimmed = 0
if field["entries-added"] > field["length"] then
  trimmed = 1
end
return {first, trimmed, redis.call("XRANGE", KEYS[1], "(" .. ARGV[1], "+", "COUNT", ARGV[2])}
