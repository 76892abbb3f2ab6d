package limits

import "github.com/redis/go-redis/v9"

// takeScript decides a Take in one atomic step. For counter i, KEYS[2i-1]
// holds its state (a sorted set of admission times for a sliding window,
// an integer for a fixed window) and KEYS[2i] a sequence that makes
// sorted-set members unique. ARGV[1] is the time in milliseconds (0: the
// Redis server's clock); then four values per counter: fixed (0 or 1),
// limit, period or, for a fixed window (2: overdrawing), the milliseconds until it ends,
// and units to add. It returns, per counter, allowed (0 or 1), remaining
// and retry-after in milliseconds; counters are added only when all admit.
var takeScript = redis.NewScript(`
if redis.replicate_commands then pcall(redis.replicate_commands) end -- Redis < 5: TIME before writes
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local n = #KEYS / 2
local out = {}
local all = true
for i = 1, n do
  local key = KEYS[2 * i - 1]
  local a = 2 + (i - 1) * 4
  local fixed, limit, period, units = ARGV[a] ~= '0', tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local over = ARGV[a] == '2'
  local need = math.max(units, 1)
  local count, retry = 0, 0
  if fixed then
    count = tonumber(redis.call('GET', key) or '0')
    retry = period
  else
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
    count = redis.call('ZCARD', key)
    retry = period
    local k = count + need - limit - 1
    if need <= limit and k >= 0 and k < count then
      local first = redis.call('ZRANGE', key, k, k, 'WITHSCORES')
      retry = tonumber(first[2]) + period - now
    end
  end
  if over and count < limit then
    out[3 * i - 2], out[3 * i - 1], out[3 * i] = 1, math.max(limit - count - units, 0), 0
  elseif count + need > limit then
    all = false
    out[3 * i - 2], out[3 * i - 1], out[3 * i] = 0, math.max(limit - count, 0), retry
  else
    out[3 * i - 2], out[3 * i - 1], out[3 * i] = 1, limit - count - units, 0
  end
end
if not all then
  for i = 1, n do
    if out[3 * i - 2] == 1 then
      local a = 2 + (i - 1) * 4
      out[3 * i - 2], out[3 * i - 1] = 0, out[3 * i - 1] + tonumber(ARGV[a + 3])
    end
  end
  return out
end
for i = 1, n do
  local key, seq = KEYS[2 * i - 1], KEYS[2 * i]
  local a = 2 + (i - 1) * 4
  local fixed, period, units = ARGV[a] ~= '0', tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  if units > 0 then
    if fixed then
      redis.call('INCRBY', key, units)
      redis.call('PEXPIRE', key, period + 1000)
    else
      local last = redis.call('INCRBY', seq, units)
      for u = last - units + 1, last do
        redis.call('ZADD', key, now, u)
      end
      redis.call('PEXPIRE', key, period)
      redis.call('PEXPIRE', seq, period)
    end
  end
end
return out
`)
