// The Lua scripts of RedisMeter. DECIDE is the whole decision of one request and DECIDE_MANY
// that of a batch (the requests of one metering domain in one event-loop turn, decided in
// arrival order exactly as DECIDE would, docs/adr/0015-batched-decisions.md): atomic, one round
// trip, all-or-nothing per request, with the Redis server's clock (TIME) so proxies with skewed
// clocks agree. Arithmetic as token-bucket.ts (millionths of a token, microseconds); quota
// periods as quota-period.ts (UTC calendar, epoch days). Every key written gets an expiry. A
// change to the rules goes into both DECIDE and DECIDE_MANY (the contract's batch cases compare
// them).
//
// Keys (one metering domain D, so one hash slot):
//   tg:{D}:b:<bucket>  a hash {tk = tokens, ts = last update (µs), e = expiry last set (ms)};
//   tg:{D}:q:<quota>   a hash {p = period start (epoch day), u = used in the period,
//                      u<day> = used that day, r<day> = remaining after the day's last request
//                      or adjustment} (the first write of a day, no u<day> yet, sets the expiry);
//   tg:{D}:f:<id>      a marker: usage batch <id> was added (ADD_USAGE), kept for a day.
//
// HOT PATH — change with care. What a decision costs Redis is the number of commands the script
// calls (each ~1 µs of redis-server CPU) and, in Redis 7.0's Lua, ~0.1 µs per table operation
// or tonumber. So DECIDE calls as few as it can: TIME, one HMGET and one HSET per bucket, one
// HMGET and one HSET for the quota and the day's usage together, and PEXPIRE only when a key's
// expiry has to move (DECIDE_MANY the same, once per distinct key of the batch): a bucket's
// expiry is set to twice the time a refill from empty takes (+2 s) and moved again once less
// than one refill (+1 s) of it is left; the quota hash's expiry is moved on the first request of
// each day.

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

-- The first write of a day to a quota hash: drop days older than the retention, and keep the
-- hash until the retention has passed and the quota period (ending on epoch day pe) is over.
local function new_day(qkey, pe, retention)
  local fields = redis.call('HKEYS', qkey)
  for _, f in ipairs(fields) do
    local d = tonumber(string.sub(f, 2))
    if d and d <= today - retention then redis.call('HDEL', qkey, f) end
  end
  redis.call('PEXPIRE', qkey, math.max((retention + 1) * DAY_MS, pe * DAY_MS - now_ms + 60000))
end
`

/**
 * KEYS: bucket keys (n), then the quota key when there is a quota.
 * ARGV: clock offset ms, n, rate, burst and refill-from-empty ms of each bucket, then quota limit
 * ('' for none), period, usage retention days.
 * Returns {allowed 0|1, denied level: bucket index 1..n | -1 quota | 0, has quota 0|1, remaining}.
 */
export const DECIDE = `${PRELUDE}
local n = tonumber(ARGV[2])
local qa = 3 + 3 * n
local has_quota = ARGV[qa] ~= ''
local limit, used, ps, pe, today_used, qe = 0, 0, 0, 0, 0, nil
local uf = 'u' .. today
if has_quota then
  limit = tonumber(ARGV[qa])
  ps, pe = period_days(today, ARGV[qa + 1])
  local q = redis.call('HMGET', KEYS[n + 1], 'p', 'u', uf)
  if q[1] and tonumber(q[1]) == ps then used = tonumber(q[2]) end
  if q[3] then today_used = tonumber(q[3]) end
  qe = q[3]
end
local remaining = limit - used
if remaining < 0 then remaining = 0 end
local hq = has_quota and 1 or 0

-- Every bucket first, writing nothing: a denied request consumes nothing.
local left = {}
local exp = {}
for i = 1, n do
  local rate = tonumber(ARGV[3 * i])
  local burst = tonumber(ARGV[1 + 3 * i])
  if not (rate > 0) or burst < 1 then return {0, i, hq, remaining} end
  local tk = burst * UNIT
  local s = redis.call('HMGET', KEYS[i], 'tk', 'ts', 'e')
  if s[1] then
    local elapsed = now_us - tonumber(s[2])
    if elapsed < 0 then elapsed = 0 end
    tk = math.min(tk, tonumber(s[1]) + math.floor(elapsed * rate))
  end
  if tk < UNIT then return {0, i, hq, remaining} end
  left[i] = tk - UNIT
  exp[i] = tonumber(s[3]) or 0
end
if has_quota and used >= limit then return {0, -1, 1, 0} end

-- Large numbers go to redis.call as strings formatted with %d: Redis formats a Lua number
-- argument with %.17g, which costs about a microsecond for a 16-digit timestamp.
local ts = string.format('%d', now_us)
for i = 1, n do
  local fill = tonumber(ARGV[2 + 3 * i])
  local tk = string.format('%d', left[i])
  if exp[i] < now_ms + fill + 1000 then
    local e = now_ms + 2 * fill + 2000
    redis.call('HSET', KEYS[i], 'tk', tk, 'ts', ts, 'e', string.format('%d', e))
    redis.call('PEXPIRE', KEYS[i], e - now_ms)
  else
    redis.call('HSET', KEYS[i], 'tk', tk, 'ts', ts)
  end
end
if not has_quota then return {1, 0, 0, 0} end
remaining = limit - used - 1
redis.call('HSET', KEYS[n + 1], 'p', ps, 'u', used + 1, uf, today_used + 1, 'r' .. today, remaining)
if not qe then new_day(KEYS[n + 1], pe, tonumber(ARGV[qa + 2])) end
if remaining < 0 then remaining = 0 end
return {1, 0, 1, remaining}
`

/**
 * The decisions of several requests of one metering domain, in arrival order, exactly as if
 * DECIDE ran for each of them in turn at one instant (one TIME for all): the same token-bucket
 * and quota arithmetic, all-or-nothing per request, the first empty bucket in THROTTLE_ORDER
 * denies, a denied request consumes nothing. Each distinct key is read once (HMGET, on first
 * use) and written once at the end (HSET; PEXPIRE and the quota's new-day work when DECIDE
 * would have done them for one of the requests).
 *
 * Requests come as runs of one request shape (template), and a run is decided in one step: at
 * one instant nothing refills, so c requests in a row admit k = the fewest of c, each bucket's
 * whole tokens and the quota left, and the other c - k are all denied by the same check — the
 * first bucket (in order) left with less than a token, else the quota. So a batch costs about
 * what one request costs, plus a little per run, whatever its size.
 *
 * KEYS: the distinct keys of the batch (buckets and quotas), each once.
 * ARGV: clock offset ms, usage retention days, R (where the runs start); then the templates,
 * each: bucket count n, per bucket its key index (into KEYS), rate, burst and refill-from-empty
 * ms, then the quota's key index (0: no quota), limit and period; then from ARGV[R] the requests
 * in arrival order as runs: the ARGV index of a template, how many requests of it in a row.
 * Returns three integers per run: k (the first k requests admitted), the outcome of the others
 * (i > 0 denied by the template's bucket i, -1 quota exceeded; 0 when k is the whole run), and
 * the quota left before the run (limit - used, may be negative; 0 without a quota) — the
 * admitted requests have that minus 1, 2, ... remaining, the denied ones that minus k.
 *
 * Lua costs ~0.1 µs per table operation or tonumber here, so state lives in one preallocated
 * table.
 */
export const DECIDE_MANY = `${PRELUDE}
local retention = tonumber(ARGV[2])
local uf = 'u' .. today
local rf = 'r' .. today
-- State of key k at S[8k + f]. Both kinds: 1 read ('b' bucket, 'q' quota), 2 changed. Buckets:
-- 3 tokens, 4 last update (µs), 5 expiry last set (ms), 6 expiry moved. Quotas: 3 period start,
-- 4 used, 5 used today, 6 remaining today, 7 no usage today yet (true, then the end of the
-- period for new_day).
local S = {${Array(64).fill('false').join(', ')}}
-- Tokens of the run's buckets before the run.
local T = {0, 0, 0, 0, 0}
local out = {}
local o = 0

for r = tonumber(ARGV[3]), #ARGV, 2 do
  local a = tonumber(ARGV[r])
  local c = tonumber(ARGV[r + 1])
  local n = tonumber(ARGV[a])
  local qa = a + 4 * n + 1
  local q = tonumber(ARGV[qa]) * 8
  local limit = tonumber(ARGV[qa + 1])
  local ps, pe, used = 0, 0, 0
  if q > 0 then
    ps, pe = period_days(today, ARGV[qa + 2])
    if not S[q + 1] then
      local h = redis.call('HMGET', KEYS[q / 8], 'p', 'u', uf)
      S[q + 1] = 'q'
      S[q + 3] = tonumber(h[1])
      S[q + 4] = tonumber(h[2]) or 0
      S[q + 5] = tonumber(h[3]) or 0
      S[q + 7] = not h[3]
    end
    if S[q + 3] == ps then used = S[q + 4] end
  end

  -- k: how many of the c requests every bucket and the quota admit; denied: what refuses the
  -- next one (the first bucket in order that has exactly k whole tokens, else the quota).
  local k = c
  local denied = 0
  for i = 1, n do
    local rate = tonumber(ARGV[a + 4 * i - 2])
    local burst = tonumber(ARGV[a + 4 * i - 1])
    local can = 0
    if rate > 0 and burst >= 1 then
      local b = tonumber(ARGV[a + 4 * i - 3]) * 8
      if not S[b + 1] then
        local h = redis.call('HMGET', KEYS[b / 8], 'tk', 'ts', 'e')
        S[b + 1] = 'b'
        S[b + 3] = tonumber(h[1])
        S[b + 4] = tonumber(h[2])
        S[b + 5] = tonumber(h[3]) or 0
      end
      local tk = burst * UNIT
      if S[b + 3] then
        local elapsed = now_us - S[b + 4]
        if elapsed < 0 then elapsed = 0 end
        tk = math.min(tk, S[b + 3] + math.floor(elapsed * rate))
      end
      T[i] = tk
      can = math.floor(tk / UNIT)
    end
    if can < k then
      k = can
      denied = i
    end
  end
  if q > 0 then
    local left = limit - used
    if left < 0 then left = 0 end
    if left < k then
      k = left
      denied = -1
    end
  end

  if k > 0 then
    for i = 1, n do
      local b = tonumber(ARGV[a + 4 * i - 3]) * 8
      local fill = tonumber(ARGV[a + 4 * i])
      S[b + 2] = true
      S[b + 3] = T[i] - k * UNIT
      S[b + 4] = now_us
      if S[b + 5] < now_ms + fill + 1000 then
        S[b + 5] = now_ms + 2 * fill + 2000
        S[b + 6] = true
      end
    end
    if q > 0 then
      S[q + 2] = true
      S[q + 3] = ps
      S[q + 4] = used + k
      S[q + 5] = S[q + 5] + k
      S[q + 6] = limit - used - k
      if S[q + 7] == true then S[q + 7] = pe end
    end
  end
  out[o + 1] = k
  out[o + 2] = denied
  out[o + 3] = limit - used
  o = o + 3
end

-- Large numbers go to redis.call as strings formatted with %d (see DECIDE).
local nowf = string.format('%d', now_us)
for k = 1, #KEYS do
  local b = 8 * k
  if S[b + 2] then
    if S[b + 1] == 'q' then
      redis.call('HSET', KEYS[k], 'p', S[b + 3], 'u', S[b + 4], uf, S[b + 5], rf, S[b + 6])
      if S[b + 7] then new_day(KEYS[k], S[b + 7], retention) end
    elseif S[b + 6] then
      redis.call('HSET', KEYS[k], 'tk', string.format('%d', S[b + 3]), 'ts', nowf, 'e', string.format('%d', S[b + 5]))
      redis.call('PEXPIRE', KEYS[k], S[b + 5] - now_ms)
    else
      redis.call('HSET', KEYS[k], 'tk', string.format('%d', S[b + 3]), 'ts', nowf)
    end
  end
end
return out
`

/**
 * UpdateUsage: set the remaining quota of the current period (used = limit - remaining).
 * KEYS: quota key. ARGV: clock offset ms, limit, period, remaining, retention days.
 */
export const SET_REMAINING = `${PRELUDE}
local limit = tonumber(ARGV[2])
local remaining = tonumber(ARGV[4])
local ps, pe = period_days(today, ARGV[3])
local uf = 'u' .. today
local first = redis.call('HEXISTS', KEYS[1], uf) == 0
redis.call('HSET', KEYS[1], 'p', ps, 'u', limit - remaining, 'r' .. today, remaining)
if first then
  redis.call('HSET', KEYS[1], uf, 0)
  new_day(KEYS[1], pe, tonumber(ARGV[5]))
end
return 1
`

/**
 * Usage admitted elsewhere (by a proxy's local fallback while Redis was down) added to a quota,
 * once per id: the marker key makes a retried call a no-op. The requests count on the day they
 * were admitted; in the period's quota only when that period is still the current one.
 * KEYS: quota key, marker key. ARGV: clock offset ms, limit, period, period start of the usage
 * (epoch day), day of the usage (epoch day), requests, retention days, marker lifetime ms.
 * Returns 1 when added, 0 when that id was added before.
 */
export const ADD_USAGE = `${PRELUDE}
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[8]) then return 0 end
local limit = tonumber(ARGV[2])
local day = tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local retention = tonumber(ARGV[7])
local ps, pe = period_days(today, ARGV[3])
if day > today - retention then redis.call('HINCRBY', KEYS[1], 'u' .. day, n) end
if tonumber(ARGV[4]) == ps then
  local q = redis.call('HMGET', KEYS[1], 'p', 'u')
  local used = n
  if q[1] and tonumber(q[1]) == ps then used = used + tonumber(q[2]) end
  local remaining = limit - used
  if remaining < 0 then remaining = 0 end
  redis.call('HSET', KEYS[1], 'p', ps, 'u', used, 'r' .. day, remaining)
end
new_day(KEYS[1], pe, retention)
return 1
`

/** Test support: the quota period of the server's clock (plus offset), as epoch days. */
export const PERIOD_AT = `${PRELUDE}
local s, e = period_days(today, ARGV[2])
return {s, e, today}
`
