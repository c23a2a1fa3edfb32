-- After a write committed: a status marked (ARGV[1] "1") or unmarked ("0"), ARGV[2] its id, in
-- the viewer's set KEYS[1] if there is one (never a set that lacks the rest), and any fill
-- under way (its token KEYS[2]) given up, since it may have read rows older than the write.
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 1 then
  if ARGV[1] == '1' then
    redis.call('SADD', KEYS[1], ARGV[2])
  else
    redis.call('SREM', KEYS[1], ARGV[2])
  end
end
return 1
