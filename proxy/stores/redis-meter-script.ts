// The Lua scripts of RedisMeter. DECIDE runs once per request and is the whole decision:
// atomic, one round trip, all-or-nothing, with the Redis server's clock (TIME) so proxies with
// skewed clocks agree. Arithmetic as token-bucket.ts (millionths of a token, microseconds);
// quota periods as quota-period.ts (UTC calendar, epoch days). Every key written gets an expiry.
//
// Keys (one metering domain D, so one hash slot): tg:{D}:b:<bucket> is a hash {tk, ts};
// tg:{D}:q:<quota> a hash {p = period start (epoch day), u = used}; tg:{D}:u:<quota> a hash of
// daily usage {u<day> = used, r<day> = remaining after the day's last request or adjustment}.

const PRELUDE = `
local UNIT = 1000000
local DAY_MS = 86400000
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1]) * 1000
local now_ms = math.floor(now_us / 1000)
local today = math.floor(now_ms / DAY_MS)

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m > 2) and (m - 3) or (m + 9)
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = (mp < 10) and (mp + 3) or (mp - 9)
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m
end

-- [start, end) of the quota period containing epoch day 'day', in epoch days.
local function period_days(day, period)
  if period == 'DAY' then return day, day + 1 end
  if period == 'WEEK' then
    local s = day - ((day + 4) % 7)
    return s, s + 7
  end
  local y, m = civil_from_days(day)
  local s = days_from_civil(y, m, 1)
  if m == 12 then y, m = y + 1, 1 else m = m + 1 end
  return s, days_from_civil(y, m, 1)
end

-- Record a day's usage; the first write of a day drops days older than the retention.
local function record_day(ukey, used, remaining, retention)
  local n = redis.call('HINCRBY', ukey, 'u' .. today, used)
  redis.call('HSET', ukey, 'r' .. today, remaining)
  if n == used then
    local fields = redis.call('HKEYS', ukey)
    for _, f in ipairs(fields) do
      local d = tonumber(string.sub(f, 2))
      if d and d <= today - retention then redis.call('HDEL', ukey, f) end
    end
  end
  redis.call('PEXPIRE', ukey, retention * DAY_MS)
end
`

/**
 * KEYS: bucket keys (n), then the quota and usage keys when there is a quota.
 * ARGV: clock offset ms, n, rate and burst of each bucket, then quota limit ('' for none),
 * period, usage retention days.
 * Returns {allowed 0|1, denied level: bucket index 1..n | -1 quota | 0, has quota 0|1, remaining}.
 */
export const DECIDE = `${PRELUDE}
local n = tonumber(ARGV[2])
local qa = 3 + 2 * n
local has_quota = ARGV[qa] ~= ''
local limit, used, ps, pe = 0, 0, 0, 0
if has_quota then
  limit = tonumber(ARGV[qa])
  ps, pe = period_days(today, ARGV[qa + 1])
  local q = redis.call('HMGET', KEYS[n + 1], 'p', 'u')
  if q[1] and tonumber(q[1]) == ps then used = tonumber(q[2]) end
end
local remaining = limit - used
if remaining < 0 then remaining = 0 end
local hq = has_quota and 1 or 0

-- Every bucket first, writing nothing: a denied request consumes nothing.
local left = {}
for i = 1, n do
  local rate = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  if not (rate > 0) or burst < 1 then return {0, i, hq, remaining} end
  local tk = burst * UNIT
  local s = redis.call('HMGET', KEYS[i], 'tk', 'ts')
  if s[1] then
    local elapsed = now_us - tonumber(s[2])
    if elapsed < 0 then elapsed = 0 end
    tk = math.min(tk, tonumber(s[1]) + math.floor(elapsed * rate))
  end
  if tk < UNIT then return {0, i, hq, remaining} end
  left[i] = tk - UNIT
end
if has_quota and used >= limit then return {0, -1, 1, 0} end

for i = 1, n do
  local rate = tonumber(ARGV[1 + 2 * i])
  local burst = tonumber(ARGV[2 + 2 * i])
  redis.call('HSET', KEYS[i], 'tk', left[i], 'ts', now_us)
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate * 1000) + 1000)
end
if not has_quota then return {1, 0, 0, 0} end
redis.call('HSET', KEYS[n + 1], 'p', ps, 'u', used + 1)
redis.call('PEXPIRE', KEYS[n + 1], pe * DAY_MS - now_ms + 60000)
record_day(KEYS[n + 2], 1, limit - used - 1, tonumber(ARGV[qa + 2]))
remaining = limit - used - 1
if remaining < 0 then remaining = 0 end
return {1, 0, 1, remaining}
`

/**
 * UpdateUsage: set the remaining quota of the current period (used = limit - remaining).
 * KEYS: quota key, usage key. ARGV: clock offset ms, limit, period, remaining, retention days.
 */
export const SET_REMAINING = `${PRELUDE}
local limit = tonumber(ARGV[2])
local remaining = tonumber(ARGV[4])
local ps, pe = period_days(today, ARGV[3])
redis.call('HSET', KEYS[1], 'p', ps, 'u', limit - remaining)
redis.call('PEXPIRE', KEYS[1], pe * DAY_MS - now_ms + 60000)
record_day(KEYS[2], 0, remaining, tonumber(ARGV[5]))
return 1
`

/** Test support: the quota period of the server's clock (plus offset), as epoch days. */
export const PERIOD_AT = `${PRELUDE}
local s, e = period_days(today, ARGV[2])
return {s, e, today}
`
